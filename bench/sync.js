'use strict'
// The synchronous methods, this package against imagekit@6.0.0 in one process: url() on
// realistic option sets, getAuthenticationParameters and verifyWebhookEvent.
//
//   node bench/sync.js [--quick]
//
// `runSyncBench()` is exported for bench/index.js. Each case is a row of CASES: add one by
// giving a name, a target ratio and a function that makes the call on a client.

const crypto = require('node:crypto')
const path = require('node:path')

const root = path.join(__dirname, '..')
const INIT = { publicKey: 'public_key_bench', privateKey: 'private_key_bench', urlEndpoint: 'https://ik.imagekit.io/bench_id' }
const WEBHOOK_SECRET = 'whsec_bench'
const WEBHOOK_BODY = JSON.stringify({
  type: 'video.transformation.ready',
  id: 'd2ea9e2c-44d1-4bbb-9f6a-2b3c9d1e0a77',
  created_at: '2024-01-01T00:00:00.000Z',
  request: { x_request_id: 'abc', url: 'https://ik.imagekit.io/bench_id/v.mp4?tr=f-webm', user_agent: 'bench' },
  data: { asset: { url: 'https://ik.imagekit.io/bench_id/v.mp4' }, transformation: { type: 'video-transformation', options: { format: 'webm', quality: 80 } } },
})
const WEBHOOK_T = 1700000000000
const WEBHOOK_HEADER = `t=${WEBHOOK_T},v1=${crypto.createHmac('sha256', WEBHOOK_SECRET).update(`${WEBHOOK_T}.${WEBHOOK_BODY}`).digest('hex')}`
const WEBHOOK_BUFFER = Buffer.from(WEBHOOK_BODY)

/**
 * A call its arguments refuse: what the callback receives, synchronously in both packages.
 * Measures argument handling alone (v6's JavaScript checks against the core's declared
 * checks read through N-API), with no request sent.
 */
const refused = (method, ...args) => (ik) => {
  let error
  ik[method](...args, (e) => {
    error = e
  })
  return error
}

const CASES = [
  { name: 'url: path, no transformation', target: 2, call: (ik) => ik.url({ path: '/default-image.jpg' }) },
  {
    name: 'url: chained transformation',
    target: 2,
    call: (ik) => ik.url({ path: '/products/shoe 1.jpg', transformation: [{ height: 300, width: 400, crop: 'at_max' }, { rotation: 90, effectGray: '-' }] }),
  },
  {
    name: 'url: query position + queryParameters',
    target: 2,
    call: (ik) => ik.url({ path: '/default-image.jpg', transformationPosition: 'query', transformation: [{ width: 400, format: 'webp' }], queryParameters: { v: '2', campaign: 'spring sale' } }),
  },
  {
    name: 'url: src',
    target: 2,
    call: (ik) => ik.url({ src: 'https://ik.imagekit.io/bench_id/folder/img.jpg?version=3', transformation: [{ width: 300, quality: 80 }] }),
  },
  {
    name: 'url: signed, expireSeconds',
    target: 2,
    call: (ik) => ik.url({ path: '/private/report.png', signed: true, expireSeconds: 300, transformation: [{ width: 800 }] }),
  },
  {
    name: 'url: raw overlays',
    target: 2,
    call: (ik) => ik.url({
      path: '/banner.jpg',
      transformation: [{ width: 1200, raw: 'l-text,i-Spring Sale,fs-64,co-FFFFFF,l-end' }, { raw: 'l-image,i-logo.png,w-200,lx-20,ly-20,l-end' }],
    }),
  },
  { name: 'getAuthenticationParameters()', target: 1, call: (ik) => ik.getAuthenticationParameters() },
  { name: 'getAuthenticationParameters(token, expire)', target: 1, call: (ik) => ik.getAuthenticationParameters('token-1234', 1700000000) },
  { name: 'verifyWebhookEvent(string)', target: 1, call: (ik) => ik.verifyWebhookEvent(WEBHOOK_BODY, WEBHOOK_HEADER, WEBHOOK_SECRET) },
  { name: 'verifyWebhookEvent(Buffer)', target: 1, call: (ik) => ik.verifyWebhookEvent(WEBHOOK_BUFFER, WEBHOOK_HEADER, WEBHOOK_SECRET) },
  // No target: these measure what argument handling costs per call, next to v6's.
  { name: 'refused: getFileDetails(\'\')', target: null, call: refused('getFileDetails', '') },
  { name: 'refused: copyFile, bad destinationPath', target: null, call: refused('copyFile', { sourceFilePath: '/a.jpg', destinationPath: 5 }) },
  { name: 'refused: updateFileDetails(id, \'x\')', target: null, call: refused('updateFileDetails', 'file_id', 'x') },
  { name: 'refused: bulkAddTags, bad tags', target: null, call: refused('bulkAddTags', ['a', 'b'], [1]) },
]

