'use strict'
// Chaos against the local server's fault injection: each fault (a hang, a reset before and
// after the request ran, a truncated answer, a 5xx burst, a 429 naming its wait in each of
// ImageKit's three headers, a slow reader) crossed with each kind of method (a read, an
// update that sets a state, an upload, a delete, a create), with retries off and on. Every
// call settles once, in bounded time, with the right outcome; with retries on, the calls a
// repeat cannot harm succeed once the fault clears; no upload is stored twice, and every
// stored upload is byte-exact. Then a soak: 20,000 calls at 64 in flight under random faults.

const test = require('node:test')
const assert = require('node:assert/strict')
const crypto = require('node:crypto')
const ImageKit = require('../imagekit.js')
const { useServer } = require('./helpers/server')
const { settle } = require('./helpers/calls')

// A full collection before each RSS reading, without a flag on the command line.
require('node:v8').setFlagsFromString('--expose-gc')
const gc = require('node:vm').runInNewContext('gc')

const server = useServer({ args: ['--job-delay-ms', '0'] })

const FILE_PATH = '/v1/files/*/details'
const FAULTS = {
  hang: { delayMs: 60000, times: 1 },
  'reset before the request ran': { dropConnection: true, times: 1 },
  'reset after the request ran': { dropConnection: true, afterHandler: true, times: 1 },
  'truncated answer': { truncateBody: true, times: 1 },
  '5xx burst': { status: 503, times: 2, headers: { 'retry-after-ms': '20' } },
  '429 retry-after-ms': { status: 429, times: 1, headers: { 'retry-after-ms': '20' } },
  '429 Retry-After': { status: 429, times: 1, headers: { 'retry-after': '1' } },
  '429 X-RateLimit-Reset': { status: 429, times: 1, headers: { 'x-ratelimit-reset': '30' } },
  'slow reader': { readDelayMs: 3 },
}

// What each kind of method calls, where, and whether a repeat can harm it.
const KINDS = {
  read: { method: 'GET', path: FILE_PATH, idempotent: true, call: (ik, f) => ik.getFileDetails(f.fileId) },
  update: { method: 'PATCH', path: FILE_PATH, idempotent: true, call: (ik, f) => ik.updateFileDetails(f.fileId, { tags: ['chaos'] }) },
  upload: { method: 'POST', path: '/api/v1/files/upload', idempotent: false, call: (ik, f, upload) => ik.upload(upload) },
  delete: { method: 'DELETE', path: '/v1/files/*', idempotent: false, call: (ik, f) => ik.deleteFile(f.fileId) },
  create: { method: 'POST', path: '/v1/folder', idempotent: false, call: (ik, f, upload) => ik.createFolder({ folderName: upload.fileName.replace('.bin', ''), parentFolderPath: '/chaos-folders' }) },
}

/** What a call must give: success, or an error of this shape. */
function expected(fault, kind, retries) {
  const rateLimited = fault.startsWith('429')
  if (fault === 'slow reader') return { ok: true }
  // A delete's answer is a 204 without a body: there is nothing to cut.
  if (fault === 'truncated answer' && kind === 'delete') return { ok: true }
  if (retries && rateLimited) return { ok: true }
  if (retries && KINDS[kind].idempotent) return { ok: true }
  if (fault === 'hang') return { ok: false, code: 'ETIMEDOUT' }
  if (fault.startsWith('reset') || fault === 'truncated answer') return { ok: false, code: 'ECONNRESET' }
  if (fault === '5xx burst') return { ok: false, status: 503 }
  return { ok: false, status: 429 }
}

/** Whether the server did the work although the call failed. */
const actedDespiteFailure = (fault) => fault === 'reset after the request ran' || fault === 'truncated answer'

