'use strict'
// The options v6 lacks that bound a call: `timeout`, `idleTimeout`, `maxRetries` and
// `maxResponseBytes`, over loopback against scripted servers. Without them every call is
// sent once and waits as v6 does; with retries on, the last try's result is exactly v6's.

const test = require('node:test')
const assert = require('node:assert/strict')
const net = require('node:net')
const { Readable } = require('node:stream')
const ImageKit = require('../imagekit.js')
const ImageKitV6 = require('imagekit-reference')
const { startCapture } = require('./helpers/capture')
const { settle, describe } = require('./helpers/calls')

const KEYS = { publicKey: 'public_key', privateKey: 'private_key', urlEndpoint: 'https://ik.imagekit.io/demo' }

const client = (origin, options = {}, Implementation = ImageKit) =>
  new Implementation({ ...KEYS, apiEndpoint: origin, uploadEndpoint: `${origin}/api/v1/files/upload`, ...options })

/** A server that reads what it is sent and never answers. */
async function silentServer() {
  const sockets = new Set()
  let received = 0
  const server = net.createServer((socket) => {
    sockets.add(socket)
    socket.on('data', (d) => (received += d.length))
    socket.on('close', () => sockets.delete(socket))
    socket.on('error', () => {})
  })
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    origin: `http://127.0.0.1:${server.address().port}`,
    received: () => received,
    open: () => sockets.size,
    close() {
      for (const socket of sockets) socket.destroy()
      return new Promise((resolve) => server.close(resolve))
    },
  }
}

/** The time a promise takes to settle, and how. */
async function timed(promise) {
  const started = Date.now()
  const outcome = await settle(promise)
  return { ...outcome, ms: Date.now() - started }
}

test('without the new options, options stay what v6 keeps', () => {
  const ours = new ImageKit(KEYS)
  const v6 = new ImageKitV6(KEYS)
  assert.equal(JSON.stringify(ours.options), JSON.stringify(v6.options))
  const given = new ImageKit({ ...KEYS, timeout: 5000, maxRetries: 2 })
  assert.equal(given.options.timeout, 5000)
  assert.equal(given.options.maxRetries, 2)
  assert.equal(JSON.stringify(given.options), JSON.stringify(new ImageKitV6({ ...KEYS, timeout: 5000, maxRetries: 2 }).options))
})

test('a new option with a bad value is a TypeError naming it, at construction', () => {
  for (const [name, value] of [
    ['timeout', -1],
    ['timeout', '5s'],
    ['idleTimeout', NaN],
    ['connectTimeout', {}],
    ['maxRetries', 1.5],
    ['maxRetries', 11],
    ['maxResponseBytes', -1],
  ]) {
    assert.throws(
      () => new ImageKit({ ...KEYS, [name]: value }),
      (e) => e instanceof TypeError && e.code === 'ERR_INVALID_ARG_VALUE' && e.message.includes(`"${name}"`),
      name,
    )
  }
  // v6's own checks come first.
  assert.throws(() => new ImageKit({ publicKey: 'p', timeout: -1 }), { message: 'Missing privateKey during ImageKit initialization' })
})

test('each option a call reads is read when set after construction, as v6 reads its own', async () => {
  // The options are read at every call; a JavaScript check (imagekit.js, hasCallOptions)
  // decides whether to read them at all, so each must be noticed there too.
  const bad = { timeout: -1, maxRetries: 1.5, idleTimeout: 'soon', maxResponseBytes: -1, logLevel: 'loud', logger: 'nope' }
  for (const [name, value] of Object.entries(bad)) {
    const ik = new ImageKit({ ...KEYS, apiEndpoint: 'http://127.0.0.1:9', logLevel: name === 'logger' ? 'debug' : undefined })
    ik.options[name] = value
    const outcome = await settle(ik.getFileDetails('f1'))
    assert.ok(outcome.error instanceof TypeError, `${name}: ${outcome.error && outcome.error.message}`)
    assert.match(outcome.error.message, new RegExp(`"${name}"`))
  }
  // A getter that throws is the call's rejection, not a synchronous throw.
  const ik = new ImageKit({ ...KEYS, apiEndpoint: 'http://127.0.0.1:9' })
  Object.defineProperty(ik.options, 'timeout', { get() { throw new Error('getter') }, enumerable: true })
  await assert.rejects(ik.getFileDetails('f1'), { message: 'getter' })
})

