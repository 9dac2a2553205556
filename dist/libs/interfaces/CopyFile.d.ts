// v6's `imagekit/dist/libs/interfaces/CopyFile`: the names it exports, declared in the package's index.d.ts.
export type {
  CopyFileOptions,
} from '../../../index'
