// v6's `imagekit/dist/libs/interfaces/ImageKitOptions`: the names it exports, declared in the package's index.d.ts.
export type {
  ImageKitOptions,
} from '../../../index'
