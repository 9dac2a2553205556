'use strict'
// The package entry: v6's `module.exports = ImageKit`, with `.default` for ESM interop.
//
// `url()` is the one hot path where JavaScript values are read here rather than in Rust:
// property reads and conversions cost far less in JavaScript than through N-API (see
// src/binding/url_wire.rs for the figures and the wire form). Every conversion below is
// the one v6 applies (String(), template-literal ToString, truthiness, for…in), so odd
// input gives v6's result or v6's error.
const { ImageKit } = require('./index.js')

const nativeUrl = ImageKit.prototype.url

const field = (s) => s.length + ':' + s

function hmacKey(key) {
  if (typeof key === 'string') return { wire: '1' + key }
  if (ArrayBuffer.isView(key)) return { wire: 'b', bytes: Buffer.from(key.buffer, key.byteOffset, key.byteLength) }
  if (key instanceof ArrayBuffer) return { wire: 'b', bytes: Buffer.from(key) }
  const crypto = require('crypto')
  if (key instanceof crypto.KeyObject && key.type === 'secret') return { wire: 'b', bytes: key.export() }
  // Anything else: let Node throw the very TypeError v6 gets from createHmac.
  crypto.createHmac('sha1', key)
  return { wire: '0' }
}

Object.defineProperty(ImageKit.prototype, 'url', {
  configurable: true,
  writable: true,
  value: function url(urlOptions) {
    const o = {}
    const defaults = this.options
    for (const k in defaults) o[k] = defaults[k]
    for (const k in urlOptions) o[k] = urlOptions[k]

    const fromPath = !!o.path
    let base
    if (fromPath) base = o.urlEndpoint
    else if (o.src) base = o.src
    else return ''
    base = `${base}`

    let wire = ''
    let count = 0
    const qp = o.queryParameters
    for (const k in qp) {
      wire += field(k) + field(`${qp[k]}`)
      count++
    }
    wire = field(String(count)) + wire

    let trNonEmpty = false
    const t = o.transformation
    if (Array.isArray(t)) {
      wire += field(String(t.length))
      trNonEmpty = t.length > 1
      for (let i = 0, l = t.length; i < l; i++) {
        const step = t[i]
        let params = ''
        let n = 0
        for (const key in step) {
          const v = step[key]
          if (v === undefined || v === null) continue
          if (v === '-') {
            params += 'd' + field(key)
            trNonEmpty = trNonEmpty || key !== ''
          } else if (key === 'raw') {
            const raw = `${v}`
            params += 'r' + field(raw)
            trNonEmpty = trNonEmpty || raw !== ''
          } else {
            params += 'n' + field(key) + field(String(v))
            trNonEmpty = true
          }
          n++
        }
        trNonEmpty = trNonEmpty || n > 1
        wire += field(String(n)) + params
      }
    } else {
      wire += '1:0'
    }
    const inQuery = o.transformationPosition === 'query'

    let path = ''
    if (fromPath) {
      path = o.path
      if (typeof path !== 'string') {
        // v6 passes the path to path.posix.join, whose TypeError we let Node raise.
        if (trNonEmpty && !inQuery) require('path').posix.join(path)
        path = `${path}`
      }
    }

    let head = field(fromPath ? 'p' : 's') + field(base) + field(path) + field(inQuery ? 'q' : '')
    let keyBytes
    if (o.signed === true) {
      const e = o.expireSeconds
      const key = o.privateKey
      const endpoint = o.urlEndpoint
      let prefix = '0'
      let keyWire = '0'
      if (key && endpoint) {
        prefix = '1' + (typeof endpoint === 'string' ? (endpoint.endsWith('/') ? endpoint : endpoint + '/') : `${endpoint}`)
        const k = hmacKey(key)
        keyWire = k.wire
        keyBytes = k.bytes
      }
      head += '1:1' + field(e ? String(parseInt(String(e), 10)) : '0') + field(prefix) + field(keyWire)
    } else {
      head += '0:3:NaN1:01:0'
    }
    return nativeUrl.call(this, head + wire, keyBytes)
  },
})

module.exports = ImageKit
module.exports.default = ImageKit
