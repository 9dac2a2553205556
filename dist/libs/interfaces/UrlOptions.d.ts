// v6's `imagekit/dist/libs/interfaces/UrlOptions`: the names it exports, declared in the package's index.d.ts.
export type {
  UrlOptions,
  UrlOptionsBase,
  UrlOptionsPath,
  UrlOptionsSrc,
} from '../../../index'
