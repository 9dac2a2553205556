'use strict'
// Differential tests of the object model: own properties, the class's name and arity,
// methods taken off an instance (with `this` undefined or unrelated), subclasses, options
// changed after construction and the prototype's methods. Each aspect runs one probe,
// which returns plain data, against our ImageKit and v6's, and compares the results.

const test = require('node:test')
const assert = require('node:assert/strict')
const crypto = require('node:crypto')
const { inspect } = require('node:util')

const Reference = require('imagekit-reference')
// OBJECT_MODEL_SELF_CHECK=1 runs both sides on imagekit-reference, to check the probes themselves.
const Ours = process.env.OBJECT_MODEL_SELF_CHECK ? require('imagekit-reference') : require('..')
const { startCapture } = require('./helpers/capture.js')

/** Closes the capture server, asserting that no request reached it. */
async function closeExpectingNothing(capture) {
  const sent = capture.take()
  await capture.close()
  assert.deepEqual(
    sent.map((r) => `${r.method} ${r.url}`),
    [],
    'no request is sent',
  )
}

const OPTS = { publicKey: 'public_x', privateKey: 'private_x', urlEndpoint: 'https://ik.imagekit.io/demo' }

// Every v6 method that reads `this.options` (all but pHashDistance, which ignores `this`).
const THIS_METHODS = [
  'upload',
  'listFiles',
  'getFileDetails',
  'getFileVersions',
  'getFileVersionDetails',
  'getFileMetadata',
  'updateFileDetails',
  'bulkAddTags',
  'bulkRemoveTags',
  'bulkRemoveAITags',
  'deleteFile',
  'deleteFileVersion',
  'restoreFileVersion',
  'purgeCache',
  'getPurgeCacheStatus',
  'bulkDeleteFiles',
  'copyFile',
  'moveFile',
  'renameFile',
  'createFolder',
  'deleteFolder',
  'copyFolder',
  'moveFolder',
  'getBulkJobStatus',
  'createCustomMetadataField',
  'getCustomMetadataFields',
  'updateCustomMetadataField',
  'deleteCustomMetadataField',
  'url',
  'getAuthenticationParameters',
]

// A signed webhook event, as v6 checks it: `t=<ms timestamp>,v1=<hex HMAC-SHA256 of
// "<timestamp>.<body>" keyed with the secret>` (dist/utils/webhook-signature.js).
const WEBHOOK_SECRET = 'whsec_object_model_test'
const WEBHOOK_TIMESTAMP = 1655788406333
const WEBHOOK_BODY = JSON.stringify({
  type: 'video.transformation.accepted',
  id: '58e6d24d-6098-4319-be8d-40c3cb0a402d',
  created_at: '2022-06-21T05:13:26.333Z',
  data: { asset: { url: 'https://ik.imagekit.io/demo/sample.mp4' }, transformation: { type: 'video-transformation' } },
})
const webhookHeader = (timestamp, body, secret) =>
  `t=${timestamp},v1=${crypto.createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`
const GOOD_HEADER = webhookHeader(WEBHOOK_TIMESTAMP, WEBHOOK_BODY, WEBHOOK_SECRET)
const BAD_HEADER = GOOD_HEADER.slice(0, -1) + (GOOD_HEADER.endsWith('0') ? '1' : '0')

/** A thrown or returned Error as data: its constructor's name and its message. */
const errorData = (e) =>
  e instanceof Error || (e !== null && typeof e === 'object' && typeof e.message === 'string' && e.constructor !== Object)
    ? { error: e.constructor && e.constructor.name, message: e.message }
    : { thrownValue: e }

/** A value as data: Errors (pHashDistance returns them) by class and message, the rest as is. */
const valueData = (v) => (v instanceof Error ? { returnedError: errorData(v) } : v)

/** Runs `fn` synchronously: `{ value }` or `{ threw }`. */
function attempt(fn) {
  try {
    return { value: valueData(fn()) }
  } catch (e) {
    return { threw: errorData(e) }
  }
}

