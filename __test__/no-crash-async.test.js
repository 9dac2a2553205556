'use strict'
// Robustness of the asynchronous methods: 100,000 calls spread over every API method, with
// hostile JavaScript values as arguments, in promise and callback mode, some on instances
// whose signal aborts at a random moment, against a server answering each request with a
// random status and body. Every call must settle exactly once (a promise that settles, or a
// callback called once, or a synchronous throw of an Error and nothing else), no rejection
// may go unhandled, and the process must survive.

const test = require('node:test')
const assert = require('node:assert/strict')

const ImageKit = require('..')
const native = require('../index.js')
const { Random, seedFromEnv } = require('./support/random.js')
const { hostile } = require('./support/hostile.js')
const { startCapture } = require('./helpers/capture')

const CALLS = Number(process.env.IK_CALLS || 100000)
const SEED = seedFromEnv(0xa5c)
const IN_FLIGHT = 128

/** Random answers: the shapes ImageKit gives and some it never should. */
function answer(r) {
  switch (r.int(8)) {
    case 0: return { status: 404, body: '{"message":"No such file","help":""}' }
    case 1: return { status: 429, headers: { 'x-ratelimit-reset': '5', 'x-ratelimit-limit': '1' }, body: '{"message":"slow"}' }
    case 2: return { status: 500, headers: { 'content-type': 'text/plain' }, body: 'Internal failure' }
    case 3: return { body: '{"truncated": ' }
    case 4: return { body: '' }
    case 5: return { status: 204, body: '' }
    default: return { body: '{"fileId":"f1","name":"a.jpg","tags":["x"]}' }
  }
}

/** Arguments for a method of `arity`: hostile values, sometimes plausible ones. */
function argumentsFor(r, arity) {
  const args = []
  for (let i = 0; i < arity; i++) {
    args.push(
      r.chance(0.25)
        ? r.pick(['f1', ['f1', 'f2'], { file: 'aGVsbG8=', fileName: 'a.txt' }, { folderPath: '/a', newFolderName: 'b' }, { startDate: '2026-01-01', endDate: '2026-02-01' }])
        : hostile(r),
    )
  }
  return args
}

test('every async method settles exactly once on hostile input, in both modes', async (t) => {
  const r = new Random(SEED)
  const server = await startCapture(() => answer(r))
  t.after(() => server.close())
  const unhandled = []
  const onUnhandled = (reason) => unhandled.push(reason)
  process.on('unhandledRejection', onUnhandled)
  t.after(() => process.off('unhandledRejection', onUnhandled))

  const base = new ImageKit({
    publicKey: 'public_key',
    privateKey: 'private_key',
    urlEndpoint: 'https://ik.imagekit.io/demo',
    apiEndpoint: server.origin,
    uploadEndpoint: `${server.origin}/api/v1/files/upload`,
    // Bounds every call, so one that never settles fails the test instead of hanging it.
    timeout: 10000,
    maxRetries: 1,
  })
  const refused = base.withOptions({ maxRetries: 0 })
  refused.options.apiEndpoint = 'http://127.0.0.1:9'
  refused.options.uploadEndpoint = 'http://127.0.0.1:9/upload'
  const methods = Object.entries(native.apiMethods())
  const counts = { resolved: 0, rejected: 0, called: 0, threw: 0 }

  function one() {
    const [name, arity] = r.pick(methods)
    let receiver = r.chance(0.05) ? refused : base
    let controller
    if (r.chance(0.1)) {
      controller = new AbortController()
      receiver = receiver.withOptions({ signal: controller.signal })
      if (r.chance(0.3)) controller.abort(new Error('early'))
      else setTimeout(() => controller.abort(), r.int(5))
    }
    const args = argumentsFor(r, arity)
    const callbackMode = r.chance(0.5)
    return new Promise((resolve, reject) => {
      let settled = 0
      const settle = (kind) => {
        settled++
        counts[kind]++
        if (settled > 1) reject(new Error(`${name} settled ${settled} times`))
        // Give a second settlement the chance to show.
        else setImmediate(resolve)
      }
      let returned
      try {
        if (callbackMode) {
          returned = receiver[name](...args, (error, result) => {
            if ((error === null) === (result === null)) reject(new Error(`${name}: callback(${error}, ${result})`))
            settle('called')
          })
          if (returned !== undefined) reject(new Error(`${name} returned ${returned} in callback mode`))
        } else {
          returned = receiver[name](...args)
          if (!(returned instanceof Promise)) reject(new Error(`${name} returned ${returned}`))
          returned.then(() => settle('resolved'), () => settle('rejected'))
        }
      } catch (error) {
        if (!(error instanceof Error)) reject(new Error(`${name} threw a non-Error: ${String(error)}`))
        settle('threw')
      }
    })
  }

  let started = 0
  const workers = Array.from({ length: IN_FLIGHT }, async () => {
    while (started < CALLS) {
      started++
      await one()
    }
  })
  const begin = Date.now()
  await Promise.all(workers)
  await new Promise((resolve) => setTimeout(resolve, 100))
  console.log(`async no-crash: ${CALLS} calls (seed ${SEED}) in ${Date.now() - begin} ms, ${JSON.stringify(counts)}, ${server.requests.length} requests`)
  assert.equal(counts.resolved + counts.rejected + counts.called + counts.threw, CALLS)
  assert.deepEqual(unhandled, [])
  // The inputs reach every outcome, or they explore too little.
  for (const [kind, n] of Object.entries(counts)) assert.ok(n > 0, `${kind}: ${n}`)
  assert.ok(server.requests.length > CALLS / 50, `${server.requests.length} requests were sent`)
})
