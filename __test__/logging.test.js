'use strict'
// `logLevel` and `logger`: nothing by default; `debug` records every try (method, path,
// status, duration, try number), `info` retries and their waits, `warn` calls that ended
// with an error status, `error` calls that ended without an answer. No line of a full run
// holds the private key, the Authorization header or a signature.

const test = require('node:test')
const assert = require('node:assert/strict')
const ImageKit = require('../imagekit.js')
const { startCapture } = require('./helpers/capture')
const { settle } = require('./helpers/calls')

const PRIVATE_KEY = 'private_key_d0n0tl0g'
const KEYS = { publicKey: 'public_key', privateKey: PRIVATE_KEY, urlEndpoint: 'https://ik.imagekit.io/demo' }

/** A logger keeping every call as `{ level, message, fields }`. */
function collector(levels = ['error', 'warn', 'info', 'debug']) {
  const lines = []
  const logger = {}
  for (const level of levels) logger[level] = (message, fields) => lines.push({ level, message, fields })
  return { logger, lines }
}

/** Answers 503 to the first request for `/v1/files/retry/details`, 404 for `missing`. */
async function scriptedServer() {
  let retried = false
  return startCapture((request) => {
    if (request.url.includes('/retry/') && !retried) {
      retried = true
      return { status: 503, headers: { 'retry-after-ms': '30' }, body: '{"message":"busy"}' }
    }
    if (request.url.includes('missing')) return { status: 404, body: '{"message":"No such file"}' }
    return undefined
  })
}

const client = (origin, options) =>
  new ImageKit({ ...KEYS, apiEndpoint: origin, uploadEndpoint: `${origin}/api/v1/files/upload`, ...options })

test('nothing is logged by default', async (t) => {
  const server = await scriptedServer()
  t.after(() => server.close())
  const { logger, lines } = collector()
  const ik = client(server.origin, { logger, maxRetries: 1 })
  await ik.getFileDetails('retry')
  await settle(ik.getFileDetails('missing'))
  assert.deepEqual(lines, [])
  assert.equal(JSON.stringify(new ImageKit(KEYS).options).includes('log'), false)
})

test('debug records each try, info the retries, warn error statuses, error calls without an answer', async (t) => {
  const server = await scriptedServer()
  t.after(() => server.close())
  const { logger, lines } = collector()
  const ik = client(server.origin, { logger, logLevel: 'debug', maxRetries: 1 })
  await ik.getFileDetails('retry')
  await settle(ik.getFileDetails('missing'))
  await settle(client('http://127.0.0.1:9', { logger, logLevel: 'debug' }).listFiles({}))

  const tries = lines.filter((l) => l.level === 'debug')
  assert.equal(tries.length, 4)
  assert.deepEqual(
    tries.map((l) => ({ ...l.fields, durationMs: typeof l.fields.durationMs })),
    [
      { method: 'GET', path: '/v1/files/retry/details', status: 503, durationMs: 'number', try: 1 },
      { method: 'GET', path: '/v1/files/retry/details', status: 200, durationMs: 'number', try: 2 },
      { method: 'GET', path: '/v1/files/missing/details', status: 404, durationMs: 'number', try: 1 },
      { method: 'GET', path: '/v1/files/', code: 'ECONNREFUSED', durationMs: 'number', try: 1 },
    ],
  )
  assert.match(tries[0].message, /^imagekit: GET \/v1\/files\/retry\/details 503 in \d+\.\d ms \(try 1\)$/)
  const retries = lines.filter((l) => l.level === 'info')
  assert.equal(retries.length, 1)
  assert.equal(retries[0].fields.waitMs, 30)
  assert.match(retries[0].message, /answered 503; try 2 in 30\.0 ms$/)
  const warnings = lines.filter((l) => l.level === 'warn')
  assert.equal(warnings.length, 1)
  assert.equal(warnings[0].fields.status, 404)
  const errors = lines.filter((l) => l.level === 'error')
  assert.equal(errors.length, 1)
  assert.equal(errors[0].fields.code, 'ECONNREFUSED')
  assert.match(errors[0].message, /^imagekit: GET \/v1\/files\/ failed with ECONNREFUSED after 1 try\(s\)/)
})

