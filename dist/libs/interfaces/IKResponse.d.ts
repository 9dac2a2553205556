// v6's `imagekit/dist/libs/interfaces/IKResponse`: the type is its default export.
import type { IKResponse } from '../../../index'
export default IKResponse
