// v6's `imagekit/dist/libs/interfaces/UploadOptions`: the names it exports, declared in the package's index.d.ts.
export type {
  UploadOptions,
} from '../../../index'