/** `promise` settled as data, or `{ pending: true }` if it has not settled within `ms`. */
function settleData(promise, ms = 2000) {
  let timer
  const timeout = new Promise((resolve) => {
    timer = setTimeout(() => resolve({ pending: true }), ms)
  })
  const settled = Promise.resolve(promise).then(
    (value) => ({ resolved: valueData(value) }),
    (reason) => ({ rejected: reason instanceof Error ? errorData(reason) : reason }),
  )
  return Promise.race([settled, timeout]).finally(() => clearTimeout(timer))
}

/**
 * Runs `fn`, which may return a promise: `{ threw }` if it threw synchronously, `{ returned }`
 * for a plain value, or `{ promise: { resolved | rejected | pending } }`. Every promise is
 * awaited, so no rejection goes unhandled.
 */
async function run(fn) {
  let value
  try {
    value = fn()
  } catch (e) {
    return { threw: errorData(e) }
  }
  if (value !== null && (typeof value === 'object' || typeof value === 'function') && typeof value.then === 'function') {
    return { promise: await settleData(value) }
  }
  return { returned: valueData(value) }
}

/** Calls `fn(callback)` and reports what it threw or returned and how the callback was called. */
async function runWithCallback(fn, ms = 2000) {
  let resolveCalled
  const called = new Promise((resolve) => {
    resolveCalled = resolve
  })
  const calls = []
  let sync = true
  const callback = (...args) => {
    calls.push({ sync, args: args.map((a) => (a instanceof Error ? errorData(a) : a)) })
    resolveCalled()
  }
  const result = await run(() => fn(callback))
  sync = false
  let timer
  await Promise.race([called, new Promise((resolve) => (timer = setTimeout(resolve, ms)))])
  clearTimeout(timer)
  return { ...result, calls }
}

/** Paths where `actual` and `expected` differ, each with both values, for a short failure message. */
function differences(actual, expected, path = '') {
  const isContainer = (v) => v !== null && typeof v === 'object'
  if (isContainer(actual) && isContainer(expected) && Array.isArray(actual) === Array.isArray(expected)) {
    const out = []
    for (const key of new Set([...Object.keys(expected), ...Object.keys(actual)])) {
      const sub = Array.isArray(expected) ? `${path}[${key}]` : `${path}.${key}`
      if (!(key in actual)) out.push(`${sub}: ours=<missing> v6=${show(expected[key])}`)
      else if (!(key in expected)) out.push(`${sub}: ours=${show(actual[key])} v6=<missing>`)
      else out.push(...differences(actual[key], expected[key], sub))
    }
    return out
  }
  try {
    assert.deepEqual(actual, expected)
    return []
  } catch {
    return [`${path || '(value)'}: ours=${show(actual)} v6=${show(expected)}`]
  }
}

const show = (v) => inspect(v, { depth: 4, compact: true, breakLength: Infinity, maxStringLength: 120 })

/** Asserts ours equals v6's probe; on failure the message lists every differing path. */
function assertSameAsV6(ours, reference) {
  const diffs = differences(ours, reference)
  const message = diffs.length ? `differs from v6 at ${diffs.length} path(s):\n${diffs.slice(0, 60).join('\n')}` : undefined
  assert.deepEqual(ours, reference, message)
}

// ---------------------------------------------------------------------------------------
// 1. Own properties of an instance

function probeOwnProperties(ImageKit) {
  const ik = new ImageKit(OPTS)
  const copy = Object.assign({}, ik)
  const spread = { ...ik }
  return {
    keys: Object.keys(ik),
    ownPropertyNames: Object.getOwnPropertyNames(ik),
    ownSymbols: Object.getOwnPropertySymbols(ik).map(String),
    assignedKeys: Object.keys(copy),
    assignedVerifyType: typeof copy.verifyWebhookEvent,
    assignedOptionsIsSameObject: copy.options === ik.options,
    spreadKeys: Object.keys(spread),
    spreadVerifyType: typeof spread.verifyWebhookEvent,
    json: JSON.stringify(ik),
    optionsJson: JSON.stringify(ik.options),
    optionsKeys: Object.keys(ik.options),
    optionsIsPlainObject: Object.getPrototypeOf(ik.options) === Object.prototype,
  }
}

