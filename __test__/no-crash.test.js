'use strict'
// Robustness: every public sync method and the constructor, called 100,000 times each with
// hostile JavaScript values. Each call must return a value of the documented type or throw an
// Error; the process (a native addon: a panic or a bad pointer would kill it) must survive.

const test = require('node:test')
const assert = require('node:assert/strict')
const crypto = require('node:crypto')

const ImageKit = require('..')
const { Random, seedFromEnv, TEXT_PIECES, ENDPOINTS } = require('./support/random.js')
const { hostile, urlShaped, MEGABYTE } = require('./support/hostile.js')

const CALLS = Number(process.env.IK_CALLS || 100000)
const SEED = seedFromEnv(0xc0ffee)
const INIT = { publicKey: 'public_key_test', privateKey: 'private_key_test', urlEndpoint: 'https://ik.imagekit.io/demo' }

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
