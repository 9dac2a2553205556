'use strict'
// `imagekit.withOptions({ timeout, maxRetries, idleTimeout, maxResponseBytes, signal })`: an
// ImageKit sharing the original's configuration and connection pool, with those limits on
// its calls, and calls its AbortSignal cancels at any stage.

const test = require('node:test')
const assert = require('node:assert/strict')
const net = require('node:net')
const http = require('node:http')
const { getEventListeners } = require('node:events')
const { Readable } = require('node:stream')
const ImageKit = require('../imagekit.js')
const ImageKitV6 = require('imagekit-reference')
const { startCapture } = require('./helpers/capture')
const { settle } = require('./helpers/calls')
const { startServer } = require('./helpers/server')

const KEYS = { publicKey: 'public_key', privateKey: 'private_key', urlEndpoint: 'https://ik.imagekit.io/demo' }
const client = (origin, options = {}) =>
  new ImageKit({ ...KEYS, apiEndpoint: origin, uploadEndpoint: `${origin}/api/v1/files/upload`, ...options })

/** A TCP server that reads what it gets and never answers; counts connections. */
async function silentServer() {
  const sockets = new Set()
  let connections = 0
  let received = 0
  const server = net.createServer((socket) => {
    connections++
    sockets.add(socket)
    socket.on('data', (d) => (received += d.length))
    socket.on('error', () => {})
    socket.on('close', () => sockets.delete(socket))
  })
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    port: server.address().port,
    origin: `http://127.0.0.1:${server.address().port}`,
    connections: () => connections,
    received: () => received,
    close() {
      for (const socket of sockets) socket.destroy()
      return new Promise((resolve) => server.close(resolve))
    },
  }
}

const abortError = (reason) => (e) => {
  assert.ok(e instanceof Error, 'an Error')
  assert.equal(e.name, 'AbortError')
  assert.equal(e.code, 'ABORT_ERR')
  assert.equal(e.cause, reason)
  return true
}

/** Resolves with the time `promise` takes to settle, and how it settled. */
async function timed(promise) {
  const started = Date.now()
  const outcome = await settle(promise)
  return { ...outcome, ms: Date.now() - started }
}

test('withOptions shares the configuration and leaves the original untouched', async (t) => {
  const server = await startCapture()
  t.after(() => server.close())
  const original = client(server.origin)
  const before = JSON.stringify(original.options)
  const controller = new AbortController()
  const derived = original.withOptions({ timeout: 5000, maxRetries: 2, signal: controller.signal })
  assert.ok(derived instanceof ImageKit)
  assert.notEqual(derived, original)
  assert.equal(JSON.stringify(original.options), before)
  assert.deepEqual(derived.options, { ...original.options, timeout: 5000, maxRetries: 2 })
  assert.notEqual(derived.options, original.options)
  assert.deepEqual(Object.keys(derived), Object.keys(new ImageKitV6(KEYS)), 'own properties as v6 has them')
  for (const options of [original.options, derived.options]) {
    assert.ok(!JSON.stringify(options).includes('signal'))
    assert.ok(!Object.values(options).includes(controller.signal))
  }
  assert.equal(derived.url({ path: '/a.jpg' }), original.url({ path: '/a.jpg' }))
  assert.equal(typeof derived.verifyWebhookEvent, 'function')
  assert.deepEqual(await derived.getFileDetails('f1'), { ok: true })
  assert.equal(server.requests.at(-1).headers.authorization, `Basic ${Buffer.from('private_key:').toString('base64')}`)
  // A derived instance keeps its signal when derived again, unless given another.
  const again = derived.withOptions({ timeout: 100 })
  assert.equal(again.options.timeout, 100)
  controller.abort('stop')
  await assert.rejects(again.getFileDetails('f1'), abortError('stop'))
  assert.deepEqual(await original.getFileDetails('f1'), { ok: true }, 'the original has no signal')
})

test('withOptions shares the connection pool', async (t) => {
  let connections = 0
  const server = http.createServer((req, res) => res.end('{}'))
  server.on('connection', () => connections++)
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.after(() => {
    server.closeAllConnections()
    server.close()
  })
  const original = client(`http://127.0.0.1:${server.address().port}`)
  await original.getFileDetails('f1')
  await original.withOptions({ timeout: 1000 }).getFileDetails('f1')
  await original.withOptions({ maxRetries: 1 }).withOptions({}).getFileDetails('f1')
  assert.equal(connections, 1, 'one kept-alive connection served all three')
})

test('withOptions refuses what it does not take, with TypeErrors', () => {
  const ik = new ImageKit(KEYS)
  for (const [given, pattern] of [
    ['x', /"options" argument of withOptions must be an object/],
    [undefined, /must be an object/],
    [{ privateKey: 'k' }, /not "privateKey"/],
    [{ connectTimeout: 5 }, /not "connectTimeout"/],
    [{ timeout: -5 }, /"timeout" option/],
    [{ maxRetries: 'two' }, /"maxRetries" option/],
    [{ signal: {} }, /"signal" option must be an AbortSignal/],
    [{ signal: null }, /"signal" option must be an AbortSignal/],
  ]) {
    assert.throws(() => ik.withOptions(given), (e) => e instanceof TypeError && pattern.test(e.message), String(pattern))
  }
})

