'use strict'
// Frozen reference outputs (written once by fixtures/generate.js from imagekit@6.0.0): this
// package must reproduce every one of them. Needs only the JSON files, not the reference.

const test = require('node:test')
const assert = require('node:assert/strict')

const ImageKit = require('..')
const { outcome } = require('./support/outcome.js')

const load = (name) => require(`./fixtures/${name}.json`).cases
const INIT = { publicKey: 'p', privateKey: 'k', urlEndpoint: 'https://ik.imagekit.io/demo' }

test('url() matches the frozen reference URLs and errors', () => {
  const cases = load('url')
  assert.ok(cases.length >= 300)
  for (const [i, c] of cases.entries()) {
    const actual = outcome(() => new ImageKit(c.init).url(c.options))
    // JSON dropped `code`/`input` when they were undefined: compare in the same form.
    assert.deepEqual(JSON.parse(JSON.stringify(actual)), c.expected, `case ${i}: ${JSON.stringify(c.options)}`)
  }
})

test('getAuthenticationParameters matches the frozen signatures', () => {
  for (const c of load('authentication')) {
    const ik = new ImageKit({ ...INIT, privateKey: c.privateKey })
    assert.deepEqual(ik.getAuthenticationParameters(c.token, c.expire), c.expected)
  }
})

test('pHashDistance matches the frozen distances and errors', () => {
  const ik = new ImageKit(INIT)
  for (const c of load('phash')) {
    const result = ik.pHashDistance(c.a, c.b)
    const actual = result instanceof Error ? { error: result.message } : { value: result }
    assert.deepEqual(actual, c.expected, `${c.a} ${c.b}`)
  }
})

test('verifyWebhookEvent matches the frozen results and errors', () => {
  const ik = new ImageKit(INIT)
  for (const c of load('webhook')) {
    const result = outcome(() => ik.verifyWebhookEvent(c.payload, c.header, c.secret))
    const actual = result.threw ? { error: result.threw.message } : { json: JSON.stringify(result.value) }
    assert.deepEqual(actual, c.expected, c.header)
  }
})
