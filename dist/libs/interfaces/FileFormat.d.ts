// v6's `imagekit/dist/libs/interfaces/FileFormat`: the names it exports, declared in the package's index.d.ts.
export type {
  FileFormat,
} from '../../../index'
