'use strict'
// The package entry: v6's `module.exports = ImageKit`, with `.default` for ESM interop.
//
// It holds only what must be JavaScript; everything else (checks, requests, signatures,
// URLs, errors) is the native core's. What is here, and why:
// - v6's object model: methods of v6's arity that read `this.options` as v6 does, `url`,
//   `getAuthenticationParameters` and `pHashDistance` on the prototype, `verifyWebhookEvent`
//   an own property that needs no `this`, the constructor's `length`.
// - `url()`'s reading of its options, the one hot path where JavaScript values are read here
//   rather than in Rust: property reads and conversions cost far less in JavaScript than
//   through N-API (see crates/imagekit/src/url/wire.rs for the figures and the wire form). Every
//   conversion below is the one v6 applies (String(), template-literal ToString,
//   truthiness, for…in), so odd input gives v6's result or v6's error.
// - What only JavaScript can read or run: a KeyObject's or CryptoKey's bytes, `Buffer.from`
//   of a webhook body that is neither a string nor bytes, JavaScript's `+`, a Node stream
//   pumped into an upload, an AbortSignal's listener, and the logger's call.
const { Readable } = require('stream')
const native = loadNative()
const { ImageKit, buildUrl } = native

// napi-rs's loader (index.js) loads the addon beside it or the platform package, and does
// nothing else: whatever it throws means the addon could not be loaded, which becomes an error
// naming the platform, the missing package, the supported platforms and the fix (platform.js).
function loadNative() {
  try {
    return require('./index.js')
  } catch (error) {
    throw require('./platform.js').missingBinaryError(error && error.cause !== undefined ? error.cause : error)
  }
}

// A wire field and the signing fields: see helper.js and crates/imagekit/src/url/wire.rs.
const { field, signingKeys, install: installHelper } = require('./helper.js')
const ZERO = field('0')
const ONE = field('1')
const FLAG = field('d')
const RAW = field('r')
const VALUE = field('n')
const UNSIGNED = field('0') + field('NaN') + field('0') + field('0')

/**
 * A key as `crypto.createHmac` takes it, with what only JavaScript can read turned into bytes:
 * a secret KeyObject's or CryptoKey's. Every other value goes to the core as it is, which reads
 * strings and byte arrays and throws createHmac's TypeError for the rest.
 */
function secretKey(key) {
  if (key === null || typeof key !== 'object' || ArrayBuffer.isView(key) || key instanceof ArrayBuffer) return key
  const { KeyObject, createHmac } = require('crypto')
  if (typeof CryptoKey === 'function' && key instanceof CryptoKey) key = KeyObject.from(key)
  if (typeof KeyObject !== 'function' || !(key instanceof KeyObject)) return key
  // A public or private key: createHmac's own error.
  if (key.type !== 'secret') createHmac('sha1', key)
  return key.export()
}

// url() lives here rather than in the generated class: see index.d.header.ts.
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
    try {
      return encodeAndBuild(o, fromPath, base)
    } catch (e) {
      // v6 parses the URL before it converts any other option, so an invalid URL is the
      // error it reports even when a later conversion would throw too.
      new URL(base)
      throw e
    }
  },
})

/** Converts the options as v6 does, in v6's order, and builds the URL in Rust. */
function encodeAndBuild(o, fromPath, base) {
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
      let rawError
      for (const key in step) {
        const v = step[key]
        if (v === undefined || v === null) continue
        if (v === '-') {
          params += FLAG + field(key)
          trNonEmpty = trNonEmpty || key !== ''
        } else if (key === 'raw') {
          // v6 converts `raw` only when it joins the step, after the step's other values:
          // an error converting it is thrown once the rest of the step converted cleanly.
          let raw = ''
          try {
            raw = `${v}`
          } catch (e) {
            if (rawError === undefined) rawError = { e }
          }
          params += RAW + field(raw)
          trNonEmpty = trNonEmpty || raw !== ''
        } else {
          params += VALUE + field(key) + field(String(v))
          trNonEmpty = true
        }
        n++
      }
      if (rawError !== undefined) throw rawError.e
      trNonEmpty = trNonEmpty || n > 1
      wire += field(String(n)) + params
    }
  } else {
    wire += ZERO
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
  let key
  if (o.signed === true) {
    const signing = signingWire(o)
    head += signing.wire
    key = signing.key
  } else {
    head += UNSIGNED
  }
  return buildUrl(head + wire, key)
}

