// v6's `imagekit/dist/libs/interfaces/FileVersion`: the names it exports, declared in the package's index.d.ts.
export type {
  DeleteFileVersionOptions,
  RestoreFileVersionOptions,
} from '../../../index'
