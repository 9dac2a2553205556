// v6's `imagekit/dist/libs/interfaces/IKCallback`: the names it exports, declared in the package's index.d.ts.
export type {
  IKCallback,
} from '../../../index'
