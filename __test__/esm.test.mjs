// Native ESM: `import ImageKit from` the package entry gives the class (CommonJS interop).
import test from 'node:test'
import assert from 'node:assert/strict'
import { createRequire } from 'node:module'

import ImageKit from '../imagekit.js'

const require = createRequire(import.meta.url)

test('import default is the class require() returns', () => {
  assert.equal(ImageKit, require('../imagekit.js'))
  const ik = new ImageKit({ publicKey: 'p', privateKey: 'k', urlEndpoint: 'https://ik.imagekit.io/demo' })
  assert.equal(ik.url({ path: '/a.jpg', transformation: [{ width: 100 }] }), 'https://ik.imagekit.io/demo/tr:w-100/a.jpg')
})
