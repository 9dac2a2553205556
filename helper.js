'use strict'
// v7's `helper` and `webhooks` (`@imagekit/nodejs` 7.11), on the v6 class: what of them
// must be JavaScript. As for `url()` (imagekit.js), the options are read here and handed to
// the native core as one string of length-prefixed fields, because reading them through
// N-API costs more than v7's whole call; the wire form is described in
// crates/imagekit/src/helper/wire.rs. Every value is converted here as JavaScript
// converts it, and an exception a conversion throws is kept, not thrown: the core throws
// it only where v7 converts that value. The URLs, transformation strings, candidate
// widths and signatures are the core's.

/** A wire field: its length as one UTF-16 unit (or U+FFFF and two units), then the text. */
const field = (s) =>
  s.length < 0xffff ? String.fromCharCode(s.length) + s : '\uffff' + String.fromCharCode(s.length >>> 16, s.length & 0xffff) + s

const ZERO = field('0')
const ONE = field('1')
const EMPTY = field('')
const NOT_AN_ARRAY = field('-')
const OVERLAY = field('o')
const MISSING = field('u')
const TRUE = field('t')
const FALSE = field('f')
const ARRAY = field('a')
const OBJECT = field('o')
const SYMBOL = field('y')
// An overlay's fields and its position's and timing's, each written only when present.
const [TEXT, INPUT, COLOR, ENCODING, LAYER_MODE, POSITION, TIMING, NESTED] = 'ticempgr'.split('').map(field)
const [X, Y, X_CENTER, Y_CENTER, FOCUS, ANCHOR, START, END, DURATION] = 'xyXYfased'.split('').map(field)

/** A call's state: the exceptions conversions threw, by index. */
function context() {
  return { errors: undefined }
}

function kept(cx, error) {
  if (cx.errors === undefined) cx.errors = []
  return field('!' + (cx.errors.push(error) - 1))
}

/** `String(value)` (a template literal's conversion), or the exception it throws. */
function textOf(cx, v) {
  try {
    return field('=' + `${v}`)
  } catch (error) {
    return kept(cx, error)
  }
}

/** `String(value)`, which unlike a template literal converts a symbol. */
function stringOf(cx, v) {
  try {
    return field('=' + String(v))
  } catch (error) {
    return kept(cx, error)
  }
}

function joinedOf(cx, v) {
  try {
    return field('=' + v.join('_'))
  } catch (error) {
    return kept(cx, error)
  }
}

/** `Buffer.from(value).toString('base64')` for a truthy value other than a string. */
function base64Of(cx, v) {
  if (typeof v === 'string' || !v) return EMPTY
  try {
    return field('=' + Buffer.from(v).toString('base64'))
  } catch (error) {
    return kept(cx, error)
  }
}

function valueWire(cx, v) {
  switch (typeof v) {
    case 'string':
      return field('s' + v)
    case 'number':
    case 'bigint':
      return field('n' + v)
    case 'boolean':
      return v ? TRUE : FALSE
    case 'undefined':
      return MISSING
    case 'symbol':
      return SYMBOL + textOf(cx, v)
    default:
      if (v === null) return MISSING
      return Array.isArray(v) ? ARRAY + textOf(cx, v) + joinedOf(cx, v) : OBJECT + textOf(cx, v)
  }
}

/** A transformation, as v7's `buildTransformationString` walks it. */
function transformationWire(cx, t) {
  if (!Array.isArray(t)) return NOT_AN_ARRAY
  const l = t.length
  let w = field(String(l))
  for (let i = 0; i < l; i++) {
    const step = t[i]
    if (!step) {
      w += ZERO
      continue
    }
    let params = ''
    let n = 0
    for (const key in step) {
      const v = step[key]
      if (v === undefined || v === null) continue
      params += key === 'overlay' && typeof v === 'object' ? OVERLAY + overlayWire(cx, v) : field('k' + key) + valueWire(cx, v)
      n++
    }
    w += field(String(n)) + params
  }
  return w
}

function overlayWire(cx, overlay) {
  const { type, text, input, color, encoding, layerMode, position, timing, transformation } = overlay
  let w = ''
  let n = 0
  if (text !== undefined) {
    w += TEXT + valueWire(cx, text) + base64Of(cx, text)
    n++
  }
  if (input !== undefined) {
    w += INPUT + valueWire(cx, input) + base64Of(cx, input)
    n++
  }
  if (color !== undefined) {
    w += COLOR + valueWire(cx, color)
    n++
  }
  if (typeof encoding === 'string') {
    w += ENCODING + field(encoding)
    n++
  }
  if (layerMode !== undefined) {
    w += LAYER_MODE + valueWire(cx, layerMode)
    n++
  }
  if (position !== undefined) {
    w += POSITION + fieldsWire(cx, position, POSITION_FIELDS)
    n++
  }
  if (timing !== undefined) {
    w += TIMING + fieldsWire(cx, timing, TIMING_FIELDS)
    n++
  }
  if (transformation !== undefined) {
    w += NESTED + transformationWire(cx, transformation)
    n++
  }
  return field(typeof type === 'string' ? type : type ? '\u0001' : '') + field(String(n)) + w
}