test('every fault crossed with every kind of method, retries off and on', async () => {
  const s = server()
  const uploads = []
  const base = new ImageKit({ ...s.options, timeout: 8000 })
  let n = 0
  for (const [fault, rule] of Object.entries(FAULTS)) {
    for (const [kind, spec] of Object.entries(KINDS)) {
      for (const retries of [0, 3]) {
        await s.clearFaults()
        const fixture = await base.upload({ file: Buffer.from(`fixture ${n}`), fileName: `fixture-${n}.txt`, folder: '/chaos-fixtures' })
        const bytes = crypto.randomBytes(2000 + (n % 7) * 10000)
        const upload = { file: bytes, fileName: `chaos-${n}.bin`, folder: '/chaos', useUniqueFileName: false }
        n++
        await s.setFaults([{ method: spec.method, path: spec.path, ...rule }])
        // A hang ends at the idle timeout; a retry of a read then finds the fault retired.
        const ik = base.withOptions({ maxRetries: retries, idleTimeout: fault === 'hang' ? 400 : 0 })
        const label = `${fault} × ${kind}, ${retries ? 'retries on' : 'retries off'}`
        const started = Date.now()
        let settled = 0
        const outcome = await settle(
          spec.call(ik, fixture, upload).finally(() => {
            settled++
          }),
        )
        const ms = Date.now() - started
        await new Promise((resolve) => setImmediate(resolve))
        assert.equal(settled, 1, label)
        assert.ok(ms < 6000, `${label}: ${ms} ms`)
        const want = expected(fault, kind, retries)
        assert.equal(outcome.ok, want.ok, `${label}: ${JSON.stringify(outcome.error && (outcome.error.code || outcome.error))}`)
        if (want.code) {
          assert.ok(outcome.error instanceof Error, label)
          assert.equal(outcome.error.code, want.code, `${label}: ${outcome.error.message}`)
        }
        if (want.status) {
          assert.equal(outcome.error.$ResponseMetadata.statusCode, want.status, label)
          if (want.status === 429) assert.ok('X-RateLimit-Reset' in outcome.error, label)
        }
        if (kind === 'upload') uploads.push({ name: upload.fileName, bytes, resolved: outcome.ok, acted: actedDespiteFailure(fault) })
      }
    }
  }
  await s.clearFaults()

  // No upload stored twice; every resolved upload there and byte-exact; a failed one
  // there only when the server had done the work before the fault.
  const listed = await base.listFiles({ path: '/chaos', limit: 1000 })
  for (const upload of uploads) {
    const stored = listed.filter((f) => f.name === upload.name)
    assert.ok(stored.length <= 1, `${upload.name} stored ${stored.length} times`)
    if (upload.resolved) assert.equal(stored.length, 1, `${upload.name} resolved but is not stored`)
    if (!upload.resolved && !upload.acted) assert.equal(stored.length, 0, `${upload.name} failed but is stored`)
    if (stored.length === 1) {
      const body = Buffer.from(await (await fetch(stored[0].url)).arrayBuffer())
      assert.ok(body.equals(upload.bytes), `${upload.name} is not byte-exact`)
    }
  }
  assert.equal(listed.length, uploads.filter((u) => u.resolved || u.acted).length)
})

test('a soak of 20,000 calls at 64 in flight under random faults', async () => {
  const s = server()
  await s.clearFaults()
  const unhandled = []
  const onUnhandled = (reason) => unhandled.push(reason)
  process.on('unhandledRejection', onUnhandled)
  const base = new ImageKit({ ...s.options, timeout: 10000, maxRetries: 2 })
  const target = await base.upload({ file: Buffer.from('soak'), fileName: 'soak.txt', folder: '/soak' })
  await s.setFaults([
    { path: '*', status: 503, chance: 0.02, headers: { 'retry-after-ms': '5' } },
    { path: '*', status: 429, chance: 0.02, headers: { 'retry-after-ms': '5' } },
    { path: '*', dropConnection: true, chance: 0.01 },
    { path: '*', truncateBody: true, chance: 0.01 },
    { path: '*', delayMs: 20, chance: 0.02 },
  ])
  const CALLS = Number(process.env.IK_SOAK_CALLS || 20000)
  const calls = [
    () => base.getFileDetails(target.fileId),
    () => base.listFiles({ path: '/soak', limit: 5 }),
    () => base.updateFileDetails(target.fileId, { tags: ['soak'] }),
    () => base.getFileVersions(target.fileId),
  ]
  let started = 0
  let done = 0
  let failed = 0
  const samples = []
  const outcomes = new Map()
  const one = async (i) => {
    let settledCount = 0
    const call = i % 50 === 0 ? () => base.upload({ file: crypto.randomBytes(64), fileName: `soak-${i}.bin`, folder: '/soak-uploads' }) : calls[i % calls.length]
    const outcome = await settle(call().finally(() => settledCount++))
    assert.equal(settledCount, 1)
    if (!outcome.ok) {
      failed++
      const key = outcome.error.code || (outcome.error.$ResponseMetadata && outcome.error.$ResponseMetadata.statusCode)
      outcomes.set(key, (outcomes.get(key) || 0) + 1)
    }
    done++
    // RSS after a full collection every 500 calls. One reading swings by tens of MiB
    // (V8 resizes its young generation, the allocator keeps arenas), so each end of
    // the comparison is the median of the readings over 2,000 calls.
    if (done % 500 === 0) {
      gc()
      samples.push({ done, rss: process.memoryUsage().rss })
    }
  }
  const begin = Date.now()
  await Promise.all(
    Array.from({ length: 64 }, async () => {
      while (started < CALLS) await one(started++)
    }),
  )
  const median = (values) => values.sort((x, y) => x - y)[Math.floor(values.length / 2)]
  const around = (from, to) => median(samples.filter((x) => x.done >= from && x.done <= to).map((x) => x.rss))
  await s.clearFaults()
  process.off('unhandledRejection', onUnhandled)
  const growth = (around(CALLS - 2000, CALLS) - around(2000, 4000)) / 1024 / 1024
  console.log(`soak: ${CALLS} calls in ${Date.now() - begin} ms, ${failed} failed after their retries ${JSON.stringify([...outcomes])}, RSS growth after the 2,000th call ${growth.toFixed(1)} MiB`)
  assert.equal(done, CALLS)
  assert.deepEqual(unhandled, [])
  assert.ok(growth <= 10, `RSS grew ${growth.toFixed(1)} MiB`)
  // With two retries, few calls fail: only where a fault hit every try, or an upload
  // met a fault after it went out.
  assert.ok(failed < CALLS * 0.01, `${failed} calls failed`)
})