test('timeout bounds the whole call: ETIMEDOUT within the timeout plus a second', async (t) => {
  const silent = await silentServer()
  t.after(() => silent.close())
  const ik = client(silent.origin, { timeout: 400 })
  const outcome = await timed(ik.getFileDetails('f1'))
  assert.equal(outcome.ok, false)
  assert.ok(outcome.error instanceof Error)
  assert.equal(outcome.error.code, 'ETIMEDOUT')
  assert.match(outcome.error.message, /^timeout of 400ms exceeded \(GET http:\/\/127\.0\.0\.1:\d+\/v1\/files\/f1\/details\)$/)
  assert.ok(outcome.ms >= 400 && outcome.ms < 1400, `${outcome.ms} ms`)

  // The callback, once.
  const calls = []
  await new Promise((resolve) => {
    ik.listFiles({}, (...args) => {
      calls.push(args)
      setTimeout(resolve, 300)
    })
  })
  assert.equal(calls.length, 1)
  assert.equal(calls[0][0].code, 'ETIMEDOUT')
  assert.equal(calls[0][1], null)
})

test('a timed-out stream upload stops reading its source', async (t) => {
  const silent = await silentServer()
  t.after(() => silent.close())
  let produced = 0
  const source = new Readable({
    read() {
      produced += 1
      setTimeout(() => this.push(Buffer.alloc(64 * 1024, 1)), 5)
    },
  })
  const outcome = await timed(client(silent.origin, { timeout: 500 }).upload({ file: source, fileName: 'a.bin' }))
  assert.equal(outcome.error.code, 'ETIMEDOUT')
  assert.ok(outcome.ms < 1500, `${outcome.ms} ms`)
  await new Promise((resolve) => setTimeout(resolve, 200))
  assert.ok(source.destroyed, 'the source is destroyed')
  const after = produced
  await new Promise((resolve) => setTimeout(resolve, 200))
  assert.equal(produced, after, 'nothing more is read')
})

