'use strict'
// The synchronous methods, this package against imagekit@6.0.0 in one process: url() on
// realistic option sets, getAuthenticationParameters and verifyWebhookEvent; and v7's helper
// and webhooks against @imagekit/nodejs 7.11 and @imagekit/javascript 5.5.1.
//
//   node bench/sync.js [--quick]
//
// `runSyncBench()` is exported for bench/index.js. Each case is a row of CASES.

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

// The newer SDKs, where they have the function: @imagekit/nodejs 7.11 (`helper`, `webhooks`)
// and @imagekit/javascript 5.5.1 (responsive images).
const V7_INIT = { privateKey: INIT.privateKey, webhookSecret: WEBHOOK_SECRET }
const SW_SECONDS = Math.floor(Date.now() / 1000)
const SW_HEADERS = {
  'webhook-id': 'msg_2KWPBgLlAfxdpx2AI54pPJ85f4W',
  'webhook-timestamp': String(SW_SECONDS),
  'webhook-signature': `v1,${crypto
    .createHmac('sha256', WEBHOOK_SECRET)
    .update(`msg_2KWPBgLlAfxdpx2AI54pPJ85f4W.${SW_SECONDS}.${WEBHOOK_BODY}`)
    .digest('base64')}`,
}

const OVERLAY_MIX = () => ({
  src: '/products/shoe.jpg',
  urlEndpoint: INIT.urlEndpoint,
  transformation: [
    { width: 600, height: 400, crop: 'at_max', aiRemoveBackground: true },
    { overlay: { type: 'text', text: 'Spring Sale', position: { x: 20, y: 20 }, transformation: [{ fontSize: 48, fontColor: 'FFFFFF' }] } },
    { overlay: { type: 'image', input: '/brand/logo.png', position: { focus: 'bottom_right' }, transformation: [{ width: 120 }] } },
    { sharpen: 10, quality: 80 },
  ],
})
const RESPONSIVE = () => ({
  src: '/products/shoe.jpg',
  urlEndpoint: INIT.urlEndpoint,
  sizes: '(min-width: 768px) 50vw, 100vw',
  transformation: [{ quality: 80 }],
})

/**
 * A row: `call(client)` made on this package and, by default, on v6; or `ours`, `v6`, `v7`
 * and `js` given one by one (a missing one is no column). `target` holds the ratios to reach
 * against each (`v7: 1` means faster than v7's).
 */
