'use strict'
// The media flow end to end against the local ImageKit server (server/ crate, started here on a
// free port): upload an image, list it, build a transformed and a signed URL and fetch both,
// read its metadata and pHash, update its tags, delete it.
//
//   cargo build --release -p imagekit-local-server && npm run build && node examples/media-flow.js

const assert = require('node:assert/strict')

const ImageKit = require('..')
const { startServer } = require('../__test__/helpers/server.js')
const { jpeg, dimensions } = require('../__test__/helpers/images.js')

async function fetchImage(url) {
  const response = await fetch(url)
  const bytes = Buffer.from(await response.arrayBuffer())
  return { status: response.status, type: response.headers.get('content-type'), size: dimensions(bytes) }
}

async function main({ log = console.log } = {}) {
  const server = await startServer()
  try {
    log(`local server: ${server.apiEndpoint}`)
    const imagekit = new ImageKit(server.options)

    const uploaded = await imagekit.upload({ file: jpeg(64, 48), fileName: 'flow.jpg', folder: '/examples', tags: ['example'] })
    log(`uploaded ${uploaded.filePath} (${uploaded.width}x${uploaded.height}, ${uploaded.size} bytes), fileId ${uploaded.fileId}`)

    const listed = await imagekit.listFiles({ path: '/examples' })
    assert.ok(listed.some((file) => file.fileId === uploaded.fileId))
    log(`listFiles /examples: ${listed.map((file) => file.name).join(', ')} (HTTP ${listed.$ResponseMetadata.statusCode})`)

    const transformed = imagekit.url({ path: uploaded.filePath, transformation: [{ width: 32, height: 24 }] })
    const t = await fetchImage(transformed)
    assert.equal(t.status, 200)
    assert.match(t.type, /^image\//)
    log(`transformed URL ${transformed}: HTTP ${t.status}, ${t.type}, ${t.size.width}x${t.size.height}`)

    const signed = imagekit.url({ path: uploaded.filePath, signed: true, expireSeconds: 300 })
    const s = await fetchImage(signed)
    assert.equal(s.status, 200)
    assert.match(s.type, /^image\//)
    log(`signed URL ${signed}: HTTP ${s.status}, ${s.type}`)
    const tampered = await fetch(signed.replace('flow', 'flow2'))
    log(`the same signature on another path: HTTP ${tampered.status}`)

    const metadata = await imagekit.getFileMetadata(uploaded.fileId)
    const fromUrl = await imagekit.getFileMetadata(uploaded.url)
    log(`metadata: ${metadata.width}x${metadata.height} ${metadata.format}, pHash ${metadata.pHash}`)
    log(`pHash distance between the metadata by id and by URL: ${imagekit.pHashDistance(metadata.pHash, fromUrl.pHash)}`)

    const updated = await imagekit.updateFileDetails(uploaded.fileId, { tags: ['example', 'updated'] })
    log(`tags now: ${updated.tags.join(', ')}`)

    await imagekit.deleteFile(uploaded.fileId)
    const gone = await imagekit.getFileDetails(uploaded.fileId).catch((error) => error)
    assert.equal(gone.$ResponseMetadata.statusCode, 404)
    log(`deleted; getFileDetails now answers HTTP ${gone.$ResponseMetadata.statusCode}: ${gone.message}`)
  } finally {
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