test('instance own properties: Object.keys, getOwnPropertyNames, Object.assign copy and JSON.stringify equal v6', () => {
  const reference = probeOwnProperties(Reference)
  assert.deepEqual(reference.keys, ['options', 'verifyWebhookEvent'])
  assert.deepEqual(reference.ownPropertyNames, ['options', 'verifyWebhookEvent'])
  assert.deepEqual(reference.assignedKeys, ['options', 'verifyWebhookEvent'])
  assert.equal(reference.assignedVerifyType, 'function')
  assertSameAsV6(probeOwnProperties(Ours), reference)
})

function probeOwnDescriptors(ImageKit) {
  const ik = new ImageKit(OPTS)
  const other = new ImageKit(OPTS)
  const descriptors = {}
  for (const name of Object.getOwnPropertyNames(ik)) {
    const d = Object.getOwnPropertyDescriptor(ik, name)
    descriptors[name] = {
      kind: 'value' in d ? 'data' : 'accessor',
      type: typeof ik[name],
      enumerable: d.enumerable,
      configurable: d.configurable,
      writable: d.writable,
    }
  }
  return {
    descriptors,
    verifyLength: ik.verifyWebhookEvent.length,
    verifySharedAcrossInstances: ik.verifyWebhookEvent === other.verifyWebhookEvent,
    optionsSharedAcrossInstances: ik.options === other.options,
  }
}

test('instance own property descriptors (data, enumerable, writable, configurable) equal v6', () => {
  const reference = probeOwnDescriptors(Reference)
  assert.deepEqual(reference.descriptors.verifyWebhookEvent, {
    kind: 'data',
    type: 'function',
    enumerable: true,
    configurable: true,
    writable: true,
  })
  assertSameAsV6(probeOwnDescriptors(Ours), reference)
})

// ---------------------------------------------------------------------------------------
// 2. The class itself

function probeClass(ImageKit) {
  return { type: typeof ImageKit, length: ImageKit.length, name: ImageKit.name }
}

test('ImageKit.length is 1 and ImageKit.name is "ImageKit", as in v6', () => {
  const reference = probeClass(Reference)
  assert.deepEqual(reference, { type: 'function', length: 1, name: 'ImageKit' })
  assertSameAsV6(probeClass(Ours), reference)
})

// ---------------------------------------------------------------------------------------
// 3. verifyWebhookEvent off the instance

function probeDetachedVerify(ImageKit) {
  const ik = new ImageKit(OPTS)
  const { verifyWebhookEvent } = ik
  const copy = { ...ik }
  const unrelated = { options: { privateKey: 'unrelated' }, verifyWebhookEvent: null }
  const invoke = (callback, ...args) => callback(...args)
  const result = {}
  const headers = {
    good: GOOD_HEADER,
    incorrect: BAD_HEADER,
    noTimestamp: GOOD_HEADER.split(',')[1],
    badTimestamp: GOOD_HEADER.replace(/^t=\d+/, 't=abc'),
    noSignature: GOOD_HEADER.split(',')[0],
  }
  for (const [name, header] of Object.entries(headers)) {
    result[name] = {
      detached: attempt(() => verifyWebhookEvent(WEBHOOK_BODY, header, WEBHOOK_SECRET)),
      callUndefined: attempt(() => verifyWebhookEvent.call(undefined, WEBHOOK_BODY, header, WEBHOOK_SECRET)),
      callUnrelated: attempt(() => verifyWebhookEvent.call(unrelated, WEBHOOK_BODY, header, WEBHOOK_SECRET)),
      applyNull: attempt(() => verifyWebhookEvent.apply(null, [WEBHOOK_BODY, header, WEBHOOK_SECRET])),
      asCallback: attempt(() => invoke(verifyWebhookEvent, WEBHOOK_BODY, header, WEBHOOK_SECRET)),
      boundToUnrelated: attempt(() => verifyWebhookEvent.bind(unrelated)(WEBHOOK_BODY, header, WEBHOOK_SECRET)),
      onSpreadCopy: attempt(() => copy.verifyWebhookEvent(WEBHOOK_BODY, header, WEBHOOK_SECRET)),
      bufferBody: attempt(() => verifyWebhookEvent(Buffer.from(WEBHOOK_BODY), header, WEBHOOK_SECRET)),
    }
  }
  return result
}