const POSITION_FIELDS = [['x', X], ['y', Y], ['xCenter', X_CENTER], ['yCenter', Y_CENTER], ['focus', FOCUS], ['anchorPoint', ANCHOR]]
const TIMING_FIELDS = [['start', START], ['end', END], ['duration', DURATION]]

/**
 * A position's or timing's fields that are present, or the exception reading them threw
 * (v7 destructures them, which fails for `null`).
 */
function fieldsWire(cx, object, names) {
  try {
    let w = ''
    let n = 0
    for (const [name, code] of names) {
      const v = object[name]
      if (v !== undefined) {
        w += code + valueWire(cx, v)
        n++
      }
    }
    return field(String(n)) + w
  } catch (error) {
    return kept(cx, error)
  }
}

/**
 * `buildSrc`'s options as the wire carries them, and a key that is not a string beside
 * it; `undefined` when the URL cannot be converted to text (v7 returns `''`). `src` and
 * `urlEndpoint` are v7's after its defaults.
 */
function srcWire(cx, options, o, src, endpoint, transformation) {
  let absolute = false
  let base = ''
  let path = ''
  if (src) {
    absolute = src.startsWith('http://') || src.startsWith('https://')
    try {
      base = `${absolute ? src : endpoint}`
      if (!absolute) path = `${src}`
    } catch {
      return undefined
    }
  }
  let w = field(absolute ? 'a' : 'r') + field(base) + field(path) + field((o.transformationPosition || 'query') === 'query' ? 'q' : '')
  const qp = o.queryParameters
  let pairs = ''
  let n = 0
  for (const k in qp) {
    pairs += field(k) + stringOf(cx, qp[k])
    n++
  }
  w += field(String(n)) + pairs + transformationWire(cx, transformation)
  const expiresIn = o.expiresIn
  if (!(o.signed === true || (expiresIn && expiresIn > 0))) return { wire: w + ZERO, key: undefined }
  let expiry = 9999999999
  if (expiresIn && !(expiresIn <= 0)) {
    const seconds = parseInt(String(expiresIn), 10)
    if (seconds) expiry = Math.floor(Date.now() / 1000) + seconds
  }
  const signing = signingKeys(options == null ? undefined : options.privateKey, endpoint, secretKey)
  return { wire: w + ONE + field(String(expiry)) + field(signing.endpoint) + field(signing.key), key: signing.beside }
}

/**
 * The signing fields `url()` and `buildSrc` share: the URL endpoint to strip before signing
 * (`s` and a string endpoint, to which the core adds the trailing slash both SDKs add; `1` and
 * another value's text, stripped as it is) and the key (`1` and a string key, or `v` for one
 * passed beside the wire, converted by `keyOf`); `0` for each when there is no key or no
 * endpoint, which signs with an empty signature.
 */
function signingKeys(key, endpoint, keyOf) {
  if (!key || !endpoint) return { endpoint: '0', key: '0', beside: undefined }
  const endpointField = typeof endpoint === 'string' ? 's' + endpoint : '1' + `${endpoint}`
  if (typeof key === 'string') return { endpoint: endpointField, key: '1' + key, beside: undefined }
  return { endpoint: endpointField, key: 'v', beside: keyOf(key) }
}

let native
let secretKey

/** `urlEndpoint`: the call's, else the instance's (v7 has no instance endpoint). */
function endpointOf(options, o) {
  return o.urlEndpoint || (options == null ? undefined : options.urlEndpoint) || ''
}

const DEFAULT_DEVICE_BREAKPOINTS = [640, 750, 828, 1080, 1200, 1920, 2048, 3840]
const DEFAULT_IMAGE_BREAKPOINTS = [16, 32, 48, 64, 96, 128, 256, 384]

function numbersWire(list, name) {
  let w = field(String(list.length))
  for (const n of list) {
    if (typeof n !== 'number') throw new TypeError(`${name} must be an array of numbers`)
    w += field(String(n))
  }
  return w
}

