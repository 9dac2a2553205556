'use strict'
// The addon built with the `test-panic` feature, whose `__panicNext(stage)` makes the next
// call panic at that stage (src/binding/panic_probe.rs). `node __test__/support/panic-probe.js`
// builds it (a release build that reuses every dependency of the normal one) and copies it to
// PROBE_PATH; `npm test` does that before the normal build.

const path = require('node:path')
const fs = require('node:fs')
const { execFileSync } = require('node:child_process')

const root = path.join(__dirname, '..', '..')
const PROBE_PATH = path.join(root, 'target', 'panic-probe', 'imagekit.node')

function build() {
  execFileSync('cargo', ['build', '--release', '--lib', '--features', 'test-panic'], { cwd: root, stdio: 'inherit' })
  const library = { darwin: 'libimagekit_napi.dylib', win32: 'imagekit_napi.dll' }[process.platform] || 'libimagekit_napi.so'
  fs.mkdirSync(path.dirname(PROBE_PATH), { recursive: true })
  fs.copyFileSync(path.join(root, 'target', 'release', library), PROBE_PATH)
}

if (require.main === module) build()

module.exports = { PROBE_PATH }
