// v6's `imagekit/dist/libs/interfaces/PurgeCache`: the names it exports, declared in the package's index.d.ts.
export type {
  PurgeCacheResponse,
  PurgeCacheStatusResponse,
} from '../../../index'
