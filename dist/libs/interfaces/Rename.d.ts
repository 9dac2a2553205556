// v6's `imagekit/dist/libs/interfaces/Rename`: the names it exports, declared in the package's index.d.ts.
export type {
  RenameFileOptions,
  RenameFileResponse,
} from '../../../index'
