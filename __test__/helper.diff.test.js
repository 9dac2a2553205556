'use strict'
// Differential tests of `imagekit.helper` against the SDKs it follows: `buildSrc` and
// `buildTransformationString` against `@imagekit/nodejs` 7.11's helper,
// `getResponsiveImageAttributes` against `@imagekit/javascript` 5.5.1, on seeded random
// corpora (IK_SEED changes the seed; every test prints its own). Equal output, or the
// same error: the same class and message, except for the engine's own TypeError or
// URIError on garbage input, where the class is enough.

const test = require('node:test')
const assert = require('node:assert/strict')

const V7 = require('@imagekit/nodejs').default
const { supportedTransforms } = require('@imagekit/nodejs/lib/transformation-utils')
const { getResponsiveImageAttributes: browserResponsive, buildSrc: browserBuildSrc } = require('@imagekit/javascript')
const Ours = require('..')
const { Random, seedFromEnv, anyValue, TEXT_PIECES, ENDPOINTS } = require('./support/random.js')
const { outcome, show } = require('./support/outcome.js')

const PRIVATE_KEY = 'private_key_test'
const ENDPOINT = 'https://ik.imagekit.io/demo'
const ours = new Ours({ publicKey: 'public_key_test', privateKey: PRIVATE_KEY, urlEndpoint: ENDPOINT })
const v7 = new V7({ privateKey: PRIVATE_KEY })

const V7_KEYS = Object.keys(supportedTransforms)
const ENGINE_ERRORS = new Set(['TypeError', 'SyntaxError', 'URIError', 'RangeError'])
const hasLoneSurrogate = (s) => typeof s === 'string' && !s.isWellFormed()

/**
 * Whether two outcomes agree. A URL v7 returns with a lone surrogate in it (copied from a
 * transformation value) is compared as text: ours has U+FFFD there, the character every
 * UTF-8 encoder (an HTTP request's) writes for it. See README, "Differences from v7".
 */
function same(expected, actual) {
  if (expected.threw && actual.threw && ENGINE_ERRORS.has(expected.threw.error)) {
    return expected.threw.error === actual.threw.error
  }
  if (expected.value !== undefined && hasLoneSurrogate(expected.value)) {
    return actual.value === expected.value.toWellFormed()
  }
  try {
    assert.deepStrictEqual(actual, expected)
    return true
  } catch {
    return false
  }
}

/** Runs `fn` with `Date` fixed at `ms` (both `Date.now()` and `new Date()`). */
function atTime(ms, fn) {
  const RealDate = global.Date
  class FixedDate extends RealDate {
    constructor(...args) {
      if (args.length === 0) super(ms)
      else super(...args)
    }
    static now() {
      return ms
    }
  }
  global.Date = FixedDate
  try {
    return fn()
  } finally {
    global.Date = RealDate
  }
}

const FIXED_NOW = 1_765_000_000_123

// Text without lone surrogates, for values v7 copies into the URL as they are.
const WELL_FORMED = TEXT_PIECES.filter((p) => p.isWellFormed())

const KEY_PICKS = [
  'raw', 'overlay', 'foo', 'bar-baz', '', 'e-grayscale', 'e-sharpen', 'constructor', 'toString', 'hasOwnProperty',
  'tr', 'ü', 'w', 'density', 'layerMode', 'WIDTH', 'Width', 'airemovebackground',
]

function key(r) {
  const roll = r.int(10)
  if (roll < 6) return r.pick(V7_KEYS)
  if (roll < 7) return r.chance(0.5) ? r.pick(V7_KEYS).toLowerCase() : r.pick(V7_KEYS).toUpperCase()
  return r.pick(KEY_PICKS)
}

