'use strict'
// A folder into the library against the local ImageKit server (server/ crate, started here on
// a free port): a small tree uploaded with progress and each file's outcome, then a second run
// that finds everything in place and uploads nothing, then a file changed locally, reported
// until `overwrite` replaces it.
//
//   cargo build --release -p imagekit-local-server && npm run build && node examples/upload-folder.js

const assert = require('node:assert/strict')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')

const ImageKit = require('..')
const { startServer } = require('../__test__/helpers/server.js')

async function main({ log = console.log } = {}) {
  const server = await startServer()
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ik-example-'))
  try {
    for (const [name, text] of [
      ['index.html', '<h1>hello</h1>'],
      ['css/site.css', 'h1 { color: teal }'],
      ['img/logo one.svg', '<svg xmlns="http://www.w3.org/2000/svg"/>'],
      ['img/café.txt', 'marks are kept'],
      ['drafts/wip.txt', 'not for upload'],
    ]) {
      fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true })
      fs.writeFileSync(path.join(dir, name), text)
    }
    const imagekit = new ImageKit(server.options)

    const summary = await imagekit.uploadFolder(dir, {
      folder: '/site',
      exclude: 'drafts/**',
      tags: ['site'],
      onFile: (file) => log(`  ${file.status.padEnd(8)} ${file.path} -> ${file.remotePath}`),
      onProgress: (t) => log(`  progress: ${t.filesDone}/${t.filesTotal} files, ${t.bytesDone}/${t.bytesTotal} bytes`),
    })
    assert.deepEqual([summary.uploaded, summary.failed], [4, 0])
    log(`first run: ${summary.uploaded} uploaded in ${summary.elapsedMs} ms`)

    const again = await imagekit.uploadFolder(dir, { folder: '/site', exclude: 'drafts/**' })
    assert.deepEqual([again.uploaded, again.skipped], [0, 4])
    log(`second run: ${again.skipped} already there, ${again.uploaded} uploaded`)

    fs.writeFileSync(path.join(dir, 'index.html'), '<h1>hello, again</h1>')
    const changed = await imagekit.uploadFolder(dir, { folder: '/site', exclude: 'drafts/**' })
    assert.equal(changed.failures[0].error.code, 'ERR_SIZE_MISMATCH')
    log(`a changed file: ${changed.failures[0].error.message}`)
    const replaced = await imagekit.uploadFolder(dir, { folder: '/site', exclude: 'drafts/**', overwrite: true })
    assert.equal(replaced.uploaded, 1)
    log(`with overwrite: ${replaced.uploaded} replaced, ${replaced.skipped} skipped`)
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
    await server.stop()
  }
}

module.exports = { main }

if (require.main === module) {
  main().catch((error) => {
    console.error(error)
    process.exitCode = 1
  })
}
