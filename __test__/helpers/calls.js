'use strict'
// Running SDK calls in both styles and describing what they produced, so two implementations
// (or a call and its expectation) can be compared.

const assert = require('node:assert/strict')

/** Settles a promise as `{ ok: true, value }` or `{ ok: false, error }`. */
const settle = (promise) =>
  promise.then(
    (value) => ({ ok: true, value }),
    (error) => ({ ok: false, error }),
  )

/** An error as data: plain objects as they are, Errors by class, message and code. */
function describe(error) {
  if (error instanceof Error) return { class: error.constructor.name, message: error.message, code: error.code }
  return error
}

/** Calls `client[method](...args, callback)`: whether it threw, returned, and when the callback ran. */
function viaCallback(client, method, args) {
  const calls = []
  let returned
  let sync = true
  let thrown
  let resolveDone
  const done = new Promise((resolve) => {
    resolveDone = resolve
  })
  try {
    returned = client[method](...args, (...callbackArgs) => {
      calls.push({ args: callbackArgs, sync })
      resolveDone()
    })
  } catch (e) {
    thrown = e
    resolveDone()
  }
  sync = false
  return { returned, thrown, calls, done }
}

/** Asserts `$ResponseMetadata`: non-enumerable, read-only, a status and lower-cased string headers. */
function assertMetadata(value, statusCode) {
  const descriptor = Object.getOwnPropertyDescriptor(value, '$ResponseMetadata')
  assert.ok(descriptor, '$ResponseMetadata is defined')
  assert.equal(descriptor.enumerable, false)
  assert.equal(descriptor.writable, false)
  assert.ok(!Object.keys(value).includes('$ResponseMetadata'))
  assert.throws(() => {
    'use strict'
    value.$ResponseMetadata = {}
  }, TypeError)
  const { statusCode: status, headers } = descriptor.value
  assert.equal(status, statusCode)
  assert.equal(typeof headers, 'object')
  for (const [name, v] of Object.entries(headers)) {
    assert.equal(name, name.toLowerCase(), `header ${name} is lower-cased`)
    assert.equal(typeof v, 'string', `header ${name} is a string`)
  }
  return descriptor.value
}

module.exports = { settle, describe, viaCallback, assertMetadata }