test('a level records itself and the levels above it only', async () => {
  for (const [logLevel, expected] of [
    ['error', ['error']],
    ['warn', ['warn', 'error']],
    ['info', ['info', 'warn', 'error']],
  ]) {
    const server = await scriptedServer()
    const { logger, lines } = collector()
    const ik = client(server.origin, { logger, logLevel, maxRetries: 1 })
    await ik.getFileDetails(`retry`)
    await settle(ik.getFileDetails('missing'))
    await settle(client('http://127.0.0.1:9', { logger, logLevel }).listFiles({}))
    await server.close()
    const seen = [...new Set(lines.map((l) => l.level))]
    assert.deepEqual(seen.sort(), expected.sort(), logLevel)
  }
})

test('no line of a full run holds the private key, the Authorization header or a signature', async (t) => {
  const server = await scriptedServer()
  t.after(() => server.close())
  const { logger, lines } = collector()
  const ik = client(server.origin, { logger, logLevel: 'debug', maxRetries: 2 })
  const auth = ik.getAuthenticationParameters('token-d0n0tl0g', 1900000000)
  const signedUrl = ik.url({ path: '/secret.jpg', signed: true, expireSeconds: 300 })
  const signature = new URL(signedUrl).searchParams.get('ik-s')
  assert.ok(signature)
  const calls = [
    ik.getFileDetails('retry'),
    ik.getFileDetails(signedUrl),
    ik.getFileMetadata(signedUrl),
    ik.purgeCache(signedUrl),
    ik.listFiles({ searchQuery: `name = "${signature}"` }),
    ik.upload({ file: 'aGVsbG8=', fileName: 'a.txt', signature: auth.signature, token: auth.token, expire: auth.expire }),
    ik.upload({ file: Buffer.from(PRIVATE_KEY), fileName: `${signature}.txt` }),
    ik.updateFileDetails('missing', { tags: [signature] }),
    ik.bulkAddTags(['f1'], [PRIVATE_KEY]),
    client('http://127.0.0.1:9', { logger, logLevel: 'debug' }).getFileDetails(signedUrl),
  ]
  await Promise.all(calls.map(settle))
  assert.ok(lines.length >= calls.length, `${lines.length} lines`)
  const secrets = [
    PRIVATE_KEY,
    Buffer.from(`${PRIVATE_KEY}:`).toString('base64'),
    'Basic ',
    'authorization',
    signature,
    auth.signature,
    auth.token,
    'ik-s',
  ]
  for (const line of lines) {
    const text = `${line.message} ${JSON.stringify(line.fields)}`.toLowerCase()
    for (const secret of secrets) assert.ok(!text.includes(secret.toLowerCase()), `${secret} in ${text}`)
  }
  assert.ok(lines.some((l) => l.fields.path === '/v1/files/[redacted]/details'), 'a signed URL used as an id is redacted')
})

test('bad logLevel and logger values are TypeErrors at construction', () => {
  assert.throws(() => new ImageKit({ ...KEYS, logLevel: 'verbose' }), (e) => e instanceof TypeError && /"logLevel"/.test(e.message))
  assert.throws(() => new ImageKit({ ...KEYS, logLevel: 2 }), TypeError)
  const { logger } = collector(['error', 'warn'])
  assert.throws(() => new ImageKit({ ...KEYS, logLevel: 'debug', logger }), (e) => e instanceof TypeError && /"logger"/.test(e.message))
  assert.ok(new ImageKit({ ...KEYS, logLevel: 'warn', logger }), 'methods up to the level are enough')
  assert.throws(() => new ImageKit({ ...KEYS, logLevel: 'error', logger: 'console' }), TypeError)
})

test('console is the default logger, and a logger that throws never fails the call', async (t) => {
  const server = await scriptedServer()
  t.after(() => server.close())
  const original = console.debug
  const seen = []
  console.debug = (message, fields) => seen.push({ message, fields })
  try {
    await client(server.origin, { logLevel: 'debug' }).getFileDetails('f1')
  } finally {
    console.debug = original
  }
  assert.equal(seen.length, 1)
  assert.equal(seen[0].fields.status, 200)

  const warnings = []
  const onWarning = (warning) => warnings.push(warning)
  process.on('warning', onWarning)
  t.after(() => process.off('warning', onWarning))
  const throwing = { error() {}, warn() {}, info() {}, debug() { throw new Error('logger broke') } }
  const result = await client(server.origin, { logLevel: 'debug', logger: throwing }).getFileDetails('f1')
  assert.deepEqual(result, { ok: true })
  await new Promise((resolve) => setTimeout(resolve, 50))
  assert.ok(warnings.some((w) => w.name === 'ImageKitLoggerWarning' && /logger broke/.test(w.message)))
})
