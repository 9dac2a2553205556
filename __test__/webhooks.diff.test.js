'use strict'
// Differential test of `imagekit.webhooks` (Standard Webhooks) against `@imagekit/nodejs`
// 7.11's `webhooks.unwrap`, with deliveries signed by the `standardwebhooks` package:
// tampered bodies, ids and timestamps, old and future timestamps, wrong keys, `whsec_`
// keys, several signatures, missing headers, header case, Buffer bodies. The same event,
// or the same error (class and message; the class alone for the engine's own errors).

const test = require('node:test')
const assert = require('node:assert/strict')

const V7 = require('@imagekit/nodejs').default
const { Webhook } = require('standardwebhooks')
const Ours = require('..')
const { Random, seedFromEnv } = require('./support/random.js')
const { outcome, show } = require('./support/outcome.js')

const SECRET = 'whsec_dGhpcyBpcyBhIHRlc3Qgc2VjcmV0'
const NOW = 1_765_000_000_000
const ENGINE_ERRORS = new Set(['TypeError', 'SyntaxError', 'RangeError'])

const ours = new Ours({ publicKey: 'pub', privateKey: 'priv', urlEndpoint: 'https://ik.imagekit.io/demo', webhookSecret: SECRET })
const v7 = new V7({ privateKey: 'priv', webhookSecret: SECRET })

function atTime(ms, fn) {
  const realNow = Date.now
  Date.now = () => ms
  try {
    return fn()
  } finally {
    Date.now = realNow
  }
}

/** The `webhook-signature` header the `standardwebhooks` package writes for a key as v7 uses it. */
function signature(key, id, seconds, body) {
  return new Webhook(Buffer.from(key).toString('base64')).sign(id, new Date(seconds * 1000), body)
}

const EVENTS = [
  { type: 'file.created', id: 'evt_1', created_at: '2026-01-01T00:00:00.000Z', data: { fileId: 'f1', name: 'a.jpg' } },
  { type: 'file.deleted', id: 'evt_2', created_at: '2026-01-01T00:00:00.000Z', data: { fileId: 'f1' } },
  { type: 'upload.pre-transform.success', id: 'evt_3', created_at: '2026-01-01T00:00:00.000Z', data: { fileId: 'f2' }, request: { x_request_id: 'r', transformation: 'w-100' } },
  { type: 'video.transformation.accepted', id: 'evt_4', created_at: '2026-01-01', data: { asset: { url: 'https://x' }, transformation: { type: 'video-transformation' } } },
  { type: 'file-version.created', id: 'evt_5', created_at: '2026-01-01', data: { fileId: 'f3', versionInfo: { id: 'v1', name: 'Version 1' } }, text: 'ünï 😀' },
]

function delivery(r) {
  const seconds = Math.floor(NOW / 1000)
  const event = r.pick(EVENTS)
  let body = JSON.stringify(event)
  const id = r.pick(['msg_2KWPBgLlAfxdpx2AI54pPJ85f4W', 'msg_1', 'évt'])
  let timestamp = seconds + r.pick([0, 0, 0, -299, 299, -301, 301, -100000, 100000])
  const signingKey = r.chance(0.85) ? SECRET : r.pick(['whsec_other', 'dGhpcyBpcyBhIHRlc3Qgc2VjcmV0', 'plain secret'])
  let sig = signature(signingKey, id, timestamp, body)
  const headers = {}
  let idHeader = id
  let timestampHeader = String(timestamp)
  switch (r.int(14)) {
    case 0: body = body.replace('"f', '"g'); break
    case 1: idHeader = id + 'x'; break
    case 2: timestampHeader = String(timestamp + 1); break
    case 3: sig = `v1,${Buffer.alloc(32).toString('base64')} ${sig}`; break
    case 4: sig = `v2,abc ${sig} v1,zzz`; break
    case 5: sig = sig.replace('v1,', 'v2,'); break
    case 6: sig = sig + ',extra'; break
    case 7: timestampHeader = r.pick(['abc', '', ' 17', `0${timestamp}`, `${timestamp}.9`, `${timestamp}abc`, '-0']); break
    case 8: sig = r.pick(['', 'v1', 'v1,', ' ', 'garbage']); break
    case 9: body = body.slice(0, -1); sig = signature(signingKey, id, timestamp, body); break
    default: break
  }
  const names = ['webhook-id', 'webhook-timestamp', 'webhook-signature'].map((n) =>
    r.chance(0.2) ? r.pick([n.toUpperCase(), n.replace(/(^|-)w/g, (m) => m.toUpperCase()), 'Webhook-Id'.startsWith(n) ? n : n]) : n,
  )
  const values = [idHeader, timestampHeader, sig]
  for (const [i, name] of names.entries()) {
    if (r.chance(0.05)) continue
    headers[name] = values[i]
  }
  if (r.chance(0.05)) headers['x-other'] = 'y'
  let payload = body
  const bodyRoll = r.int(10)
  if (bodyRoll < 3) payload = Buffer.from(body)
  else if (bodyRoll === 3) payload = r.pick([new Uint8Array(Buffer.from(body)), 5, null, { a: 1 }])
  const callOptions = { headers }
  const keyRoll = r.int(12)
  if (keyRoll === 0) callOptions.key = 'whsec_other'
  else if (keyRoll === 1) callOptions.key = SECRET
  else if (keyRoll === 2) callOptions.key = r.pick(['', null, Buffer.from(SECRET)])
  else if (keyRoll === 3) callOptions.headers = undefined
  return { payload, callOptions }
}

