'use strict'
// Differential tests of the synchronous helpers: getAuthenticationParameters, pHashDistance
// and verifyWebhookEvent give the reference's results and errors on seeded random input.

const test = require('node:test')
const assert = require('node:assert/strict')
const crypto = require('node:crypto')

const Reference = require('imagekit-reference')
const Ours = require('..')
const { Random, seedFromEnv, anyValue } = require('./support/random.js')
const { outcome, show } = require('./support/outcome.js')

const SEED = seedFromEnv(0x5eed5)
const INIT = { publicKey: 'public_key_test', privateKey: 'private_key_test', urlEndpoint: 'https://ik.imagekit.io/demo' }

/** Collects mismatches and fails with the first few, so one run shows every kind. */
function differ(name) {
  const mismatches = []
  return {
    check(input, expected, actual) {
      try {
        assert.deepStrictEqual(actual, expected)
      } catch {
        mismatches.push(`${show(input)}\n  reference=${show(expected)}\n  ours     =${show(actual)}`)
      }
    },
    done(count) {
      console.log(`${name}: ${count} cases (seed ${SEED}), mismatches: ${mismatches.length}`)
      assert.equal(mismatches.length, 0, `${name}, seed ${SEED}:\n${mismatches.slice(0, 10).join('\n')}`)
    },
  }
}

test('getAuthenticationParameters with given token and expire equals the reference', () => {
  const r = new Random(SEED)
  const d = differ('getAuthenticationParameters')
  const keys = ['private_key_test', 'ü', Buffer.from([0, 255]), new Uint8Array([7]), '', 0, null, 12, Symbol('k'), {}]
  let count = 0
  for (let i = 0; i < 3000; i++) {
    const ref = new Reference(INIT)
    const ours = new Ours(INIT)
    if (r.chance(0.2)) {
      // Both read the key from `options` at call time.
      const key = r.pick(keys)
      ref.options.privateKey = key
      ours.options.privateKey = key
    }
    const token = r.chance(0.5) ? `token-${r.int(1e6)}` : anyValue(r)
    const expire = r.chance(0.5) ? 1600000000 + r.int(1e8) : anyValue(r)
    // A falsy token or expire is replaced by a fresh uuid or clock reading: checked below.
    if ((!token || !expire) && ref.options.privateKey) continue
    count++
    d.check({ token, expire, key: ref.options.privateKey }, outcome(() => ref.getAuthenticationParameters(token, expire)), outcome(() => ours.getAuthenticationParameters(token, expire)))
  }
  d.done(count)
})

test('getAuthenticationParameters defaults: uuid v4 token, now + 1800 s, valid signature', () => {
  const ours = new Ours(INIT)
  const uuidV4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/
  const tokens = new Set()
  for (const [token, expire] of [[undefined, undefined], ['', 0], [null, null], ['given', undefined], [undefined, 1234]]) {
    const before = Math.floor(Date.now() / 1000)
    const p = ours.getAuthenticationParameters(token, expire)
    const after = Math.floor(Date.now() / 1000)
    assert.deepEqual(Object.keys(p), ['token', 'expire', 'signature'])
    if (token) assert.equal(p.token, token)
    else assert.match(p.token, uuidV4)
    tokens.add(p.token)
    if (expire) assert.equal(p.expire, expire)
    else {
      assert.equal(typeof p.expire, 'number')
      assert.ok(p.expire >= before + 1800 && p.expire <= after + 1800, `expire ${p.expire}`)
    }
    const expected = crypto.createHmac('sha1', INIT.privateKey).update(p.token + p.expire).digest('hex')
    assert.equal(p.signature, expected)
  }
  assert.equal(tokens.size, 5, 'every default token is fresh')
  // Without a private key v6 returns the inputs (or '' and 0) and an empty signature.
  const ref = new Reference(INIT)
  ours.options.privateKey = ref.options.privateKey = ''
  assert.deepStrictEqual(ours.getAuthenticationParameters(), ref.getAuthenticationParameters())
  assert.deepStrictEqual(ours.getAuthenticationParameters(), { token: '', expire: 0, signature: '' })
})

/** pHashDistance returns (not throws) its Errors: compare their class and message. */
function pHashOutcome(fn) {
  const o = outcome(fn)
  if (o.value instanceof Error) return { returnedError: o.value.constructor.name, message: o.value.message }
  return o
}

test('pHashDistance equals the reference on random pairs', () => {
  const r = new Random(SEED + 1)
  const d = differ('pHashDistance')
  const ref = new Reference(INIT)
  const ours = new Ours(INIT)
  const hex = (n) => {
    let s = ''
    for (let i = 0; i < n; i++) s += '0123456789abcdefABCDEF'[r.int(22)]
    return s
  }
  const cases = 20000
  for (let i = 0; i < cases; i++) {
    let a
    let b
    switch (r.int(8)) {
      case 0: case 1: case 2: {
        const n = 1 + r.int(40)
        a = hex(n)
        b = hex(n)
        break
      }
      case 3:
        a = hex(1 + r.int(20))
        b = hex(1 + r.int(20))
        break
      case 4: {
        // One character swapped for a non-hex one.
        const n = 1 + r.int(20)
        a = hex(n)
        b = hex(n)
        const at = r.int(n)
        b = b.slice(0, at) + r.pick(['g', 'x', ' ', '-', 'ü', '\n', '0x', '']) + b.slice(at + 1)
        break
      }
      case 5:
        a = r.chance(0.5) ? r.int(1e6) : hex(r.int(4))
        b = r.chance(0.5) ? r.int(1e6) : anyValue(r)
        break
      case 6:
        a = anyValue(r)
        b = anyValue(r)
        break
      default:
        a = hex(r.int(3))
        b = r.pick([undefined, null, '', hex(r.int(3)), 0, NaN, '0x1a', ['ab'], Buffer.from('ab')])
    }
    d.check([a, b], pHashOutcome(() => ref.pHashDistance(a, b)), pHashOutcome(() => ours.pHashDistance(a, b)))
  }
  d.done(cases)
  assert.equal(ours.pHashDistance('f06830ca9f1e3e90', 'f06830ca9f1e3e90'), 0)
  assert.equal(ours.pHashDistance('2d5ad3936d2e015b', '2d6ed293db36a4fb'), 17)
})

