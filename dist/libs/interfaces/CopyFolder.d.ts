// v6's `imagekit/dist/libs/interfaces/CopyFolder`: the names it exports, declared in the package's index.d.ts.
export type {
  CopyFolderError,
  CopyFolderOptions,
  CopyFolderResponse,
} from '../../../index'
