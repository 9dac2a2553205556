// v6's root import path: `import ImageKit from "imagekit"` and `require("imagekit")`.
import { ImageKit } from './index'
export = ImageKit