const CASES = [
  { name: 'url: path, no transformation', target: { v6: 3 }, call: (ik) => ik.url({ path: '/default-image.jpg' }) },
  {
    name: 'url: chained transformation',
    target: { v6: 3 },
    call: (ik) => ik.url({ path: '/products/shoe 1.jpg', transformation: [{ height: 300, width: 400, crop: 'at_max' }, { rotation: 90, effectGray: '-' }] }),
  },
  {
    name: 'url: query position + queryParameters',
    target: { v6: 3 },
    call: (ik) => ik.url({ path: '/default-image.jpg', transformationPosition: 'query', transformation: [{ width: 400, format: 'webp' }], queryParameters: { v: '2', campaign: 'spring sale' } }),
  },
  {
    name: 'url: src',
    target: { v6: 3 },
    call: (ik) => ik.url({ src: 'https://ik.imagekit.io/bench_id/folder/img.jpg?version=3', transformation: [{ width: 300, quality: 80 }] }),
  },
  {
    name: 'url: signed, expireSeconds',
    target: { v6: 3 },
    call: (ik) => ik.url({ path: '/private/report.png', signed: true, expireSeconds: 300, transformation: [{ width: 800 }] }),
  },
  {
    name: 'url: raw overlays',
    target: { v6: 3 },
    call: (ik) => ik.url({
      path: '/banner.jpg',
      transformation: [{ width: 1200, raw: 'l-text,i-Spring Sale,fs-64,co-FFFFFF,l-end' }, { raw: 'l-image,i-logo.png,w-200,lx-20,ly-20,l-end' }],
    }),
  },
  {
    name: 'getAuthenticationParameters()',
    target: { v6: 1.5, v7: 1 },
    call: (ik) => ik.getAuthenticationParameters(),
    v7: (c) => c.helper.getAuthenticationParameters(),
  },
  {
    name: 'getAuthenticationParameters(token, expire)',
    target: { v6: 1.5, v7: 1 },
    call: (ik) => ik.getAuthenticationParameters('token-1234', 1700000000),
    v7: (c) => c.helper.getAuthenticationParameters('token-1234', 1700000000),
  },
  { name: 'verifyWebhookEvent(string)', target: { v6: 1.5 }, call: (ik) => ik.verifyWebhookEvent(WEBHOOK_BODY, WEBHOOK_HEADER, WEBHOOK_SECRET) },
  { name: 'verifyWebhookEvent(Buffer)', target: { v6: 1.5 }, call: (ik) => ik.verifyWebhookEvent(WEBHOOK_BUFFER, WEBHOOK_HEADER, WEBHOOK_SECRET) },
  {
    name: 'helper.buildSrc: overlays, effects',
    target: { v7: 3 },
    ours: (ik) => ik.helper.buildSrc(OVERLAY_MIX()),
    v7: (c) => c.helper.buildSrc(OVERLAY_MIX()),
  },
  {
    name: 'helper.buildSrc: path, one step',
    target: { v7: 3 },
    ours: (ik) => ik.helper.buildSrc({ src: '/a.jpg', urlEndpoint: INIT.urlEndpoint, transformation: [{ width: 300, height: 200 }] }),
    v7: (c) => c.helper.buildSrc({ src: '/a.jpg', urlEndpoint: INIT.urlEndpoint, transformation: [{ width: 300, height: 200 }] }),
  },
  {
    name: 'helper.getResponsiveImageAttributes(sizes)',
    target: { js: 3 },
    ours: (ik) => ik.helper.getResponsiveImageAttributes(RESPONSIVE()),
    js: (js) => js.getResponsiveImageAttributes(RESPONSIVE()),
  },
  {
    name: 'helper.getResponsiveImageAttributes(width)',
    target: { js: 3 },
    ours: (ik) => ik.helper.getResponsiveImageAttributes({ ...RESPONSIVE(), sizes: undefined, width: 400 }),
    js: (js) => js.getResponsiveImageAttributes({ ...RESPONSIVE(), sizes: undefined, width: 400 }),
  },
  {
    name: 'webhooks.unwrap',
    target: { v7: 1.5 },
    ours: (ik) => ik.webhooks.unwrap(WEBHOOK_BODY, { headers: SW_HEADERS }),
    v7: (c) => c.webhooks.unwrap(WEBHOOK_BODY, { headers: SW_HEADERS }),
  },
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

/** Alternates the implementations for a few rounds and keeps each one's best round. */
function measure(calls, { rounds, ms }) {
  for (const call of Object.values(calls)) opsPerSecond(call, ms / 4)
  const best = {}
  for (let i = 0; i < rounds; i++) {
    for (const [name, call] of Object.entries(calls)) best[name] = Math.max(best[name] || 0, opsPerSecond(call, ms))
  }
  return best
}

const OTHERS = ['v6', 'v7', 'js']
const TITLES = { v6: 'imagekit@6', v7: '@imagekit/nodejs 7', js: '@imagekit/javascript 5' }

/** A result reduced to what two implementations must agree on (not a fresh token or expiry). */
function comparable(v) {
  if (typeof v === 'string') return v.replace(/ik-t=\d+&ik-s=\w+/, '')
  if (v && typeof v.signature === 'string') return JSON.stringify(Object.keys(v))
  return JSON.stringify(v)
}

function runSyncBench({ quick = false, log = console.log } = {}) {
  const ImageKit = require(root)
  const clients = {
    ours: new ImageKit({ ...INIT, webhookSecret: WEBHOOK_SECRET }),
    v6: new (require('imagekit-reference'))(INIT),
    v7: new (require('@imagekit/nodejs').default)(V7_INIT),
    js: require('@imagekit/javascript'),
  }
  const settings = quick ? { rounds: 2, ms: 100 } : { rounds: 5, ms: 300 }
  const rows = []
  for (const c of CASES) {
    const fns = { ours: c.ours || c.call }
    for (const other of OTHERS) {
      const fn = c[other] || (other === 'v6' && !c.ours ? c.call : undefined)
      if (fn) fns[other] = fn
    }
    // The same result from every implementation first: a benchmark of a wrong answer would mean nothing.
    const expected = comparable(fns.ours(clients.ours))
    for (const other of Object.keys(fns)) {
      const got = comparable(fns[other](clients[other]))
      if (got !== expected) throw new Error(`${c.name}: ${other} differs\n  ours: ${expected}\n  ${other}: ${got}`)
    }
    const calls = {}
    for (const [name, fn] of Object.entries(fns)) {
      calls[name] = () => {
        const result = fn(clients[name])
        return typeof result === 'string' ? result : result.signature || result.src || result.type || ''
      }
    }
    const speed = measure(calls, settings)
    const ratios = {}
    for (const other of OTHERS) if (speed[other]) ratios[other] = speed.ours / speed[other]
    const goals = c.target ? Object.entries(c.target) : []
    rows.push({
      name: c.name,
      speed,
      ratios,
      target: goals.length ? goals.map(([k, v]) => `>= ${v}x ${k}`).join(', ') : '-',
      met: goals.length ? goals.every(([k, v]) => ratios[k] >= v) : null,
    })
    log(`  ${c.name}: ${Object.entries(speed).map(([k, v]) => `${k} ${fmt(v)}`).join(', ')}`)
  }
  printTable(log, rows)
  if (sink === 0.5) log('')
  return { rows }
}

const fmt = (opsPerSec) => `${Math.round(opsPerSec).toLocaleString('en-US')}/s`

function printTable(log, rows) {
  const header = ['measure', 'ours', ...OTHERS.map((o) => TITLES[o]), ...OTHERS.map((o) => `vs ${o}`), 'target', 'met']
  const body = rows.map((row) => [
    row.name,
    fmt(row.speed.ours),
    ...OTHERS.map((o) => (row.speed[o] ? fmt(row.speed[o]) : '-')),
    ...OTHERS.map((o) => (row.ratios[o] ? `${row.ratios[o].toFixed(2)}x` : '-')),
    row.target,
    row.met === null ? '-' : row.met ? 'yes' : 'NO',
  ])
  require('./common.js').printTable(log, header, body)
  log('(vs X: calls per second of this package divided by those of X, measured in one process)')
}

module.exports = { runSyncBench, CASES }

if (require.main === module) runSyncBench({ quick: process.argv.includes('--quick') })