test('verifyWebhookEvent detached, with this undefined or unrelated, or as a callback: same result and errors as v6', () => {
  const reference = probeDetachedVerify(Reference)
  const expected = { timestamp: WEBHOOK_TIMESTAMP, event: JSON.parse(WEBHOOK_BODY) }
  for (const [how, o] of Object.entries(reference.good)) assert.deepEqual(o, { value: expected }, `v6 good/${how}`)
  for (const [how, o] of Object.entries(reference.incorrect)) {
    assert.deepEqual(o, { threw: { error: 'Error', message: 'Incorrect signature' } }, `v6 incorrect/${how}`)
  }
  assertSameAsV6(probeDetachedVerify(Ours), reference)
})

// ---------------------------------------------------------------------------------------
// 4. pHashDistance off the instance

const PHASH_CASES = [
  ['f06830ca9f1e3e90', 'f06830ca9f1e3e90'],
  ['2d5ad3936d2e015b', '2d6ed293db36a4fb'],
  ['33699c96619cc69e', '968e978414fe04ea'],
  ['2d5ad3936d2e015b', 'invalid-hex-zzzz'],
  ['g06830ca9f1e3e90', 'f06830ca9f1e3e90'],
  ['f06830ca9f1e3e90', 'f06830ca9f1e3e'],
  ['f06830ca9f1e3e90'],
  [undefined, 'f06830ca9f1e3e90'],
  [],
]

function probeDetachedPHash(ImageKit) {
  const { pHashDistance } = new ImageKit(OPTS)
  return PHASH_CASES.map((args) => ({
    args,
    callUndefined: attempt(() => pHashDistance.call(undefined, ...args)),
    detached: attempt(() => pHashDistance(...args)),
    callEmptyObject: attempt(() => pHashDistance.call({}, ...args)),
    callUnrelated: attempt(() => pHashDistance.call({ options: null, pHashDistance: 1 }, ...args)),
    callNullProto: attempt(() => pHashDistance.call(Object.create(null), ...args)),
  }))
}

test('pHashDistance detached or with an unrelated this: same distances and returned Errors as v6', () => {
  const reference = probeDetachedPHash(Reference)
  assert.deepEqual(reference[0].callUndefined, { value: 0 })
  assert.equal(typeof reference[1].callUndefined.value, 'number')
  assert.ok(reference[3].callUndefined.value.returnedError, 'v6 returns an Error for invalid hex')
  assert.ok(reference[8].callUndefined.value.returnedError, 'v6 returns an Error for missing hashes')
  assertSameAsV6(probeDetachedPHash(Ours), reference)
})

// ---------------------------------------------------------------------------------------
// 5. Methods that read `this.options`, called with `this` undefined

async function probeDetachedThisMethods(ImageKit, options) {
  const ik = new ImageKit(options)
  const result = {}
  for (const name of THIS_METHODS) {
    const method = ik[name]
    // No arguments: even with a valid receiver, validation would fail before any request.
    result[name] = await run(() => method.call(undefined))
  }
  return result
}

