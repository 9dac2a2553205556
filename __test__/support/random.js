'use strict'
// Seeded random input for the differential and no-crash tests. A fixed seed keeps a failure
// reproducible; IK_SEED=<n> explores other seeds. Every test prints the seed it used.

// Every name of v6's table, read from the reference so a name cannot be forgotten.
const SUPPORTED_TRANSFORMS = Object.keys(
  require('imagekit-reference/dist/libs/constants/supportedTransforms.js').default,
)

/** mulberry32: a tiny 32-bit PRNG, good enough to spread inputs, fully deterministic. */
function mulberry32(seed) {
  let a = seed >>> 0
  return function next() {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

function seedFromEnv(fallback) {
  const s = process.env.IK_SEED
  return s === undefined ? fallback : Number.parseInt(s, 10) >>> 0
}

class Random {
  constructor(seed) {
    this.seed = seed
    this.next = mulberry32(seed)
  }
  int(n) {
    return Math.floor(this.next() * n)
  }
  chance(p) {
    return this.next() < p
  }
  pick(list) {
    return list[this.int(list.length)]
  }
  /** Concatenates 0..max random pieces. */
  join(pieces, max) {
    let s = ''
    for (let i = this.int(max + 1); i > 0; i--) s += this.pick(pieces)
    return s
  }
}

// Pieces of paths, values and URLs: separators, dot segments, characters the URL parser
// and URLSearchParams encode, non-ASCII (BMP, astral, a lone surrogate), control characters.
const TEXT_PIECES = [
  '/', '//', 'a', 'img.jpg', 'folder', '..', '.', '?', '#', '%', '%20', '%2F', '%zz', ' ', '+',
  '&', '=', ',', ':', ';', '@', '!', '$', "'", '(', ')', '*', '~', '\\', '|', '"', '<', '>', '^',
  '`', '{', '}', '[', ']', '\t', '\n', '\0', 'ü', 'é', '日本', '😀', '\ud800', '\udfff', 'tr:w-1',
  'ik-s', 'ik-t', 'tr', '-', '_', 'A', 'Z', '0', '9', 'x=1', 'default-image.jpg', '\u00a0', '\u2028',
]

const ENDPOINTS = [
  'https://ik.imagekit.io/demo',
  'https://ik.imagekit.io/demo/',
  'https://ik.imagekit.io',
  'https://ik.imagekit.io/',
  'https://ik.imagekit.io/demo/sub/dir//',
  'https://ik.imagekit.io//demo',
  'http://localhost:8080/a/b/',
  'http://localhost:80/',
  'https://ik.imagekit.io:443/demo',
  'HTTPS://IK.ImageKit.IO/Demo',
  'HtTp://Example.COM:8080/X/',
  'https://ik.imagekit.io/demo?v=1',
  'https://ik.imagekit.io/demo/?a=1&b=x%20y&a=2',
  'https://ik.imagekit.io/demo?tr=w-1&ik-s=x',
  'https://ik.imagekit.io/demo#frag',
  'https://ik.imagekit.io/demo/?q=1#frag',
  'https://ik.imagekit.io/demo?',
  'http://127.0.0.1:3000/x',
  'http://127.1/',
  'http://0x7f.0.0.1/p',
  'http://[::1]:8080/p/',
  'http://[2001:DB8::1]/',
  'http://[::ffff:192.168.0.1]/a',
  'https://user:pa ss@ik.imagekit.io/demo',
  'https://ik.imagekit.io/ü/',
  'https://bücher.example/',
  'https://xn--bcher-kva.example/x',
  'https://ik.imagekit.io/a b/',
  'https://ik.imagekit.io/%7Euser/',
  'https://ik.imagekit.io/demo\\sub',
  'https://ik.imagekit.io/./a/../b/',
  '  https://ik.imagekit.io/trim  ',
  'https://ik.imagekit.io/tab\there',
  'ftp://example.com/a',
  'file:///tmp/x',
  'ws://example.com/s',
  'foo://host/path',
  'foo:bar',
  'mailto:a@b.c',
  'javascript:alert(1)',
  'data:text/plain,hi',
  'https://',
  'https:/ik.imagekit.io/x',
  'https:ik.imagekit.io',
  'http://exa mple.com/',
  'http://[::1/',
  'http://256.256.256.256/',
  'not a url',
  '/relative/path',
  '',
]

const NUMBERS = [0, -0, 1, -1, 1.5, -3.25, 300, 1e21, 1e-7, 2 ** 53, 2 ** 53 + 2, NaN, Infinity, -Infinity, 0.1 + 0.2]

/** A value of any JavaScript type, as callers pass to options they should not. */
function anyValue(r, depth = 0) {
  switch (r.int(22)) {
    case 0: return undefined
    case 1: return null
    case 2: return r.chance(0.5)
    case 3: case 4: return r.pick(NUMBERS)
    case 5: return r.int(10000) - 100
    case 6: return BigInt(r.int(1000) - 10)
    case 7: return r.chance(0.5) ? Symbol('s') : Symbol()
    case 8: {
      // Fixed at generation time: both implementations must see the same string.
      const text = r.join(TEXT_PIECES, 3) || 'obj'
      return { toString: () => text }
    }
    case 9: return { valueOf: () => 7 }
    case 10: return depth < 2 ? [anyValue(r, depth + 1), anyValue(r, depth + 1)] : []
    case 11: return r.chance(0.5) ? new Date(r.int(2e12)) : new Date(NaN)
    case 12: return r.chance(0.5) ? function named() {} : () => 1
    case 13: return {}
    case 14: return Object.create(null)
    case 15: return '-'
    case 16: return ''
    case 17: return '/' + r.join(TEXT_PIECES, 3) + '/'
    default: return r.join(TEXT_PIECES, 5)
  }
}

function caseVariant(r, name) {
  switch (r.int(4)) {
    case 0: return name.toLowerCase()
    case 1: return name.toUpperCase()
    case 2: return name[0].toUpperCase() + name.slice(1)
    default: return name
  }
}

const UNKNOWN_KEYS = [
  'w', 'h', 'l', 'raw', 'RAW', 'di', 'foo', 'bar-baz', '', ' ', '0', '12', 'ü', 'constructor',
  'toString', 'hasOwnProperty', 'valueOf', '__proto__', 'e-grayscale', 'tr', '-', ',', ':',
]

function transformationKey(r) {
  const roll = r.int(10)
  if (roll < 5) return r.pick(SUPPORTED_TRANSFORMS)
  if (roll < 7) return caseVariant(r, r.pick(SUPPORTED_TRANSFORMS))
  if (roll < 8) return 'raw'
  return r.pick(UNKNOWN_KEYS)
}

function transformationValue(r, key) {
  const roll = r.int(10)
  if (roll < 2) return '-'
  if (key === 'raw' && roll < 6) return r.pick(['l-text,i-Hello,l-end', 'w-100:h-200', 'e-grayscale', '', 'a b,c'])
  if (/^defaultimage$|^di$/i.test(key) && roll < 7) {
    return r.pick(['/folder/default.jpg', 'a/b/c.png/', '//x//', '/', 'plain.jpg', '/a//b/'])
  }
  if (roll < 5) return r.pick(['300', '400', 'auto', 'N-3', 'maintain_ratio', 'FFFFFF', 'true', '0.5'])
  return anyValue(r)
}

function transformationStep(r) {
  const roll = r.int(40)
  if (roll === 0) return anyValue(r)
  if (roll === 1) return 'ab'
  const step = {}
  for (let n = r.int(6); n > 0; n--) {
    const key = transformationKey(r)
    step[key] = transformationValue(r, key)
  }
  return step
}

function transformation(r) {
  const roll = r.int(30)
  if (roll === 0) return anyValue(r)
  if (roll === 1) return { 0: { width: 1 }, length: 1 }
  const steps = []
  for (let n = r.int(5); n > 0; n--) steps.push(transformationStep(r))
  return steps
}

function queryParameters(r) {
  if (r.chance(0.1)) return anyValue(r)
  const params = {}
  for (let n = r.int(4); n > 0; n--) {
    const key = r.chance(0.3) ? r.pick(['v', 'a', 'tr', 'ik-s', 'ik-t', 'q', '']) : r.join(TEXT_PIECES, 3)
    params[key] = r.chance(0.6) ? r.join(TEXT_PIECES, 3) : anyValue(r)
  }
  return params
}

function endpoint(r) {
  const roll = r.int(20)
  if (roll < 13) return r.pick(ENDPOINTS)
  if (roll < 18) return r.pick(ENDPOINTS) + r.join(TEXT_PIECES, 4)
  return anyValue(r)
}

function path(r) {
  const roll = r.int(20)
  if (roll < 16) return r.join(TEXT_PIECES, 7)
  if (roll < 18) return r.pick(['/default-image.jpg', 'a.jpg', '/', '', '../../etc/passwd', '//x//y//'])
  return anyValue(r)
}

function expireSeconds(r) {
  return r.pick([
    100, 300, 0, -0, -100, 1.9, 1e21, NaN, Infinity, 2 ** 53, '300', '12abc', ' 42', '0x10', '',
    '99999999999999999999999', true, null, undefined, Symbol('e'), 10n, { toString: () => '60' }, [5],
  ])
}

const PRIVATE_KEYS = () => [
  'private_key_test', 'k', 'ü-key', '\ud800', Buffer.from('buffer-key'), new Uint8Array([1, 2, 3]),
]

/** Constructor options: mostly valid, sometimes missing or odd. */
function constructorOptions(r) {
  const o = { publicKey: 'public_key_test', privateKey: 'private_key_test', urlEndpoint: r.pick(ENDPOINTS) }
  if (r.chance(0.1)) o.privateKey = r.pick(PRIVATE_KEYS())
  if (r.chance(0.05)) o.urlEndpoint = anyValue(r)
  if (r.chance(0.2)) o.transformationPosition = r.pick(['query', 'path', 'QUERY', undefined, 1])
  if (r.chance(0.02)) delete o[r.pick(['publicKey', 'privateKey', 'urlEndpoint'])]
  return o
}

/** One url() option set covering every option v6 reads. */
function urlOptions(r) {
  const o = {}
  const source = r.int(10)
  if (source < 6) o.path = path(r)
  else if (source < 9) o.src = r.chance(0.8) ? r.pick(ENDPOINTS) + r.join(TEXT_PIECES, 5) : anyValue(r)
  else {
    o.path = path(r)
    o.src = r.pick(ENDPOINTS) + r.join(TEXT_PIECES, 2)
  }
  if (r.chance(0.3)) o.urlEndpoint = endpoint(r)
  if (r.chance(0.75)) o.transformation = transformation(r)
  if (r.chance(0.3)) o.transformationPosition = r.pick(['path', 'query', 'query', 'Query', '', undefined, null])
  if (r.chance(0.35)) o.queryParameters = queryParameters(r)
  if (r.chance(0.3)) {
    o.signed = r.chance(0.85) ? true : r.pick([false, 'true', 1, undefined])
    if (r.chance(0.5)) o.expireSeconds = expireSeconds(r)
  }
  if (r.chance(0.03)) o.privateKey = r.pick([...PRIVATE_KEYS(), '', 0, anyValue(r)])
  return o
}

module.exports = {
  Random,
  seedFromEnv,
  anyValue,
  urlOptions,
  constructorOptions,
  TEXT_PIECES,
  ENDPOINTS,
  SUPPORTED_TRANSFORMS,
}
