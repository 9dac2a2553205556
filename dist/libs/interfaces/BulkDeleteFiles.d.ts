// v6's `imagekit/dist/libs/interfaces/BulkDeleteFiles`: the names it exports, declared in the package's index.d.ts.
export type {
  BulkDeleteFilesError,
  BulkDeleteFilesResponse,
} from '../../../index'