test('every method reading this.options, detached with this undefined: same synchronous TypeError as v6', async () => {
  // Guard: the list above is v6's prototype minus the constructor and pHashDistance.
  assert.deepEqual(
    [...THIS_METHODS, 'constructor', 'pHashDistance'].sort(),
    Object.getOwnPropertyNames(Reference.prototype).sort(),
  )
  // Nothing may be sent: both endpoints point at a local server that must see no request.
  const capture = await startCapture()
  try {
    const options = { ...OPTS, apiEndpoint: `${capture.origin}/api`, uploadEndpoint: `${capture.origin}/upload` }
    const reference = await probeDetachedThisMethods(Reference, options)
    for (const name of THIS_METHODS) {
      assert.deepEqual(
        reference[name],
        { threw: { error: 'TypeError', message: "Cannot read properties of undefined (reading 'options')" } },
        `v6 ${name}`,
      )
    }
    const ours = await probeDetachedThisMethods(Ours, options)
    assertSameAsV6(ours, reference)
  } finally {
    await closeExpectingNothing(capture)
  }
})

// ---------------------------------------------------------------------------------------
// 6. Subclasses

function probeSubclass(ImageKit) {
  class Sub extends ImageKit {
    extra() {
      return this.options.publicKey
    }
  }
  class WithConstructor extends ImageKit {
    constructor(opts) {
      super({ ...opts, urlEndpoint: 'https://ik.imagekit.io/sub' })
      this.added = 'yes'
    }
    url(urlOptions) {
      return `sub:${super.url(urlOptions)}`
    }
  }
  const made = attempt(() => new Sub(OPTS))
  if (made.threw) return { constructed: made }
  const sub = new Sub(OPTS)
  const withConstructor = attempt(() => {
    const w = new WithConstructor(OPTS)
    return {
      keys: Object.keys(w),
      added: w.added,
      instanceOfBoth: w instanceof WithConstructor && w instanceof ImageKit,
      url: attempt(() => w.url({ path: '/a.jpg' })),
      urlEndpoint: w.options.urlEndpoint,
    }
  })
  return {
    instanceOfSub: sub instanceof Sub,
    instanceOfBase: sub instanceof ImageKit,
    constructorIsSub: sub.constructor === Sub,
    prototypeIsSub: Object.getPrototypeOf(sub) === Sub.prototype,
    keys: Object.keys(sub),
    ownPropertyNames: Object.getOwnPropertyNames(sub),
    json: JSON.stringify(sub),
    extra: attempt(() => sub.extra()),
    url: attempt(() => sub.url({ path: '/a.jpg' })),
    signedUrl: attempt(() => sub.url({ path: '/a.jpg', signed: true })),
    authenticationParameters: attempt(() => sub.getAuthenticationParameters('t', 1700000000)),
    pHashDistance: attempt(() => sub.pHashDistance('2d5ad3936d2e015b', '2d6ed293db36a4fb')),
    verifyWebhookEvent: attempt(() => sub.verifyWebhookEvent(WEBHOOK_BODY, GOOD_HEADER, WEBHOOK_SECRET)),
    withConstructor,
  }
}

test('subclass of ImageKit: instanceof, own keys, a subclass method, url and getAuthenticationParameters equal v6', () => {
  const reference = probeSubclass(Reference)
  assert.equal(reference.extra.value, OPTS.publicKey)
  assertSameAsV6(probeSubclass(Ours), reference)
})

// ---------------------------------------------------------------------------------------
// 7. Options changed after construction

async function probeOptionsChanges(ImageKit, options) {
  const result = {}
  const ik = new ImageKit(options)
  ik.options.urlEndpoint = 'https://other.example/x'
  result.urlAfterMutatingEndpoint = attempt(() => ik.url({ path: '/a.jpg' }))
  ik.options.transformationPosition = 'query'
  result.urlAfterMutatingPosition = attempt(() => ik.url({ path: '/a.jpg', transformation: [{ width: 100 }] }))
  ik.options.transformationPosition = 'path'

  ik.options = { ...ik.options, privateKey: 'other' }
  result.authAfterReplacingOptions = attempt(() => ik.getAuthenticationParameters('t', 1700000000))
  // No expireSeconds: the signature does not depend on the clock.
  result.signedUrlAfterReplacingOptions = attempt(() => ik.url({ path: '/a.jpg', signed: true }))
  ik.options = { ...ik.options, urlEndpoint: 'https://third.example/' }
  result.urlAfterReplacingEndpoint = attempt(() => ik.url({ path: '/a.jpg' }))
  result.signedUrlAfterReplacingEndpoint = attempt(() => ik.url({ path: '/b.jpg', signed: true }))

  ik.options.privateKey = ''
  result.authWithEmptyKey = attempt(() => ik.getAuthenticationParameters('t', 1700000000))
  result.signedUrlWithEmptyKey = attempt(() => ik.url({ path: '/a.jpg', signed: true }))
  // No file id: v6 answers with its validation error and sends nothing.
  result.getFileDetailsPromise = await run(() => ik.getFileDetails())
  result.getFileDetailsCallback = await runWithCallback((callback) => ik.getFileDetails(undefined, callback))
  result.deleteFilePromise = await run(() => ik.deleteFile(''))
  return result
}