function same(expected, actual) {
  if (expected.threw && actual.threw && ENGINE_ERRORS.has(expected.threw.error)) return expected.threw.error === actual.threw.error
  try {
    assert.deepStrictEqual(actual, expected)
    return true
  } catch {
    return false
  }
}

test('webhooks.unwrap equals v7 on seeded deliveries signed by the standardwebhooks package', () => {
  const seed = seedFromEnv(0x3eb0c5)
  const r = new Random(seed)
  console.log(`webhooks.unwrap seed: ${seed} (set IK_SEED to change)`)
  const tally = { events: 0 }
  const mismatches = []
  for (let i = 0; i < 5000; i++) {
    const { payload, callOptions } = delivery(r)
    const expected = atTime(NOW, () => outcome(() => v7.webhooks.unwrap(payload, { ...callOptions })))
    const actual = atTime(NOW, () => outcome(() => ours.webhooks.unwrap(payload, { ...callOptions })))
    if (expected.threw) tally[expected.threw.message] = (tally[expected.threw.message] || 0) + 1
    else tally.events++
    if (!same(expected, actual)) mismatches.push({ i, payload, callOptions, expected, actual })
  }
  console.log(`webhooks.unwrap: 5000 deliveries, ${JSON.stringify(tally)}, mismatches: ${mismatches.length}`)
  const report = mismatches
    .slice(0, 8)
    .map((m) => `#${m.i} payload=${show(m.payload)} options=${show(m.callOptions)}\n  expected=${show(m.expected)}\n  ours    =${show(m.actual)}`)
    .join('\n')
  assert.equal(mismatches.length, 0, `seed ${seed}:\n${report}`)
  for (const reason of ['No matching signature found', 'Message timestamp too old', 'Message timestamp too new', 'Missing required headers', 'Invalid Signature Headers']) {
    assert.ok(tally[reason] > 20, `too few "${reason}": ${tally[reason]}`)
  }
  assert.ok(tally.events > 1000, `too few genuine deliveries: ${tally.events}`)
})

test('webhooks: the key from webhookSecret, else IMAGEKIT_WEBHOOK_SECRET, else v7’s error', () => {
  const body = JSON.stringify(EVENTS[0])
  const seconds = Math.floor(Date.now() / 1000)
  const headersFor = (key) => ({ 'webhook-id': 'm', 'webhook-timestamp': String(seconds), 'webhook-signature': signature(key, 'm', seconds, body) })
  const plain = new Ours({ publicKey: 'p', privateKey: 'k', urlEndpoint: 'https://ik.imagekit.io/x' })
  assert.equal(Object.keys(plain.options).includes('webhookSecret'), false)
  const saved = process.env.IMAGEKIT_WEBHOOK_SECRET
  try {
    delete process.env.IMAGEKIT_WEBHOOK_SECRET
    assert.throws(() => plain.webhooks.unwrap(body, { headers: headersFor('x') }), { message: 'Webhook key must not be null in order to unwrap' })
    process.env.IMAGEKIT_WEBHOOK_SECRET = '  env_secret  '
    assert.deepEqual(plain.webhooks.unwrap(body, { headers: headersFor('env_secret') }), EVENTS[0])
    assert.deepEqual(ours.webhooks.unwrap(body, { headers: headersFor(SECRET) }), EVENTS[0])
  } finally {
    if (saved === undefined) delete process.env.IMAGEKIT_WEBHOOK_SECRET
    else process.env.IMAGEKIT_WEBHOOK_SECRET = saved
  }
  assert.throws(() => ours.webhooks.unwrap(body, { headers: headersFor('x'), key: '' }), { message: "Secret can't be empty." })
  const error = outcome(() => ours.webhooks.unwrap(body, { headers: headersFor('wrong') }))
  assert.deepEqual(error.threw, { error: 'WebhookVerificationError', message: 'No matching signature found', code: undefined, input: undefined })
  // unsafeUnwrap parses without verifying, as v7's; a missing second argument is v7's TypeError.
  assert.deepEqual(ours.webhooks.unsafeUnwrap(body), EVENTS[0])
  assert.throws(() => ours.webhooks.unwrap(body), TypeError)
  // v6's verifier is untouched beside it.
  assert.equal(typeof ours.verifyWebhookEvent, 'function')
})
