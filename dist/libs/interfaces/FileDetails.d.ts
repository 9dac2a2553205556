// v6's `imagekit/dist/libs/interfaces/FileDetails`: the names it exports, declared in the package's index.d.ts.
export type {
  AITagItem,
  CMValues,
  EmbeddedMetadataValues,
  Extension,
  FileDetailsOptions,
  FileObject,
  FileVersionDetailsOptions,
  FolderObject,
} from '../../../index'
