'use strict'
// Robustness: every public sync method and the constructor, called 100,000 times each with
// hostile JavaScript values. Each call must return a value of the documented type or throw an
// Error; the process (a native addon: a panic or a bad pointer would kill it) must survive.

const test = require('node:test')
const assert = require('node:assert/strict')
const crypto = require('node:crypto')

const ImageKit = require('..')
const { Random, seedFromEnv, TEXT_PIECES, ENDPOINTS } = require('./support/random.js')

const CALLS = Number(process.env.IK_CALLS || 100000)
const SEED = seedFromEnv(0xc0ffee)
const INIT = { publicKey: 'public_key_test', privateKey: 'private_key_test', urlEndpoint: 'https://ik.imagekit.io/demo' }

const MEGABYTE = 'ü'.repeat(1 << 19) // 1 MB of UTF-8, 512 Ki UTF-16 units
const MEGABYTE_PATH = `/${'a/'.repeat(1 << 19)}`
function nested(depth, wrap) {
  let value = {}
  for (let i = 0; i < depth; i++) value = wrap(value)
  return value
}
const DEEP_OBJECT = nested(3000, (v) => ({ v, toString: undefined }))
const DEEP_ARRAY = nested(3000, (v) => [v])

class Hostile extends Error {}
const boom = () => {
  throw new Hostile('hostile')
}
const revoked = Proxy.revocable({}, {})
revoked.revoke()

function hostile(r, depth = 0) {
  switch (r.int(34)) {
    case 0: return undefined
    case 1: return null
    case 2: return r.pick([0, -0, NaN, Infinity, -1, 1e21, 2 ** 53, 4.2])
    case 3: return BigInt(r.int(100))
    case 4: return Symbol('hostile')
    case 5: return r.chance(0.003) ? MEGABYTE : r.join(TEXT_PIECES, 6)
    case 6: return r.chance(0.003) ? MEGABYTE_PATH : r.pick(ENDPOINTS)
    // Converting the deep array takes milliseconds (as in v6): rare, to keep the run short.
    case 7: return r.chance(0.1) ? DEEP_OBJECT : { a: { b: { c: [] } } }
    case 8: return r.chance(0.02) ? DEEP_ARRAY : [[[1]]]
    case 9: return depth < 3 ? [hostile(r, depth + 1), hostile(r, depth + 1)] : []
    case 10: return crypto.randomBytes(r.int(64))
    case 11: return new Uint8Array(crypto.randomBytes(r.int(16)))
    case 12: return new Float64Array([1.5, NaN])
    case 13: return new ArrayBuffer(r.int(8))
    case 14: return new DataView(new ArrayBuffer(4))
    case 15: return new Proxy({}, { get: boom, ownKeys: boom, has: boom, getOwnPropertyDescriptor: boom, getPrototypeOf: boom })
    case 16: return revoked.proxy
    case 17: return new Proxy([1, 2], {})
    case 18: return Object.defineProperty({}, r.pick(['path', 'src', 'urlEndpoint', 'transformation', 'signed', 'privateKey', 'options', 'length', 'width']), { get: boom, enumerable: true })
    case 19: return { toString: boom }
    case 20: return { toString: boom, valueOf: boom }
    case 21: return { [Symbol.toPrimitive]: boom }
    case 22: return Object.create(null)
    case 23: return boom
    case 24: return new Date(NaN)
    case 25: return /re/g
    case 26: return new Map([[1, 2]])
    case 27: return Promise.resolve(1)
    case 28: return crypto.createSecretKey(Buffer.from('secret'))
    case 29: return { length: -1, 0: 'a' }
    case 30: return { length: 3, 0: 'a', 2: 255 }
    default: return depth < 3 ? urlShaped(r, depth + 1) : {}
  }
}