test('the per-call limits apply to the derived instance only', async (t) => {
  const silent = await silentServer()
  t.after(() => silent.close())
  const original = client(silent.origin)
  const outcome = await timed(original.withOptions({ timeout: 300 }).getFileDetails('f1'))
  assert.equal(outcome.error.code, 'ETIMEDOUT')
  assert.ok(outcome.ms < 1300, `${outcome.ms} ms`)
  // The original still has no timeout: its call is pending when the derived one has ended.
  const pending = original.withOptions({ idleTimeout: 1500 }).getFileDetails('f1')
  const quick = await timed(original.withOptions({ timeout: 200 }).getFileDetails('f1'))
  assert.equal(quick.error.code, 'ETIMEDOUT')
  const slow = await timed(pending)
  assert.match(slow.error.message, /^idle timeout of 1500ms exceeded/)
})

test('an aborted signal: nothing is sent, the call rejects or calls back once with AbortError', async (t) => {
  const server = await startCapture()
  t.after(() => server.close())
  const reason = new Error('the user left')
  const derived = client(server.origin).withOptions({ signal: AbortSignal.abort(reason) })
  await assert.rejects(derived.getFileDetails('f1'), abortError(reason))
  const source = Readable.from(['never', 'read'])
  await assert.rejects(derived.upload({ file: source, fileName: 'a.txt' }), abortError(reason))
  assert.equal(source.readableDidRead, false, 'the stream was not read')
  const calls = []
  let sync = true
  derived.listFiles({}, (...args) => calls.push({ args, sync }))
  sync = false
  await new Promise((resolve) => setTimeout(resolve, 50))
  assert.equal(calls.length, 1)
  assert.equal(calls[0].sync, false, 'asynchronously')
  abortError(reason)(calls[0].args[0])
  assert.equal(calls[0].args[1], null)
  assert.equal(server.requests.length, 0)
  // v6's own argument errors still come first.
  assert.deepEqual((await settle(derived.getFileDetails(''))).error.message, 'Missing fileId parameter for this request')
})

test('aborting while connecting ends the call', async (t) => {
  // The TLS handshake never completes: the server takes the connection and says nothing.
  const silent = await silentServer()
  t.after(() => silent.close())
  const controller = new AbortController()
  const derived = client(`https://127.0.0.1:${silent.port}`).withOptions({ signal: controller.signal })
  setTimeout(() => controller.abort('stop'), 300)
  const outcome = await timed(derived.getFileDetails('f1'))
  assert.ok(abortError('stop')(outcome.error))
  assert.ok(outcome.ms >= 300 && outcome.ms < 1300, `${outcome.ms} ms`)
  assert.equal(silent.connections(), 1)
})

test('aborting while an upload streams stops reading its source', async (t) => {
  const silent = await silentServer()
  t.after(() => silent.close())
  let produced = 0
  const source = new Readable({
    read() {
      produced++
      setTimeout(() => this.push(Buffer.alloc(16 * 1024, 7)), 2)
    },
  })
  const controller = new AbortController()
  const upload = client(silent.origin).withOptions({ signal: controller.signal }).upload({ file: source, fileName: 'a.bin' })
  await new Promise((resolve) => setTimeout(resolve, 300))
  assert.ok(silent.received() > 0, 'the upload was streaming')
  controller.abort()
  const outcome = await timed(upload)
  assert.ok(abortError(controller.signal.reason)(outcome.error))
  assert.equal(outcome.error.cause.name, 'AbortError', 'the default reason, a DOMException')
  assert.ok(outcome.ms < 1000, `${outcome.ms} ms`)
  await new Promise((resolve) => setTimeout(resolve, 100))
  assert.ok(source.destroyed)
  const after = produced
  await new Promise((resolve) => setTimeout(resolve, 200))
  assert.equal(produced, after, 'nothing more is read')
})

test('aborting while waiting to retry ends the call at once', async (t) => {
  const server = await startCapture(() => ({ status: 429, headers: { 'retry-after-ms': '20000' }, body: '{}' }))
  t.after(() => server.close())
  const controller = new AbortController()
  const derived = client(server.origin, { maxRetries: 3 }).withOptions({ signal: controller.signal })
  setTimeout(() => controller.abort('enough'), 300)
  const outcome = await timed(derived.getFileDetails('f1'))
  assert.ok(abortError('enough')(outcome.error))
  assert.ok(outcome.ms < 1300, `${outcome.ms} ms`)
  assert.equal(server.requests.length, 1)
})

test('a settled call stops listening to its signal', async (t) => {
  const server = await startCapture()
  t.after(() => server.close())
  const controller = new AbortController()
  const derived = client(server.origin).withOptions({ signal: controller.signal })
  await Promise.all([derived.getFileDetails('f1'), derived.listFiles({}), derived.getFileVersions('f1')])
  await new Promise((resolve) => derived.getFileDetails('f1', resolve))
  assert.equal(getEventListeners(controller.signal, 'abort').length, 0)
  const pending = derived.getFileDetails('f1')
  assert.equal(getEventListeners(controller.signal, 'abort').length, 1)
  await pending
  assert.equal(getEventListeners(controller.signal, 'abort').length, 0)
  // Aborting afterwards changes nothing that has settled.
  controller.abort()
})

test('an abort after the answer arrived but before the call settled still rejects with AbortError', async (t) => {
  // The local server is another process, so it answers while this thread is blocked.
  const server = await startServer()
  t.after(() => server.stop())
  const ik = new ImageKit(server.options)
  await ik.listFiles({}) // the connection is made, so the next answer comes within milliseconds
  for (let i = 0; i < 5; i++) {
    const controller = new AbortController()
    const call = settle(ik.withOptions({ signal: controller.signal }).listFiles({}))
    // Block this thread well past the answer: it is waiting to be delivered when abort() runs.
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 300)
    controller.abort('late')
    assert.ok(abortError('late')((await call).error))
  }
})