/** A value for a transformation key: mostly of the right type, often not. */
function value(r, k, depth) {
  const roll = r.int(20)
  if (roll < 3) return r.pick([true, 'true', '-', '', ' ', false, 'false'])
  if (roll < 7) return r.pick([300, 0, -1, 1.5, 'auto', 'N-30', 'max', 'FF0000', 'at_max', '10', 'h', 'b_i', 'bl-10'])
  if (roll < 9) return r.pick(['/folder/a.jpg', 'a/b/', '//x//', '/', 'Roboto.ttf', 'fonts/My Font.ttf'])
  if (roll < 10) return r.pick([['240', '360'], [], ['1080'], [1, [2, 3]], [null, 'a']])
  if (roll < 12 && depth < 2 && k === 'overlay') return overlay(r, depth + 1)
  if (roll < 14) return r.join(WELL_FORMED, 4)
  const v = anyValue(r)
  // anyValue's objects print a random text, which may hold a lone surrogate.
  return typeof v === 'string' && !v.isWellFormed() ? v.toWellFormed() : v
}

function fields(r, names, depth) {
  const roll = r.int(12)
  if (roll === 0) return null
  if (roll === 1) return undefined
  if (roll === 2) return r.pick(['str', 5, [], {}])
  const out = {}
  for (const name of names) {
    if (r.chance(0.5)) out[name] = r.chance(0.7) ? r.pick([10, 0, 'N-20', 'bh_div_2', 'center', 'top_left', '5', -3, '']) : value(r, name, depth)
  }
  return out
}

function payloadValue(r) {
  const roll = r.int(12)
  if (roll < 4) return r.pick(['Hi there!', 'Hello', 'a-b_c.d e', 'Ünïcödé', '/folder/logo.png', 'logo.png', 'a/b/c.png/', 'path with space/x.png', 'a+b=c?d&e'])
  if (roll < 7) return r.join(TEXT_PIECES, 4)
  if (roll < 8) return r.pick([5, true, ['a', 'b'], [104, 105], { toString: () => 'obj' }, '', 0, null])
  return r.join(WELL_FORMED, 3)
}

function overlay(r, depth = 0) {
  const o = {}
  if (r.chance(0.95)) o.type = r.pick(['text', 'image', 'video', 'subtitle', 'solidColor', 'text', 'image', '', 'unknown', 5, {}, null])
  if (r.chance(0.8)) o.text = payloadValue(r)
  if (r.chance(0.8)) o.input = payloadValue(r)
  if (r.chance(0.6)) o.color = r.pick(['FF0000', '00FF0080', '', 'red', 0, 5])
  if (r.chance(0.6)) o.encoding = r.pick(['plain', 'base64', 'auto', undefined, 'x', 1, ''])
  if (r.chance(0.3)) o.layerMode = r.pick(['multiply', 'cutter', 'cutout', 'displace', '', 0, 7])
  if (r.chance(0.6)) o.position = fields(r, ['x', 'y', 'xCenter', 'yCenter', 'focus', 'anchorPoint'], depth)
  if (r.chance(0.4)) o.timing = fields(r, ['start', 'end', 'duration'], depth)
  if (r.chance(0.5) && depth < 2) o.transformation = r.chance(0.9) ? steps(r, depth + 1) : anyValue(r)
  return o
}

function step(r, depth) {
  const roll = r.int(40)
  if (roll === 0) return anyValue(r)
  if (roll === 1) return 'ab'
  const s = {}
  for (let n = r.int(6); n > 0; n--) {
    const k = r.chance(0.2) ? 'overlay' : key(r)
    s[k] = k === 'overlay' && r.chance(0.85) ? overlay(r, depth) : value(r, k, depth)
  }
  return s
}

function steps(r, depth = 0) {
  const list = []
  for (let n = r.int(4); n > 0; n--) list.push(step(r, depth))
  return list
}

function transformation(r) {
  const roll = r.int(30)
  if (roll === 0) return anyValue(r)
  if (roll === 1) return undefined
  return steps(r)
}

