// v6's `imagekit/dist/libs/interfaces/ListFile`: the names it exports, declared in the package's index.d.ts.
export type {
  ListFileOptions,
  ListFileResponse,
} from '../../../index'