/** Option objects shaped like url() and constructor options, with hostile values inside. */
function urlShaped(r, depth) {
  const o = {}
  for (const key of ['path', 'src', 'urlEndpoint', 'transformation', 'transformationPosition', 'queryParameters', 'signed', 'expireSeconds', 'privateKey', 'publicKey']) {
    if (r.chance(0.4)) o[key] = hostile(r, depth)
  }
  if (r.chance(0.5)) o.path = r.join(TEXT_PIECES, 4) || '/x'
  if (r.chance(0.5)) o.transformation = [{ width: hostile(r, depth), raw: hostile(r, depth), [r.join(TEXT_PIECES, 2)]: hostile(r, depth) }, hostile(r, depth)]
  if (r.chance(0.3)) o.signed = true
  return o
}

const sign = (t, body) => crypto.createHmac('sha256', 'whsec').update(`${t}.${body}`).digest('hex')

/** Calls `fn` CALLS times; every result passes `check`, every throw is an Error. */
function hammer(name, fn, check) {
  const r = new Random(SEED + name.length)
  const base = new ImageKit(INIT)
  let returned = 0
  let threw = 0
  const start = process.hrtime.bigint()
  for (let i = 0; i < CALLS; i++) {
    let result
    try {
      result = fn(r, base, i)
    } catch (e) {
      threw++
      if (!(e instanceof Error)) assert.fail(`${name} threw a non-Error: ${String(e)}`)
      continue
    }
    returned++
    check(result)
  }
  const ms = Number(process.hrtime.bigint() - start) / 1e6
  console.log(`${name}: ${CALLS} calls (seed ${SEED}), ${returned} returned, ${threw} threw, ${ms.toFixed(0)} ms`)
  assert.equal(returned + threw, CALLS)
  // Inputs must reach both outcomes, or they explore too little of the method.
  assert.ok(returned > 0 && threw > 0, `${name}: returned ${returned}, threw ${threw}`)
}

/** A method called on an instance, sometimes one whose `options` were replaced, or on a non-instance. */
function receiver(r, base) {
  switch (r.int(20)) {
    case 0: return hostile(r)
    case 1: {
      const other = new ImageKit(INIT)
      other.options = hostile(r)
      return other
    }
    default: return base
  }
}

test('the constructor survives hostile options', () => {
  hammer('constructor', (r) => {
    const options = r.chance(0.5) ? urlShaped(r, 1) : hostile(r)
    if (r.chance(0.5)) Object.assign(options && typeof options === 'object' ? options : {}, INIT)
    return r.chance(0.01) ? ImageKit.call(undefined, options) : new ImageKit(options)
  }, (ik) => assert.ok(ik instanceof ImageKit))
})

test('url() survives hostile options', () => {
  hammer('url', (r, base) => ImageKit.prototype.url.call(receiver(r, base), r.chance(0.8) ? urlShaped(r, 1) : hostile(r)), (url) => assert.equal(typeof url, 'string'))
})

test('getAuthenticationParameters() survives hostile arguments', () => {
  hammer('getAuthenticationParameters', (r, base) => ImageKit.prototype.getAuthenticationParameters.call(receiver(r, base), hostile(r), hostile(r)), (p) => {
    assert.equal(typeof p.signature, 'string')
  })
})

test('pHashDistance() survives hostile arguments', () => {
  hammer('pHashDistance', (r, base) => {
    const hex = r.chance(0.3) ? crypto.randomBytes(8).toString('hex') : hostile(r)
    return ImageKit.prototype.pHashDistance.call(receiver(r, base), hex, r.chance(0.3) ? crypto.randomBytes(8).toString('hex') : hostile(r))
  }, (d) => assert.ok(typeof d === 'number' || d instanceof Error))
})

test('verifyWebhookEvent() survives hostile arguments', () => {
  hammer('verifyWebhookEvent', (r, base) => {
    const body = r.chance(0.5) ? r.pick(['{"a":1}', '[', '', MEGABYTE.slice(0, 1000)]) : hostile(r)
    const t = r.pick([1, 1655788406333, 'x', -1])
    const header = r.chance(0.5) ? `t=${t},v1=${sign(t, typeof body === 'string' ? body : '')}` : hostile(r)
    // An own property of each instance, as in v6 (not on the prototype); it needs no `this`.
    return base.verifyWebhookEvent.call(receiver(r, base), body, header, r.chance(0.7) ? 'whsec' : hostile(r))
  }, (result) => assert.equal(typeof result.timestamp, 'number'))
})