/** The wire's signing fields: the expiry, then the URL endpoint and the key (helper.js). */
function signingWire(o) {
  const e = o.expireSeconds
  const signing = signingKeys(o.privateKey, o.urlEndpoint, secretKey)
  return {
    wire: ONE + field(e ? String(parseInt(String(e), 10)) : '0') + field(signing.endpoint) + field(signing.key),
    key: signing.beside,
  }
}

const nativeAuthenticationParameters = ImageKit.prototype.getAuthenticationParameters
const { randomUUID } = require('crypto')

Object.defineProperty(ImageKit.prototype, 'getAuthenticationParameters', {
  configurable: true,
  writable: true,
  value: function getAuthenticationParameters(token, expire) {
    const options = this.options
    const key = options == null ? undefined : options.privateKey
    // Almost every call (a string key; a token that is a string or absent; an expiry that
    // is a number, a string or absent) has v6's defaults (a random UUID, now plus 30
    // minutes) and a string to sign, `token + expire`: signed in one native call. Anything
    // else is read by the core with v6's conversions and errors.
    if (
      typeof key === 'string' &&
      key !== '' &&
      (token === undefined || typeof token === 'string') &&
      (expire === undefined || typeof expire === 'number' || typeof expire === 'string')
    ) {
      const t = token || randomUUID()
      const e = expire || Math.floor(Date.now() / 1000) + 1800
      return { token: t, expire: e, signature: native.hmacSha1Hex(key, t + e) }
    }
    return nativeAuthenticationParameters.call(this, secretKey(key), token, expire)
  },
})

// v7's `helper` and `webhooks`, as getters on the prototype (helper.js).
installHelper(ImageKit, native, secretKey, ImageKit.prototype.getAuthenticationParameters)

/**
 * v6's `verifyWebhookEvent`: an own property of every instance (the constructor sets it),
 * one function that needs no `this`, so it works taken off the instance.
 */
function verifyWebhookEvent(payload, signature, secret) {
  // Strings and byte arrays are read in Rust. v6 turns any other body into bytes with
  // Buffer.from (array-likes, toPrimitive, or Node's TypeError), after it has read the
  // header: check the header first (an empty secret cannot fail), then convert.
  if (typeof payload !== 'string' && !(ArrayBuffer.isView(payload) && payload.BYTES_PER_ELEMENT === 1)) {
    native.checkWebhookSignature(signature)
    payload = Buffer.from(payload)
  }
  // v6 signs and parses the body as UTF-8 text (a string as it is): decoded once, here,
  // where the event is parsed.
  const text =
    typeof payload === 'string'
      ? payload
      : Buffer.isBuffer(payload)
        ? payload.toString('utf8')
        : Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength).toString('utf8')
  const timestamp = native.verifyWebhookEvent(text, signature, secretKey(secret))
  return { timestamp, event: JSON.parse(text) }
}

// v6's pHashDistance uses no `this` either.
Object.defineProperty(ImageKit.prototype, 'pHashDistance', {
  configurable: true,
  writable: true,
  value: function pHashDistance(firstPHash, secondPHash) {
    return native.pHashDistance(firstPHash, secondPHash)
  },
})

// Where an instance made by `withOptions({ signal })` keeps its signal (never in `options`).
const SIGNAL = Symbol('imagekit.signal')

// The API methods, one table from the core (name and arguments before the callback): each
// native method gets a function of v6's arity that reads `this.options` as v6's does (so
// taken off the instance it throws v6's TypeError) and passes it first, then the signal.
for (const [name, arity] of Object.entries(native.apiMethods())) {
  const method = ImageKit.prototype[name]
  const api = [
    function (callback) {
      return method.call(this, this.options, this[SIGNAL], callback)
    },
    function (a, callback) {
      return method.call(this, this.options, this[SIGNAL], a, callback)
    },
    function (a, b, callback) {
      return method.call(this, this.options, this[SIGNAL], a, b, callback)
    },
  ][arity]
  Object.defineProperty(api, 'name', { value: name })
  Object.defineProperty(ImageKit.prototype, name, { configurable: true, writable: true, value: api })
}

// v6's constructor declares one parameter, `opts`.
Object.defineProperty(ImageKit, 'length', { value: 1 })