test('options changed or replaced after construction are followed by url, getAuthenticationParameters and validation, as in v6', async () => {
  const capture = await startCapture()
  try {
    const options = { ...OPTS, apiEndpoint: `${capture.origin}/api`, uploadEndpoint: `${capture.origin}/upload` }
    const reference = await probeOptionsChanges(Reference, options)
    assert.deepEqual(reference.urlAfterMutatingEndpoint, { value: 'https://other.example/x/a.jpg' })
    assert.deepEqual(reference.getFileDetailsPromise, {
      promise: { rejected: { message: 'Missing fileId parameter for this request', help: '' } },
    })
    assertSameAsV6(await probeOptionsChanges(Ours, options), reference)
  } finally {
    await closeExpectingNothing(capture)
  }
})

// ---------------------------------------------------------------------------------------
// 8. The prototype

function probePrototype(ImageKit, names) {
  const own = new Set(Object.getOwnPropertyNames(ImageKit.prototype))
  const methods = {}
  for (const name of names) {
    const value = ImageKit.prototype[name]
    methods[name] = { own: own.has(name), type: typeof value, length: typeof value === 'function' ? value.length : null }
  }
  return methods
}

test("ImageKit.prototype has every v6 prototype method, each a function with v6's length", () => {
  const names = Object.getOwnPropertyNames(Reference.prototype)
  const reference = probePrototype(Reference, names)
  assert.equal(reference.getFileDetails.length, 2)
  assert.equal(reference.updateFileDetails.length, 3)
  const ours = probePrototype(Ours, names)
  const missing = names.filter((n) => !ours[n].own)
  assert.deepEqual(missing, [], 'v6 prototype names missing from ours')
  assertSameAsV6(ours, reference)
})

test('helper and webhooks (v7’s) are getters on the prototype: instances keep v6’s own keys, copies and JSON', () => {
  // v6 has neither: nothing for the self-check to compare.
  if (process.env.OBJECT_MODEL_SELF_CHECK) return
  const ours = new Ours({ ...OPTS })
  const ref = new Reference({ ...OPTS })
  // Used first, so that nothing they make could become an own property.
  ours.helper.buildSrc({ src: '/a.jpg' })
  ours.webhooks.unsafeUnwrap('{}')
  assert.deepEqual(Object.getOwnPropertyNames(ours), Object.getOwnPropertyNames(ref))
  assert.equal(JSON.stringify(ours), JSON.stringify(ref))
  assert.deepEqual(Object.keys(Object.assign({}, ours)), Object.keys(Object.assign({}, ref)))
  for (const name of ['helper', 'webhooks']) {
    const descriptor = Object.getOwnPropertyDescriptor(Ours.prototype, name)
    assert.equal(typeof descriptor.get, 'function', name)
    assert.equal(descriptor.enumerable, false, name)
    assert.equal(ours[name], ours[name], `${name} is made once per instance`)
  }
  assert.notEqual(ours.helper, new Ours({ ...OPTS }).helper)
  // Each instance's helper reads that instance's options when called, as v6's methods do.
  const { buildSrc } = ours.helper
  ours.options.urlEndpoint = 'https://ik.imagekit.io/other'
  assert.equal(buildSrc({ src: '/a.jpg' }), 'https://ik.imagekit.io/other/a.jpg')
})