let sink = 0
/** Calls per second over a batch lasting about `ms` milliseconds. */
function opsPerSecond(call, ms) {
  let batch = 64
  for (;;) {
    const start = process.hrtime.bigint()
    for (let i = 0; i < batch; i++) sink ^= call().length | 0
    const elapsed = Number(process.hrtime.bigint() - start) / 1e6
    if (elapsed >= ms) return (batch / elapsed) * 1000
    batch *= elapsed < ms / 8 ? 8 : 2
  }
}

/** Alternates ours and the reference for a few rounds and keeps each side's best round. */
function measure(oursCall, referenceCall, { rounds, ms }) {
  opsPerSecond(oursCall, ms / 4)
  opsPerSecond(referenceCall, ms / 4)
  let ours = 0
  let reference = 0
  for (let i = 0; i < rounds; i++) {
    ours = Math.max(ours, opsPerSecond(oursCall, ms))
    reference = Math.max(reference, opsPerSecond(referenceCall, ms))
  }
  return { ours, reference }
}

function runSyncBench({ quick = false, log = console.log } = {}) {
  const ImageKit = require(root)
  const Reference = require('imagekit-reference')
  const ours = new ImageKit(INIT)
  const reference = new Reference(INIT)
  const settings = quick ? { rounds: 2, ms: 100 } : { rounds: 5, ms: 300 }
  const rows = []
  for (const c of CASES) {
    // Same result from both first: a benchmark of a wrong answer would mean nothing.
    const a = c.call(ours)
    const b = c.call(reference)
    const comparable = (v) => (typeof v === 'string' ? v.replace(/ik-t=\d+&ik-s=\w+/, '') : JSON.stringify(Object.keys(v)))
    if (comparable(a) !== comparable(b)) throw new Error(`${c.name}: results differ\n  ours: ${JSON.stringify(a)}\n  ref:  ${JSON.stringify(b)}`)
    const wrap = (ik) => () => {
      const result = c.call(ik)
      return typeof result === 'string' ? result : result.signature || ''
    }
    const { ours: o, reference: r } = measure(wrap(ours), wrap(reference), settings)
    const ratio = o / r
    const target = c.target === null ? ['-', null] : [`>= ${c.target}x`, ratio >= c.target]
    rows.push([c.name, fmt(o), fmt(r), `${ratio.toFixed(2)}x`, ...target])
    log(`  ${c.name}: ${fmt(o)} vs ${fmt(r)}`)
  }
  printTable(log, rows)
  if (sink === 0.5) log('')
  return { rows }
}

const fmt = (opsPerSec) => `${Math.round(opsPerSec).toLocaleString('en-US')}/s`

function printTable(log, rows) {
  const header = ['measure', 'ours', 'imagekit@6', 'ours vs v6', 'target', 'met']
  const body = rows.map((row) => [...row.slice(0, 5), row[5] === null ? '-' : row[5] ? 'yes' : 'NO'])
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => String(row[i]).length)))
  const line = (cells) => cells.map((c, i) => String(c).padEnd(widths[i])).join(' | ')
  log(line(header))
  log(widths.map((w) => '-'.repeat(w)).join('-|-'))
  for (const row of body) log(line(row))
  log('(ours vs v6: calls per second of this package divided by those of imagekit@6.0.0)')
}

module.exports = { runSyncBench, CASES }

if (require.main === module) runSyncBench({ quick: process.argv.includes('--quick') })