test('idleTimeout ends a call on which no byte moves', async (t) => {
  const silent = await silentServer()
  t.after(() => silent.close())
  const outcome = await timed(client(silent.origin, { idleTimeout: 300 }).getFileDetails('f1'))
  assert.equal(outcome.error.code, 'ETIMEDOUT')
  assert.match(outcome.error.message, /^idle timeout of 300ms exceeded: no byte moved either way \(GET /)
  assert.ok(outcome.ms >= 300 && outcome.ms < 1300, `${outcome.ms} ms`)
})

test('maxResponseBytes refuses a larger answer with ERR_RESPONSE_TOO_LARGE', async (t) => {
  const server = await startCapture(() => ({ body: JSON.stringify({ data: 'x'.repeat(5000) }) }))
  t.after(() => server.close())
  const refused = await settle(client(server.origin, { maxResponseBytes: 4096 }).getFileDetails('f1'))
  assert.equal(refused.error.code, 'ERR_RESPONSE_TOO_LARGE')
  assert.match(refused.error.message, /maxResponseBytes \(4096 bytes\)/)
  const accepted = await client(server.origin).getFileDetails('f1')
  assert.equal(accepted.data.length, 5000)
})

/** Numbers the requests a capture server sees, for scripts that depend on the order. */
async function scripted(script) {
  let index = 0
  return startCapture(() => script(index++))
}

test('maxRetries retries a 5xx for a read until it succeeds, and never for an upload', async (t) => {
  const unavailable = { status: 503, headers: { 'retry-after-ms': '10' }, body: '{"message":"busy"}' }
  const reads = await scripted((n) => (n < 2 ? unavailable : undefined))
  t.after(() => reads.close())
  const result = await client(reads.origin, { maxRetries: 2 }).getFileDetails('f1')
  assert.deepEqual(result, { ok: true })
  assert.equal(result.$ResponseMetadata.statusCode, 200)
  assert.equal(reads.requests.length, 3)

  const uploads = await scripted(() => ({ status: 500, body: '{"message":"oops"}' }))
  t.after(() => uploads.close())
  const upload = await settle(client(uploads.origin, { maxRetries: 3 }).upload({ file: 'aGVsbG8=', fileName: 'a.txt' }))
  assert.deepEqual(upload.error, { message: 'oops' })
  assert.equal(uploads.requests.length, 1, 'an upload is never sent twice after it went out')

  for (const [method, args] of [
    ['deleteFile', ['f1']],
    ['copyFile', [{ sourceFilePath: '/a.jpg', destinationPath: '/b' }]],
    ['purgeCache', ['https://ik.imagekit.io/demo/a.jpg']],
    ['createFolder', [{ folderName: 'x', parentFolderPath: '/' }]],
  ]) {
    const server = await scripted(() => ({ status: 502, body: '{}' }))
    await settle(client(server.origin, { maxRetries: 3 })[method](...args))
    assert.equal(server.requests.length, 1, method)
    await server.close()
  }
  for (const [method, args] of [
    ['updateFileDetails', ['f1', { tags: ['a'] }]],
    ['bulkAddTags', [['f1'], ['a']]],
    ['updateCustomMetadataField', ['c1', { label: 'L' }]],
  ]) {
    const server = await scripted((n) => (n === 0 ? { status: 502, body: '{}' } : undefined))
    const outcome = await client(server.origin, { maxRetries: 1 })[method](...args)
    assert.deepEqual(outcome, { ok: true }, method)
    assert.equal(server.requests.length, 2, method)
    assert.deepEqual(server.requests[0].body, server.requests[1].body, `${method} is resent byte for byte`)
    await server.close()
  }
})

test('a 429 is retried for every method, and a Buffer upload is resent byte for byte', async (t) => {
  const limited = { status: 429, headers: { 'x-ratelimit-reset': '50', 'x-ratelimit-limit': '10', 'x-ratelimit-interval': '1000' }, body: '{"message":"slow down"}' }
  const server = await scripted((n) => (n === 0 ? limited : undefined))
  t.after(() => server.close())
  const file = Buffer.from('the bytes of the file')
  const result = await client(server.origin, { maxRetries: 1 }).upload({ file, fileName: 'a.bin' })
  assert.deepEqual(result, { ok: true })
  assert.equal(server.requests.length, 2)
  assert.deepEqual(server.requests[1].body, server.requests[0].body)
})

test('after the last try, the error is exactly what v6 gives for that answer', async (t) => {
  const limited = {
    status: 429,
    headers: { 'x-ratelimit-reset': '20', 'x-ratelimit-limit': '10', 'x-ratelimit-interval': '1000' },
    body: '{"message":"Too many requests"}',
  }
  const server = await scripted(() => limited)
  t.after(() => server.close())
  // v6 sends its media calls to api.imagekit.io whatever its options; uploads go where
  // uploadEndpoint says.
  const upload = { file: 'aGVsbG8=', fileName: 'a.txt' }
  const ours = await settle(client(server.origin, { maxRetries: 2 }).upload({ ...upload }))
  assert.equal(server.requests.length, 3)
  const v6 = await settle(client(server.origin, {}, ImageKitV6).upload({ ...upload }))
  assert.equal(ours.ok, false)
  assert.deepEqual(ours.error, v6.error)
  const metadata = (e) => {
    const { statusCode, headers } = e.$ResponseMetadata
    const { date, ...rest } = headers
    return { statusCode, headers: rest }
  }
  assert.deepEqual(metadata(ours.error), metadata(v6.error))
  assert.equal(ours.error['X-RateLimit-Reset'], 20)

  // A transport failure after the last try: v6's code.
  const refused = await settle(client('http://127.0.0.1:9', { maxRetries: 1 }).getFileDetails('f1'))
  assert.equal(describe(refused.error).code, 'ECONNREFUSED')
})

test('a stream upload is tried once, whatever the answer', async (t) => {
  const server = await scripted(() => ({ status: 429, headers: { 'retry-after-ms': '10' }, body: '{}' }))
  t.after(() => server.close())
  const outcome = await settle(
    client(server.origin, { maxRetries: 3 }).upload({ file: Readable.from([Buffer.from('abc')]), fileName: 'a.txt' }),
  )
  assert.equal(outcome.ok, false)
  assert.equal(server.requests.length, 1)
})
