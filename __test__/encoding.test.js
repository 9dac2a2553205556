'use strict'
// Requests ask for compressed answers (gzip, deflate, brotli) and name the package in their
// User-Agent; every other header is v6's. Compressed answers are decoded as v6 (through
// axios) decodes them: the same result, the same error objects, the same $ResponseMetadata.

const test = require('node:test')
const assert = require('node:assert/strict')
const http = require('node:http')
const zlib = require('node:zlib')
const ImageKit = require('../imagekit.js')
const ImageKitV6 = require('imagekit-reference')
const pkg = require('../package.json')
const { settle } = require('./helpers/calls')

const KEYS = { publicKey: 'public_key', privateKey: 'private_key', urlEndpoint: 'https://ik.imagekit.io/demo' }

const ENCODERS = {
  gzip: zlib.gzipSync,
  br: zlib.brotliCompressSync,
  deflate: zlib.deflateSync,
}

/** Answers every request with `answer()`, encoded as `encoding`; records request headers. */
async function encodingServer(encoding, answer) {
  const seen = []
  const server = http.createServer((req, res) => {
    seen.push(req.headers)
    req.resume()
    req.on('end', () => {
      const { status = 200, body } = answer()
      const raw = Buffer.from(body)
      const encoded = encoding ? ENCODERS[encoding](raw) : raw
      res.sendDate = false
      const headers = { 'content-type': 'application/json', 'content-length': encoded.length, 'x-request-id': 'r1' }
      if (encoding) headers['content-encoding'] = encoding
      res.writeHead(status, headers)
      res.end(encoded)
    })
  })
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  const origin = `http://127.0.0.1:${server.address().port}`
  return { origin, seen, close: () => new Promise((resolve) => server.close(resolve)) }
}

const upload = (Implementation, origin) =>
  settle(new Implementation({ ...KEYS, uploadEndpoint: `${origin}/api/v1/files/upload` }).upload({ file: 'aGVsbG8=', fileName: 'a.txt' }))

const metadata = (value) => ({ statusCode: value.$ResponseMetadata.statusCode, headers: { ...value.$ResponseMetadata.headers } })

test('requests carry v6 headers, plus an Accept-Encoding and a User-Agent naming the package', async (t) => {
  const server = await encodingServer(null, () => ({ body: '{}' }))
  t.after(() => server.close())
  await upload(ImageKit, server.origin)
  await upload(ImageKitV6, server.origin)
  const [ours, v6] = server.seen
  assert.equal(ours['user-agent'], `${pkg.name}/${pkg.version} (Rust native addon)`)
  assert.match(ours['accept-encoding'], /\bgzip\b/)
  assert.match(ours['accept-encoding'], /\bbr\b/)
  const comparable = (headers) => {
    const { 'user-agent': _ua, 'accept-encoding': _ae, connection: _c, ...rest } = headers
    return { ...rest, 'content-type': rest['content-type'].replace(/boundary=.*/, 'boundary=') }
  }
  assert.deepEqual(comparable(ours), comparable(v6))
})

for (const encoding of Object.keys(ENCODERS)) {
  test(`a ${encoding} answer is decoded as v6 decodes it`, async (t) => {
    const document = JSON.stringify({ fileId: 'f1', name: 'a.txt', tags: Array.from({ length: 50 }, (_, i) => `tag-${i}`) })
    let status = 200
    const server = await encodingServer(encoding, () => ({ status, body: status === 200 ? document : '{"message":"No such file"}' }))
    t.after(() => server.close())
    const ours = await upload(ImageKit, server.origin)
    const v6 = await upload(ImageKitV6, server.origin)
    assert.equal(ours.ok, true)
    assert.deepEqual(ours.value, JSON.parse(document))
    assert.deepEqual(ours.value, v6.value)
    assert.deepEqual(metadata(ours.value), metadata(v6.value))
    assert.equal(metadata(ours.value).headers['content-encoding'], undefined, 'dropped once decoded, as axios does')

    status = 404
    const oursError = await upload(ImageKit, server.origin)
    const v6Error = await upload(ImageKitV6, server.origin)
    assert.deepEqual(oursError.error, { message: 'No such file' })
    assert.deepEqual(oursError.error, v6Error.error)
    assert.deepEqual(metadata(oursError.error), metadata(v6Error.error))
  })
}

test('a compressed answer is held to maxResponseBytes once decoded', async (t) => {
  const server = await encodingServer('gzip', () => ({ body: JSON.stringify({ data: 'x'.repeat(100000) }) }))
  t.after(() => server.close())
  const ik = new ImageKit({ ...KEYS, apiEndpoint: server.origin, maxResponseBytes: 50000 })
  const outcome = await settle(ik.getFileDetails('f1'))
  assert.equal(outcome.error.code, 'ERR_RESPONSE_TOO_LARGE')
})

test('a body that does not decode is an error with zlib\'s code', async (t) => {
  const server = http.createServer((req, res) => {
    res.writeHead(200, { 'content-encoding': 'gzip', 'content-type': 'application/json' })
    res.end('this is not gzip')
  })
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.after(() => server.close())
  const ik = new ImageKit({ ...KEYS, apiEndpoint: `http://127.0.0.1:${server.address().port}` })
  const outcome = await settle(ik.getFileDetails('f1'))
  assert.equal(outcome.error.code, 'Z_DATA_ERROR')
  assert.match(outcome.error.message, /gzip body could not be decoded/)
})
