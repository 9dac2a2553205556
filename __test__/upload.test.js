'use strict'
// Upload input kinds against the local server: a URL, a base64 string, a Buffer, a
// Uint8Array, a generated Readable, an fs.ReadStream, a large slow stream. Each file is fetched
// back through the URL endpoint and must hold exactly the bytes sent.

const test = require('node:test')
const assert = require('node:assert/strict')
const crypto = require('node:crypto')
const fs = require('node:fs')
const http = require('node:http')
const os = require('node:os')
const path = require('node:path')
const { Readable } = require('node:stream')

const ImageKit = require('..')
const { useServer } = require('./helpers/server.js')
const { png, jpeg, dimensions } = require('./helpers/images.js')
const { settle, assertMetadata } = require('./helpers/calls.js')

// The URL upload test downloads from a loopback server of its own.
const server = useServer({ args: ['--allow-private-urls'] })
const client = () => new ImageKit(server().options)
const sha256 = (bytes) => crypto.createHash('sha256').update(bytes).digest('hex')

let tmp
test.before(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ik-upload-'))
})
test.after(() => fs.rmSync(tmp, { recursive: true, force: true }))

async function fetchBytes(url) {
  const response = await fetch(url)
  assert.equal(response.status, 200, `GET ${url}`)
  return { bytes: Buffer.from(await response.arrayBuffer()), type: response.headers.get('content-type') }
}

/** Uploads, then checks the stored size and the bytes served back. */
async function uploadAndCompare(options, expected) {
  const result = await client().upload(options)
  assertMetadata(result, 200)
  assert.equal(result.size, expected.length, 'stored size')
  const served = await fetchBytes(result.url)
  assert.equal(served.bytes.length, expected.length)
  assert.equal(sha256(served.bytes), sha256(expected), 'served bytes')
  return { result, served }
}

test('a Buffer (PNG) arrives intact and is read as an image', async () => {
  const image = png(40, 30)
  const { result, served } = await uploadAndCompare({ file: image, fileName: 'buffer.png' }, image)
  assert.deepEqual([result.width, result.height, result.fileType], [40, 30, 'image'])
  assert.equal(served.type, 'image/png')
})

test('a Uint8Array (JPEG, a view into a larger buffer) arrives intact', async () => {
  const image = jpeg(24, 16)
  const backing = Buffer.concat([Buffer.from('garbage-before'), image, Buffer.from('after')])
  const view = new Uint8Array(backing.buffer, backing.byteOffset + 14, image.length)
  const { result } = await uploadAndCompare({ file: view, fileName: 'view.jpg' }, image)
  assert.deepEqual([result.width, result.height], [24, 16])
})

test('a base64 string is decoded by the server', async () => {
  const image = jpeg(8, 8)
  await uploadAndCompare({ file: image.toString('base64'), fileName: 'b64.jpg' }, image)
})

test('a URL string: the server downloads the file', async (t) => {
  const image = png(12, 12)
  const origin = http.createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'image/png' })
    res.end(image)
  })
  await new Promise((resolve) => origin.listen(0, '127.0.0.1', resolve))
  t.after(() => new Promise((resolve) => origin.close(resolve)))
  await uploadAndCompare({ file: `http://127.0.0.1:${origin.address().port}/remote.png`, fileName: 'remote.png' }, image)
})

test('a generated Readable of mixed chunk types arrives intact', async () => {
  const chunks = [Buffer.from('start-'), new Uint8Array([0, 1, 2, 255]), 'text-chunk', crypto.randomBytes(100_000), Buffer.alloc(0), '-end']
  const expected = Buffer.concat(chunks.map((c) => (typeof c === 'string' ? Buffer.from(c) : Buffer.from(c))))
  await uploadAndCompare({ file: Readable.from(chunks), fileName: 'generated.bin' }, expected)
})

test('an fs.ReadStream arrives intact', async () => {
  const bytes = crypto.randomBytes(1_000_003)
  const file = path.join(tmp, 'disk.bin')
  fs.writeFileSync(file, bytes)
  await uploadAndCompare({ file: fs.createReadStream(file), fileName: 'disk.bin' }, bytes)
  // A byte range of the file.
  await uploadAndCompare({ file: fs.createReadStream(file, { start: 10, end: 99_999 }), fileName: 'range.bin' }, bytes.subarray(10, 100_000))
})

test('a large, slow stream (32 MiB, paced) arrives intact', async () => {
  const hash = crypto.createHash('sha256')
  const total = 32 * 1024 * 1024
  const chunk = 256 * 1024
  let sent = 0
  async function* paced() {
    for (let i = 0; sent < total; i++) {
      const piece = crypto.createHash('sha512').update(String(i)).digest()
      const block = Buffer.alloc(chunk, piece)
      hash.update(block)
      sent += block.length
      if (i % 16 === 0) await new Promise((resolve) => setTimeout(resolve, 1))
      yield block
    }
  }
  const result = await client().upload({ file: Readable.from(paced()), fileName: 'large.bin' })
  assert.equal(result.size, total)
  const served = await fetchBytes(result.url)
  assert.equal(sha256(served.bytes), hash.digest('hex'))
})

test("a stream that fails mid-way rejects the upload with the stream's own error, and nothing is stored", async () => {
  const ik = client()
  const before = (await ik.listFiles({ searchQuery: 'name = "broken.bin"' })).length
  const failure = new Error('disk read failed')
  async function* broken() {
    yield Buffer.alloc(64 * 1024, 1)
    await new Promise((resolve) => setTimeout(resolve, 5))
    throw failure
  }
  const outcome = await settle(ik.upload({ file: Readable.from(broken()), fileName: 'broken.bin', useUniqueFileName: false }))
  assert.equal(outcome.ok, false)
  assert.equal(outcome.error, failure)
  assert.equal((await ik.listFiles({ searchQuery: 'name = "broken.bin"' })).length, before)
})

test('upload options reach the server: folder, tags, custom coordinates, private file, response fields', async () => {
  const ik = client()
  const result = await ik.upload({
    file: png(10, 10),
    fileName: 'options.png',
    folder: '/upload-options',
    tags: ['a', 'b'],
    customCoordinates: '1,2,3,4',
    isPrivateFile: false,
    useUniqueFileName: false,
    responseFields: ['tags', 'customCoordinates', 'isPrivateFile'],
  })
  assert.equal(result.filePath, '/upload-options/options.png')
  assert.deepEqual(result.tags, ['a', 'b'])
  assert.equal(result.customCoordinates, '1,2,3,4')
  assert.equal(result.isPrivateFile, false)
  // A transformed delivery of the stored image.
  const url = ik.url({ path: result.filePath, transformation: [{ width: 5, height: 5 }] })
  const served = await fetchBytes(url)
  assert.deepEqual(dimensions(served.bytes), { format: 'png', width: 5, height: 5 })
})
