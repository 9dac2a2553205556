// v6's `imagekit/dist/libs/interfaces/UploadResponse`: the names it exports, declared in the package's index.d.ts.
export type {
  UploadResponse,
} from '../../../index'
