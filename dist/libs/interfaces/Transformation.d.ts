// v6's `imagekit/dist/libs/interfaces/Transformation`: the names it exports, declared in the package's index.d.ts.
export type {
  Transformation,
  TransformationPosition,
} from '../../../index'
