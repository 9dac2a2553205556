// v6's `imagekit/dist/libs/interfaces/CreateFolder`: the names it exports, declared in the package's index.d.ts.
export type {
  CreateFolderOptions,
} from '../../../index'