function src(r) {
  const roll = r.int(20)
  if (roll < 10) return r.pick(['/a.jpg', 'a.jpg', '/folder/sub/a b.png', '//double//slash.jpg', '/ü/日本.jpg', '/a.jpg?x=1', '/a#b.jpg', '/./a/../b.jpg', '/tr:w-100/a.jpg', '/PLEASEREPLACEJUSTBEFORESIGN.jpg'])
  if (roll < 14) return r.pick(['https://example.com/a.jpg', 'http://example.com/a b.jpg?q=1', 'https://ik.imagekit.io/demo/a.jpg', 'https://x.com/a.jpg#frag', 'https://x.com/?', 'https://x.com/a.jpg?tr=w-1', 'https:/x.com/a', 'https://'])
  if (roll < 17) return '/' + r.join(TEXT_PIECES, 4)
  if (roll < 18) return r.pick(['', undefined, null, 0])
  return r.pick([5, { startsWith: () => false, toString: () => '/obj.jpg' }, ['a'], true])
}

function queryParameters(r) {
  if (r.chance(0.6)) return undefined
  if (r.chance(0.1)) return anyValue(r)
  const params = {}
  for (let n = r.int(4); n > 0; n--) {
    params[r.chance(0.5) ? r.pick(['v', 'a', 'tr', 'ik-s', 'q', '']) : r.join(TEXT_PIECES, 2)] = r.chance(0.7) ? r.join(TEXT_PIECES, 3) : anyValue(r)
  }
  return params
}

function srcOptions(r) {
  const o = {
    src: src(r),
    urlEndpoint: r.chance(0.85) ? r.pick(ENDPOINTS.slice(0, 30)) : r.pick(ENDPOINTS.filter(Boolean)),
  }
  if (r.chance(0.8)) o.transformation = transformation(r)
  if (r.chance(0.5)) o.transformationPosition = r.pick(['query', 'path', 'path', 'x', undefined, ''])
  const qp = queryParameters(r)
  if (qp !== undefined) o.queryParameters = qp
  if (r.chance(0.3)) o.signed = r.pick([true, true, false, 'true', 1])
  if (r.chance(0.25)) o.expiresIn = r.pick([100, 0, -5, 1.9, '300', 'x', 1e10, 3600])
  return o
}

/** A fresh copy of the options: v7 writes its defaults into the object it is given. */
const copy = (o) => (o !== null && typeof o === 'object' ? { ...o } : o)

function compareAll(name, cases, expectedOf, actualOf, seed, tallyOf) {
  const mismatches = []
  const tally = { values: 0, errors: 0 }
  for (const [i, input] of cases.entries()) {
    const expected = atTime(FIXED_NOW, () => outcome(() => expectedOf(input)))
    const actual = atTime(FIXED_NOW, () => outcome(() => actualOf(input)))
    if (expected.threw) tally.errors++
    else tally.values++
    if (tallyOf) tallyOf(tally, input, expected)
    if (!same(expected, actual)) mismatches.push({ i, input, expected, actual })
  }
  console.log(`${name}: ${cases.length} cases, ${JSON.stringify(tally)}, mismatches: ${mismatches.length}`)
  const report = mismatches
    .slice(0, 8)
    .map((m) => `#${m.i} input=${show(m.input)}\n  expected=${show(m.expected)}\n  ours    =${show(m.actual)}`)
    .join('\n')
  assert.equal(mismatches.length, 0, `seed ${seed}: ${mismatches.length} mismatches, first ones:\n${report}`)
  return tally
}

