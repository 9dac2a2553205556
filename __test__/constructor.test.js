'use strict'
// The module shape and the constructor: v6's validation order, messages and merged options.

const test = require('node:test')
const assert = require('node:assert/strict')

const Reference = require('imagekit-reference')
const Ours = require('..')
const { outcome } = require('./support/outcome.js')

const FULL = { publicKey: 'public_key_test', privateKey: 'private_key_test', urlEndpoint: 'https://ik.imagekit.io/demo' }

test('require() returns the class, and .default is the same class', () => {
  assert.equal(typeof Ours, 'function')
  assert.equal(Ours.default, Ours)
  assert.equal(require('../imagekit.js'), Ours)
  assert.ok(new Ours(FULL) instanceof Ours)
})

test('missing options throw in v6 order with v6 messages', () => {
  const inputs = [
    undefined, null, {}, { publicKey: 'a' }, { privateKey: 'b' }, { urlEndpoint: 'c' },
    { publicKey: 'a', privateKey: 'b' }, { publicKey: 'a', urlEndpoint: 'c' }, { privateKey: 'b', urlEndpoint: 'c' },
    { ...FULL, publicKey: '' }, { ...FULL, privateKey: 0 }, { ...FULL, urlEndpoint: null }, { ...FULL, publicKey: NaN },
    'string', 42, [], Object.create({ publicKey: 'inherited', privateKey: 'b', urlEndpoint: 'c' }),
  ]
  const seen = new Set()
  for (const input of inputs) {
    const expected = outcome(() => new Reference(input))
    const actual = outcome(() => new Ours(input))
    if (expected.threw) {
      assert.deepEqual(actual.threw, expected.threw, `input ${JSON.stringify(input)}`)
      seen.add(expected.threw.message)
    } else {
      assert.ok(actual.value instanceof Ours, `input ${JSON.stringify(input)}: ${JSON.stringify(actual.threw)}`)
      assert.equal(JSON.stringify(actual.value.options), JSON.stringify(expected.value.options))
    }
  }
  assert.deepEqual([...seen].sort(), [
    'Missing privateKey during ImageKit initialization',
    'Missing publicKey during ImageKit initialization',
    'Missing urlEndpoint during ImageKit initialization',
  ])
})

test('calling the class without new throws v6 TypeError and leaves the global alone', () => {
  for (const call of [(C) => C(FULL), (C) => C.call(undefined, FULL)]) {
    assert.deepEqual(outcome(() => call(Ours)), outcome(() => call(Reference)))
    assert.equal(outcome(() => call(Ours)).threw.error, 'TypeError')
  }
  assert.equal(globalThis.options, undefined)
})

test('options hold the merged options, defaults included, like the reference', () => {
  for (const init of [
    FULL,
    { ...FULL, transformationPosition: 'query' },
    { ...FULL, uploadEndpoint: 'http://localhost:1/upload', extra: { nested: [1, 'x'] } },
    { urlEndpoint: 'u', privateKey: 'k', publicKey: 'p', transformationPosition: undefined },
  ]) {
    const ours = new Ours(init)
    const ref = new Reference(init)
    assert.equal(JSON.stringify(ours.options), JSON.stringify(ref.options))
    assert.equal(Object.getPrototypeOf(ours.options), Object.prototype)
  }
  assert.equal(new Ours(FULL).options.uploadEndpoint, 'https://upload.imagekit.io/api/v1/files/upload')
  assert.equal(new Ours(FULL).options.transformationPosition, 'path')
})

test('every v6 sync method exists on instances', () => {
  const ours = new Ours(FULL)
  for (const name of ['url', 'getAuthenticationParameters', 'pHashDistance', 'verifyWebhookEvent']) {
    assert.equal(typeof ours[name], 'function', name)
  }
})