// Uploads from a stream: chunks go to the native sink, which resolves each write once the
// request body has room (see src/binding/upload_stream.rs). Only `end()` completes the
// body; when reading fails, the state carries the source's own error, which the call
// rejects with, and `fail()` aborts the request so the server never gets a whole body.
// imagekit.uploadFolder (not in v6): see folder.js.
require('./folder.js').install(ImageKit, native, SIGNAL)

native.registerShim({
  streamReader(source, sink) {
    const state = { failed: false, error: undefined }
    pump(source, sink, state)
    return state
  },
  verifyWebhookEvent,
  signalKey: SIGNAL,
  listen,
  logSink,
  plus: (a, b) => a + b,
  progressSink,
})

/**
 * An upload's `onProgress`, called with `{ loaded, total }` (the request body's bytes the
 * connection has taken, and its size or null) at most every 100 ms until the call
 * settles: the last report comes just before it does, and none after. A callback that throws is not
 * called again; its exception becomes an unhandled rejection, as a throw in the call's own
 * callback does.
 */
function progressSink(onProgress) {
  let open = true
  let previous = -Infinity
  return (loaded, total, last) => {
    if (!open) return
    // Reports queued while this thread was busy arrive together: one in 100 ms is made.
    const now = performance.now()
    if (!last && now - previous < 100) return
    previous = now
    if (last) open = false
    try {
      onProgress({ loaded, total })
    } catch (error) {
      open = false
      Promise.reject(error)
    }
  }
}

/**
 * What a call's records go to, `console` by default: `logger[level](message, fields)`, as
 * console and winston take them, or `logger[level](fields, message)` for pino and bunyan,
 * which read an object first as the record's fields. A logger that throws never fails the
 * call; the exception becomes a process warning.
 */
function logSink(logger) {
  const target = logger == null ? console : logger
  const send = fieldsFirst(target)
    ? (level, message, fields) => target[level](fields, message)
    : (level, message, fields) => target[level](message, fields)
  return (level, message, fields) => {
    try {
      send(level, `imagekit: ${message}`, fields)
    } catch (error) {
      process.emitWarning(`the logger given to imagekit threw: ${error && error.message}`, 'ImageKitLoggerWarning')
    }
  }
}

/**
 * Whether a logger takes its fields before its message: a pino logger (its serializers are
 * under a registered symbol, children's too) or a bunyan one (its streams and `addStream`).
 */
function fieldsFirst(logger) {
  if (logger === null || (typeof logger !== 'object' && typeof logger !== 'function')) return false
  try {
    return Symbol.for('pino.serializers') in logger || (Array.isArray(logger.streams) && typeof logger.addStream === 'function')
  } catch {
    // A proxy that refuses to be asked is taken as any other logger.
    return false
  }
}

/** Calls `handle.abort()` when `signal` aborts, until the returned function is called. */
function listen(signal, handle) {
  const onAbort = () => handle.abort()
  signal.addEventListener('abort', onAbort, { once: true })
  return () => signal.removeEventListener('abort', onAbort)
}

async function pump(source, sink, state) {
  try {
    // A stream without async iteration (a legacy `Stream`, an EventEmitter with pause and
    // resume) is read through its events, as form-data reads it.
    const stream = typeof source[Symbol.asyncIterator] === 'function' ? source : new Readable({ objectMode: true }).wrap(source)
    for await (const chunk of stream) {
      // Returning ends the iteration, which destroys the stream: reading stops.
      if (!(await sink.write(bytesOf(chunk)))) return
    }
    sink.end()
  } catch (error) {
    state.failed = true
    state.error = error
    sink.fail()
  }
}

/** A chunk as bytes: strings as UTF-8 and any ArrayBuffer view, as Node's sockets take them. */
function bytesOf(chunk) {
  if (typeof chunk === 'string') return Buffer.from(chunk)
  if (chunk instanceof Uint8Array) return chunk
  if (ArrayBuffer.isView(chunk)) return new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength)
  const received =
    chunk !== null && typeof chunk === 'object'
      ? `an instance of ${(chunk.constructor && chunk.constructor.name) || 'Object'}`
      : `type ${typeof chunk} (${require('util').inspect(chunk)})`
  const error = new TypeError(
    `The "chunk" argument must be of type string or an instance of Buffer, TypedArray, or DataView. Received ${received}`,
  )
  error.code = 'ERR_INVALID_ARG_TYPE'
  throw error
}

module.exports = ImageKit
module.exports.default = ImageKit