test('helper.buildTransformationString equals v7 on seeded random transformations', () => {
  const seed = seedFromEnv(0x7e1f0a11)
  const r = new Random(seed)
  console.log(`buildTransformationString seed: ${seed} (set IK_SEED to change)`)
  const cases = Array.from({ length: 20000 }, () => transformation(r))
  const tally = compareAll(
    'buildTransformationString',
    cases,
    (t) => v7.helper.buildTransformationString(t),
    (t) => ours.helper.buildTransformationString(t),
    seed,
    (tally, t, expected) => {
      if (!expected.threw && /l-(text|image|video|subtitles)/.test(expected.value)) tally.overlays = (tally.overlays || 0) + 1
    },
  )
  assert.ok(tally.values > 15000 && tally.errors > 100, `the corpus must reach both outcomes: ${JSON.stringify(tally)}`)
  assert.ok(tally.overlays > 2000, `too few overlays written: ${tally.overlays}`)
})

test('helper.buildSrc equals v7 on seeded random options (absolute and relative src, both positions, signed with a fixed clock)', () => {
  const seed = seedFromEnv(0x5eed5a5c)
  const r = new Random(seed)
  console.log(`buildSrc seed: ${seed} (set IK_SEED to change)`)
  const cases = Array.from({ length: 20000 }, () => srcOptions(r))
  const tally = compareAll(
    'buildSrc',
    cases,
    (o) => v7.helper.buildSrc(copy(o)),
    (o) => ours.helper.buildSrc(copy(o)),
    seed,
    (tally, o, expected) => {
      if (!expected.threw && expected.value.includes('ik-s=')) tally.signed = (tally.signed || 0) + 1
      if (!expected.threw && expected.value.includes('ik-t=')) tally.expiring = (tally.expiring || 0) + 1
      if (!expected.threw && expected.value === '') tally.empty = (tally.empty || 0) + 1
    },
  )
  assert.ok(tally.values > 15000 && tally.errors > 100, `the corpus must reach both outcomes: ${JSON.stringify(tally)}`)
  assert.ok(tally.signed > 1000 && tally.expiring > 300 && tally.empty > 300, JSON.stringify(tally))
})

test('helper.buildSrc: the examples of the issue and the README', () => {
  const overlay = ours.helper.buildSrc({
    src: '/a.jpg',
    urlEndpoint: ENDPOINT,
    transformation: [{ width: 300, overlay: { type: 'text', text: 'Hi there!', transformation: [{ fontSize: 20 }] } }],
  })
  assert.equal(overlay, 'https://ik.imagekit.io/demo/a.jpg?tr=w-300,l-text,ie-SGkgdGhlcmUh,fs-20,l-end')
  const effects = ours.helper.buildSrc({ src: '/a.jpg', transformation: [{ aiRemoveBackground: true, sharpen: 10 }] })
  assert.equal(effects, 'https://ik.imagekit.io/demo/a.jpg?tr=e-bgremove,e-sharpen-10')
})

test("helper.buildSrc: without urlEndpoint, the instance's (v7 has none); the options given are left as they were", () => {
  const options = { src: '/a.jpg', transformation: [{ width: 100 }] }
  const before = JSON.stringify(options)
  assert.equal(ours.helper.buildSrc(options), v7.helper.buildSrc({ ...options, urlEndpoint: ENDPOINT }))
  assert.equal(JSON.stringify(options), before)
  // Signed with the instance's private key, as v7 signs with the client's.
  const signed = { src: '/a.jpg', signed: true, expiresIn: 60 }
  atTime(FIXED_NOW, () => assert.equal(ours.helper.buildSrc({ ...signed }), v7.helper.buildSrc({ ...signed, urlEndpoint: ENDPOINT })))
})

// Where the browser SDK's URLs and v7's may be compared: keys their tables agree on (v7 has
// `color`, the browser SDK `density` and `layerMode`), overlays without both `focus` and
// `anchorPoint` (which they write in opposite orders), and values the URL path keeps as
// they are (the browser SDK sets a path transformation through `URL.pathname`, which
// percent-encodes; v7 writes it as it is).
const COMMON_KEYS = V7_KEYS.filter((k) => k !== 'color')

