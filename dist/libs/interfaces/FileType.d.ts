// v6's `imagekit/dist/libs/interfaces/FileType`: the names it exports, declared in the package's index.d.ts.
export type {
  FileType,
} from '../../../index'
