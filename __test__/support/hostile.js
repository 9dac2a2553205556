'use strict'
// Hostile JavaScript values for the no-crash tests: every kind of value a caller can pass
// (primitives, BigInt, Symbol, huge strings, deep structures, throwing getters and proxies,
// revoked proxies, typed arrays, odd array-likes), and option objects with them inside.

const crypto = require('node:crypto')
const { TEXT_PIECES, ENDPOINTS } = require('./random.js')

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

module.exports = { hostile, urlShaped, MEGABYTE, MEGABYTE_PATH, Hostile }
