'use strict'
// The loggers people use, the real packages: pino and bunyan take `(fields, message)`,
// winston and console `(message, fields)`; each record must arrive with its message and
// every field (`method`, `path`, `status`, `durationMs`, `try`, and on a retry `waitMs`) as
// that logger's own fields. And a call whose retry would outlast its `timeout` says so.

const test = require('node:test')
const assert = require('node:assert/strict')
const { Console } = require('node:console')
const { Writable } = require('node:stream')
const pino = require('pino')
const bunyan = require('bunyan')
const winston = require('winston')
const ImageKit = require('../imagekit.js')
const { startCapture } = require('./helpers/capture')
const { settle } = require('./helpers/calls')

const KEYS = { publicKey: 'public_key', privateKey: 'private_key', urlEndpoint: 'https://ik.imagekit.io/demo' }

/** Answers 503 (retry after 20 ms) to the first request for `retry`, 404 for `missing`. */
async function scriptedServer() {
  let retried = false
  return startCapture((request) => {
    if (request.url.includes('/retry/') && !retried) {
      retried = true
      return { status: 503, headers: { 'retry-after-ms': '20' }, body: '{"message":"busy"}' }
    }
    if (request.url.includes('/slow/')) return { status: 503, headers: { 'retry-after-ms': '2000' }, body: '{"message":"busy"}' }
    if (request.url.includes('missing')) return { status: 404, body: '{"message":"No such file"}' }
    return undefined
  })
}

const client = (origin, options) =>
  new ImageKit({ ...KEYS, apiEndpoint: origin, uploadEndpoint: `${origin}/api/v1/files/upload`, ...options })

/** A stream keeping each line it is given (each object, in object mode: bunyan's raw streams). */
function sink(objectMode = false) {
  const written = []
  const stream = new Writable({
    objectMode,
    write(chunk, _encoding, done) {
      written.push(typeof chunk === 'object' && !Buffer.isBuffer(chunk) ? chunk : String(chunk))
      done()
    },
  })
  return { stream, written }
}

/** One call retried once, one answered 404: a debug, an info, a debug, a debug and a warn record. */
async function run(t, logger) {
  const server = await scriptedServer()
  t.after(() => server.close())
  const ik = client(server.origin, { logger, logLevel: 'debug', maxRetries: 1 })
  await ik.getFileDetails('retry')
  await settle(ik.getFileDetails('missing'))
}

/** The records as `{ level, message, fields }`, whatever the logger wrote them as. */
function expectRecords(records) {
  const shape = records.map(({ level, message, fields }) => ({
    level,
    message: message.replace(/\d+\.\d ms/g, 'N ms'),
    fields: { ...fields, ...(fields.durationMs === undefined ? {} : { durationMs: typeof fields.durationMs }) },
  }))
  assert.deepEqual(shape, [
    {
      level: 'debug',
      message: 'imagekit: GET /v1/files/retry/details 503 in N ms (try 1)',
      fields: { method: 'GET', path: '/v1/files/retry/details', status: 503, durationMs: 'number', try: 1 },
    },
    {
      level: 'info',
      message: 'imagekit: GET /v1/files/retry/details answered 503; try 2 in N ms',
      fields: { method: 'GET', path: '/v1/files/retry/details', status: 503, try: 1, waitMs: 20 },
    },
    {
      level: 'debug',
      message: 'imagekit: GET /v1/files/retry/details 200 in N ms (try 2)',
      fields: { method: 'GET', path: '/v1/files/retry/details', status: 200, durationMs: 'number', try: 2 },
    },
    {
      level: 'debug',
      message: 'imagekit: GET /v1/files/missing/details 404 in N ms (try 1)',
      fields: { method: 'GET', path: '/v1/files/missing/details', status: 404, durationMs: 'number', try: 1 },
    },
    {
      level: 'warn',
      message: 'imagekit: GET /v1/files/missing/details answered 404 after 1 try(s) in N ms',
      fields: { method: 'GET', path: '/v1/files/missing/details', status: 404, durationMs: 'number', try: 1 },
    },
  ])
}