function commonOverlay(r) {
  const o = { type: r.pick(['text', 'image', 'video', 'subtitle', 'solidColor', 'unknown', '']) }
  if (r.chance(0.8)) o.text = r.pick(['Hi there!', 'Hello', 'a-b_c.d', 'Ünïcödé', ''])
  if (r.chance(0.8)) o.input = r.pick(['/folder/logo.png', 'logo.png', 'a/b/c.png/', 'a_b.png'])
  if (r.chance(0.5)) o.color = r.pick(['FF0000', '00FF0080', ''])
  if (r.chance(0.5)) o.encoding = r.pick(['plain', 'base64', 'auto'])
  if (r.chance(0.3)) o.layerMode = r.pick(['multiply', 'cutter'])
  if (r.chance(0.5)) {
    o.position = {}
    for (const name of ['x', 'y', 'xCenter', 'yCenter', r.pick(['focus', 'anchorPoint'])]) {
      if (r.chance(0.5)) o.position[name] = r.pick([10, 0, 'N-20', 'bh_div_2', 'center'])
    }
  }
  if (r.chance(0.3)) o.timing = { start: r.pick([2, '5', 0]), duration: r.pick([3, undefined]) }
  if (r.chance(0.3)) o.transformation = [{ width: r.pick([10, 'bw_div_2']), fontSize: r.pick([20, undefined]) }]
  return o
}

function commonStep(r) {
  const s = {}
  for (let n = r.int(4); n > 0; n--) {
    const k = r.chance(0.15) ? 'overlay' : r.pick(COMMON_KEYS)
    s[k] = k === 'overlay' ? commonOverlay(r) : r.pick([300, 'auto', true, '-', 'FF0000', 10, 'at_max', '', 'true'])
  }
  return s
}

function breakpoints(r) {
  const roll = r.int(8)
  if (roll === 0) return undefined
  if (roll === 1) return []
  const list = []
  for (let n = 1 + r.int(8); n > 0; n--) list.push(r.pick([16, 32, 100, 320, 640, 640, 750, 1080, 1200, 1920, 3840, 0, 48.5, 5000]))
  return list
}

function responsiveOptions(r) {
  const o = {
    src: r.pick(['/a.jpg', 'a.jpg', '/folder/b c.png', 'https://example.com/x.jpg', '/ü.jpg', '']),
    urlEndpoint: r.pick(['https://ik.imagekit.io/demo', 'https://ik.imagekit.io/demo/', 'https://ik.imagekit.io', 'http://localhost:8080/a/b/']),
  }
  if (r.chance(0.6)) o.transformation = Array.from({ length: r.int(3) }, () => commonStep(r))
  if (r.chance(0.3)) o.transformationPosition = r.pick(['query', 'path'])
  if (r.chance(0.2)) o.queryParameters = { v: r.pick(['1', 'a b']) }
  if (r.chance(0.5)) o.sizes = r.pick(['100vw', '50vw', '(min-width: 768px) 50vw, 100vw', '33vw', '(max-width: 600px) 480px, 800px', '', 'calc(100vw - 2rem)', ' 5vw 150vw', '1000vw', '10vw20vw', null])
  if (r.chance(0.5)) o.width = r.pick([400, 100, 1, 0, 5000, 640, 1921, 48.5, '400', undefined, null])
  const device = breakpoints(r)
  if (device !== undefined) o.deviceBreakpoints = device
  const image = breakpoints(r)
  if (image !== undefined) o.imageBreakpoints = image
  return o
}

