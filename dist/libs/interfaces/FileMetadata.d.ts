// v6's `imagekit/dist/libs/interfaces/FileMetadata`: the names it exports, declared in the package's index.d.ts.
export type {
  FileMetadataResponse,
} from '../../../index'