/** `imagekit.helper`: v7's helper, with the instance's `urlEndpoint` and `privateKey`. */
function makeHelper(instance, authenticationParameters) {
  return {
    buildSrc(opts) {
      const options = instance.options
      const src = opts.src || ''
      if (!src) return ''
      const cx = context()
      const built = srcWire(cx, options, opts, src, endpointOf(options, opts), opts.transformation)
      if (built === undefined) return ''
      return native.helperBuildSrc(built.wire, built.key, cx.errors)
    },

    buildTransformationString(transformation) {
      const cx = context()
      return native.helperTransformation(transformationWire(cx, transformation), cx.errors)
    },

    getAuthenticationParameters(token, expire) {
      const options = instance.options
      if (options == null || !options.privateKey) {
        throw new Error('Private API key is required for authentication parameters generation')
      }
      return authenticationParameters.call(instance, token, expire)
    },

    getResponsiveImageAttributes(opts) {
      const {
        src,
        transformation = [],
        sizes,
        width,
        deviceBreakpoints = DEFAULT_DEVICE_BREAKPOINTS,
        imageBreakpoints = DEFAULT_IMAGE_BREAKPOINTS,
      } = opts
      const devices = [...deviceBreakpoints]
      const images = [...imageBreakpoints]
      const steps = [...transformation]
      if (sizes && typeof sizes !== 'string' && typeof sizes.match !== 'function') {
        throw new TypeError('sizesAttr.match is not a function')
      }
      const options = instance.options
      const cx = context()
      const built = srcWire(cx, options, opts, src || '', endpointOf(options, opts), steps) || {
        wire: srcWire(cx, options, opts, '', '', steps).wire,
        key: undefined,
      }
      const wire =
        built.wire +
        numbersWire(devices, 'deviceBreakpoints') +
        numbersWire(images, 'imageBreakpoints') +
        field(typeof width === 'number' ? String(width) : '') +
        field(sizes ? String(sizes) : '')
      // The descriptor, whether there is a srcSet, src's length and a colon, src, srcSet.
      const r = native.helperResponsive(wire, built.key, cx.errors)
      const colon = r.indexOf(':', 2)
      const end = colon + 1 + Number(r.slice(2, colon))
      const attributes = { src: r.slice(colon + 1, end), srcSet: r[1] === '1' ? r.slice(end) : undefined }
      const finalSizes = sizes ?? (r[0] === 'w' ? '100vw' : undefined)
      if (finalSizes) attributes.sizes = finalSizes
      if (width !== undefined) attributes.width = width
      return attributes
    },
  }
}

/** The `standardwebhooks` package's error, which v7's `unwrap` throws. */
class WebhookVerificationError extends Error {
  constructor(message) {
    super(message)
    this.name = 'WebhookVerificationError'
  }
}

/** The key `unwrap` verifies with when none is given: `webhookSecret`, else the environment's. */
function webhookSecretOf(instance) {
  const options = instance.options
  const secret = options == null ? undefined : options.webhookSecret
  if (secret !== undefined) return secret
  const env = process.env.IMAGEKIT_WEBHOOK_SECRET
  return (env !== undefined && env.trim()) || null
}

/** `imagekit.webhooks`: v7's `unwrap` and `unsafeUnwrap` (Standard Webhooks). */
function makeWebhooks(instance) {
  return {
    unwrap(body, { headers, key }) {
      if (headers !== undefined) {
        const secret = key === undefined ? webhookSecretOf(instance) : key
        if (secret === null) throw new Error('Webhook key must not be null in order to unwrap')
        const keyBytes = typeof secret === 'string' ? secret : secret ? Buffer.from(secret) : ''
        if (keyBytes.length === 0) throw new Error("Secret can't be empty.")
        let id
        let timestamp
        let signature
        for (const name of Object.keys(headers)) {
          switch (name.toLowerCase()) {
            case 'webhook-id':
              id = headers[name]
              break
            case 'webhook-timestamp':
              timestamp = headers[name]
              break
            case 'webhook-signature':
              signature = headers[name]
              break
          }
        }
        if (!signature || !id || !timestamp) throw new WebhookVerificationError('Missing required headers')
        if (typeof signature !== 'string') signature = signature.split(' ').join(' ')
        // A body other than a string or a Buffer is refused once the timestamp passed.
        let payload
        let payloadError
        if (typeof body === 'string') payload = body
        else {
          try {
            if (body.constructor.name === 'Buffer') payload = body
          } catch (error) {
            payloadError = error
          }
        }
        const refusal = native.verifyStandardWebhook(payload, `${id}`, `${timestamp}`, signature, keyBytes, Date.now())
        if (refusal !== undefined) {
          if (payload === undefined && refusal === 'Expected payload to be of type string or Buffer.') {
            throw payloadError || new Error(refusal)
          }
          throw new WebhookVerificationError(refusal)
        }
      }
      return JSON.parse(body)
    },

    unsafeUnwrap(body) {
      return JSON.parse(body)
    },
  }
}

/**
 * Adds `helper` and `webhooks` to the class as prototype getters, so that an instance's
 * own keys stay v6's; each instance gets one of each, made on first use.
 */
function install(ImageKit, nativeModule, keyOf, authenticationParameters) {
  native = nativeModule
  secretKey = keyOf
  const made = new WeakMap()
  const getter = (name, make) =>
    Object.defineProperty(ImageKit.prototype, name, {
      configurable: true,
      enumerable: false,
      get() {
        let parts = made.get(this)
        if (parts === undefined) {
          parts = {}
          made.set(this, parts)
        }
        if (parts[name] === undefined) parts[name] = make(this)
        return parts[name]
      },
    })
  getter('helper', (instance) => makeHelper(instance, authenticationParameters))
  getter('webhooks', makeWebhooks)
}

module.exports = { install, field, signingKeys }
