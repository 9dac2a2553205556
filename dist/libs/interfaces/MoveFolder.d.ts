// v6's `imagekit/dist/libs/interfaces/MoveFolder`: the names it exports, declared in the package's index.d.ts.
export type {
  MoveFolderError,
  MoveFolderOptions,
  MoveFolderResponse,
} from '../../../index'