const sign = (secret, t, body) => crypto.createHmac('sha256', secret).update(`${t}.${body}`).digest('hex')

/** Results compared as JSON (the parsed event), errors by class and message. */
function webhookOutcome(fn) {
  try {
    return { json: JSON.stringify(fn()) }
  } catch (e) {
    return { error: e && e.constructor && e.constructor.name, message: e && e.message }
  }
}

test('verifyWebhookEvent equals the reference on valid, tampered and malformed input', () => {
  const r = new Random(SEED + 2)
  const d = differ('verifyWebhookEvent')
  const ref = new Reference(INIT)
  const ours = new Ours(INIT)
  const secret = 'whsec_test_secret'
  const bodies = [
    '{"type":"video.transformation.accepted","id":"58e6d24d","created_at":"2022-06-20T11:59:58.461Z","data":{"asset":{"url":"https://x/y.mp4"}}}',
    '{"a":1,"b":[true,null,"ü😀"],"c":{"d":1.5e300}}',
    '[]', '0', '"str"', '{}', '{"__proto__":{"x":1}}', 'not json', '', '{"a":', ' {"a" : 1 } ',
  ]
  let verified = 0
  const cases = 5000
  for (let i = 0; i < cases; i++) {
    const body = r.pick(bodies)
    let t = r.pick([1655788406333, Date.now(), 0, 1, 8.64e15, 8.64e15 + 1, 1e21])
    let header = `t=${t},v1=${sign(secret, t, body)}`
    let payload = body
    let key = secret
    switch (r.int(14)) {
      case 0: payload = Buffer.from(body); break
      case 1: payload = new Uint8Array(Buffer.from(body)); break
      case 2: payload = body + ' '; break
      case 3: key = 'wrong'; break
      case 4: header = header.replace(/v1=(.)/, (m, c) => `v1=${c === 'a' ? 'b' : 'a'}`); break
      case 5: header = `v1=${sign(secret, t, body)}`; break
      case 6: header = `t=${t}`; break
      case 7: {
        t = r.pick(['-1', 'abc', '', '1e3', ' 12', '0x10', '99999999999999999999', '12abc', '+5', '-0', '1.9'])
        header = `t=${t},v1=${sign(secret, t, body)}`
        break
      }
      case 8: header = r.pick(['', ',', '=', 't', 't=', 'v1=', 't=1,v1', 't=1,v1=', `v1=x,t=${t}`, `t=${t},t=2,v1=${sign(secret, t, body)}`, `t==${t},v1=x`]); break
      case 9: header = anyValue(r); break
      case 10: payload = anyValue(r); break
      case 11: key = anyValue(r); break
      case 12: header = `${header},v2=abc`; break
      default:
    }
    const expected = webhookOutcome(() => ref.verifyWebhookEvent(payload, header, key))
    if (expected.json !== undefined) verified++
    d.check({ payload, header, key }, expected, webhookOutcome(() => ours.verifyWebhookEvent(payload, header, key)))
  }
  d.done(cases)
  // Enough cases must pass verification for the comparison of events to mean something.
  assert.ok(verified > 500, `only ${verified} verified events`)
  const t = 1655788406333
  const event = ours.verifyWebhookEvent(bodies[0], `t=${t},v1=${sign(secret, t, bodies[0])}`, secret)
  assert.equal(event.timestamp, t)
  assert.equal(event.event.type, 'video.transformation.accepted')
})

test('keys only JavaScript can read (KeyObject, CryptoKey) sign url, getAuthenticationParameters and verifyWebhookEvent as in v6', async () => {
  const d = differ('key objects')
  const secret = crypto.createSecretKey(Buffer.from('private_key_test'))
  const cryptoKey = await crypto.webcrypto.subtle.importKey('raw', Buffer.from('private_key_test'), { name: 'HMAC', hash: 'SHA-1' }, true, ['sign'])
  const { publicKey } = crypto.generateKeyPairSync('ed25519')
  const body = '{"type":"video.transformation.accepted"}'
  const timestamp = 1655788406333
  const header = `t=${timestamp},v1=${crypto.createHmac('sha256', 'private_key_test').update(`${timestamp}.${body}`).digest('hex')}`
  let count = 0
  for (const key of [secret, cryptoKey, publicKey, Buffer.from('private_key_test'), new ArrayBuffer(3), 42, {}]) {
    const ref = new Reference({ ...INIT, privateKey: key })
    const ours = new Ours({ ...INIT, privateKey: key })
    const calls = {
      url: (ik) => ik.url({ path: '/a.jpg', signed: true, expireSeconds: 3000000000 }),
      auth: (ik) => ik.getAuthenticationParameters('token', 1700000000),
      webhook: (ik) => ik.verifyWebhookEvent(body, header, key),
      webhookOfBytes: (ik) => ik.verifyWebhookEvent([...Buffer.from(body)], header, key),
    }
    for (const [name, call] of Object.entries(calls)) {
      count++
      d.check({ key: key && key.constructor && key.constructor.name, name }, outcome(() => call(ref)), outcome(() => call(ours)))
    }
  }
  d.done(count)
})