/** `record` less the keys its logger adds itself, as `{ level, message, fields }`. */
function split(record, level, message, own) {
  const fields = { ...record }
  for (const key of [...own, level, message]) delete fields[key]
  return { level: record[level], message: record[message], fields }
}

test('pino: the fields are the record’s own, the message is msg (and for a child logger)', async (t) => {
  for (const child of [false, true]) {
    const { stream, written } = sink()
    const root = pino({ level: 'debug' }, stream)
    await run(t, child ? root.child({ request: 'r1' }) : root)
    const names = { 20: 'debug', 30: 'info', 40: 'warn' }
    expectRecords(
      written.map((line) => {
        const record = JSON.parse(line)
        if (child) assert.equal(record.request, 'r1')
        return split({ ...record, level: names[record.level] }, 'level', 'msg', ['time', 'pid', 'hostname', 'request'])
      }),
    )
  }
})

test('bunyan: the fields are the record’s own, the message is msg', async (t) => {
  const { stream, written } = sink(true)
  const log = bunyan.createLogger({ name: 'app', level: 'debug', streams: [{ type: 'raw', stream }] })
  await run(t, log)
  expectRecords(
    written.map((record) =>
      split({ ...record, level: bunyan.nameFromLevel[record.level] }, 'level', 'msg', ['name', 'hostname', 'pid', 'time', 'v']),
    ),
  )
})

test('winston: the fields are the record’s own, the message is message', async (t) => {
  const { stream, written } = sink()
  const logger = winston.createLogger({
    level: 'debug',
    format: winston.format.json(),
    transports: [new winston.transports.Stream({ stream })],
  })
  await run(t, logger)
  expectRecords(written.map((line) => split(JSON.parse(line), 'level', 'message', [])))
})

test('console: the message, then the fields as an object', async (t) => {
  const lines = []
  const out = new Writable({
    write(chunk, _encoding, done) {
      lines.push(...String(chunk).trimEnd().split('\n'))
      done()
    },
  })
  const logger = new Console({ stdout: out, stderr: out, inspectOptions: { breakLength: Infinity } })
  await run(t, logger)
  assert.equal(lines.length, 5, lines.join('\n'))
  assert.match(lines[0], /^imagekit: GET \/v1\/files\/retry\/details 503 in \d+\.\d ms \(try 1\) \{ method: 'GET', path: '\/v1\/files\/retry\/details', status: 503, durationMs: [\d.]+, try: 1 \}$/)
  assert.match(lines[1], /answered 503; try 2 in \d+\.\d ms \{ method: 'GET', path: '\/v1\/files\/retry\/details', status: 503, try: 1, waitMs: 20 \}$/)
})

test('a retry that would begin after the timeout is not made, and the record says so', async (t) => {
  const server = await scriptedServer()
  t.after(() => server.close())
  const records = []
  const logger = {}
  for (const level of ['error', 'warn', 'info', 'debug']) logger[level] = (message, fields) => records.push({ level, message, fields })
  const ik = client(server.origin, { logger, logLevel: 'info', maxRetries: 3, timeout: 1000 })
  const { error } = await settle(ik.getFileDetails('slow'))
  assert.equal(error.$ResponseMetadata.statusCode, 503)
  assert.equal(records.length, 1, JSON.stringify(records))
  const [record] = records
  assert.equal(record.level, 'warn')
  assert.match(
    record.message,
    /^imagekit: GET \/v1\/files\/slow\/details answered 503 after 1 try\(s\) in \d+\.\d ms; not retried: the next try, in 2000\.0 ms, would begin after the call's 1000 ms timeout$/,
  )
  assert.equal(record.fields.retryStopped, 'timeout')
  assert.equal(record.fields.waitMs, 2000)
})