test('helper.getResponsiveImageAttributes equals @imagekit/javascript 5.5.1 (breakpoints unsorted, duplicated, empty; sizes with and without vw)', () => {
  const seed = seedFromEnv(0x2e5b0a5e)
  const r = new Random(seed)
  console.log(`getResponsiveImageAttributes seed: ${seed} (set IK_SEED to change)`)
  const cases = Array.from({ length: 5000 }, () => responsiveOptions(r))
  const tally = compareAll(
    'getResponsiveImageAttributes',
    cases,
    (o) => browserResponsive(copy(o)),
    (o) => ours.helper.getResponsiveImageAttributes(copy(o)),
    seed,
    (tally, o, expected) => {
      if (expected.threw) return
      const kind = / \d+x(,|$)/.test(expected.value.srcSet || '') ? 'x' : 'w'
      tally[kind] = (tally[kind] || 0) + 1
      if (expected.value.srcSet === undefined) tally.noSrcSet = (tally.noSrcSet || 0) + 1
    },
  )
  assert.ok(tally.x > 500 && tally.w > 2000 && tally.noSrcSet > 50, JSON.stringify(tally))
})

test('helper.getResponsiveImageAttributes signs every candidate as buildSrc signs it', () => {
  const seed = seedFromEnv(0x519ed)
  const r = new Random(seed)
  let candidates = 0
  for (let i = 0; i < 500; i++) {
    const o = { ...responsiveOptions(r), signed: true }
    if (r.chance(0.5)) o.expiresIn = 600
    if (!o.src) continue
    const tried = atTime(FIXED_NOW, () => outcome(() => ours.helper.getResponsiveImageAttributes(copy(o))))
    if (tried.threw) {
      // A value v7 cannot write (a font family that is a number): the same error unsigned.
      assert.equal(outcome(() => browserResponsive(copy(o))).threw.error, tried.threw.error)
      continue
    }
    const got = tried.value
    const unsigned = browserResponsive(copy(o))
    const urls = (got.srcSet || '').split(', ').filter(Boolean)
    const plain = (unsigned.srcSet || '').split(', ').filter(Boolean)
    assert.equal(urls.length, plain.length)
    for (const [j, entry] of urls.entries()) {
      const descriptor = entry.slice(entry.lastIndexOf(' ') + 1)
      assert.equal(descriptor, plain[j].slice(plain[j].lastIndexOf(' ') + 1))
      const widths = [...plain[j].matchAll(/w-([\d.]+),c-at_max/g)]
      const width = widths.length ? Number(widths[widths.length - 1][1]) : undefined
      const expected = atTime(FIXED_NOW, () =>
        v7.helper.buildSrc({ ...o, transformation: [...(o.transformation || []), { width, crop: 'at_max' }] }),
      )
      assert.equal(entry, `${expected} ${descriptor}`, `seed ${seed}, case ${i}: ${show(o)}`)
      assert.match(entry, /[?&]ik-s=[0-9a-f]{40}/)
      candidates++
    }
  }
  assert.ok(candidates > 1000, `too few candidates: ${candidates}`)
})

test('helper.getAuthenticationParameters: v7’s, with the instance’s private key', () => {
  const { token, expire, signature } = ours.helper.getAuthenticationParameters('tok', 1800000000)
  assert.deepEqual({ token, expire, signature }, v7.helper.getAuthenticationParameters('tok', 1800000000))
  const generated = ours.helper.getAuthenticationParameters()
  assert.match(generated.token, /^[0-9a-f-]{36}$/)
  assert.ok(Math.abs(generated.expire - (Math.floor(Date.now() / 1000) + 1800)) <= 1)
  const keyless = Object.create(Ours.prototype, { options: { value: { privateKey: '' } } })
  assert.throws(() => keyless.helper.getAuthenticationParameters(), {
    message: 'Private API key is required for authentication parameters generation',
  })
})

test('the browser SDK’s own buildSrc agrees with v7 on the responsive corpus, so comparing with it tests ours', () => {
  const r = new Random(0xb5)
  for (let i = 0; i < 500; i++) {
    const o = responsiveOptions(r)
    o.transformation = o.transformation || []
    const a = outcome(() => browserBuildSrc(copy(o)))
    const b = outcome(() => v7.helper.buildSrc(copy(o)))
    assert.deepEqual(a, b, show(o))
  }
})
