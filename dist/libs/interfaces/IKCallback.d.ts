// v6's `imagekit/dist/libs/interfaces/IKCallback`.
export type { IKCallback } from '../../../index'
