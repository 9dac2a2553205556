// v6's `imagekit/dist/libs/interfaces/MoveFile`: the names it exports, declared in the package's index.d.ts.
export type {
  MoveFileOptions,
} from '../../../index'
