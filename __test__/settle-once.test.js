'use strict'
// Every call settles exactly once, and what the caller's code throws reaches the process as
// it does with v6: an exception thrown by a callback is an unhandled rejection carrying that
// error (Node's default prints its stack and exits 1; an `unhandledRejection` handler sees
// the very error). A panic in the addon is a JavaScript Error and the process lives on,
// proven with the addon built with the `test-panic` feature.

const test = require('node:test')
const assert = require('node:assert/strict')
const path = require('node:path')
const fs = require('node:fs')
const { startCapture } = require('./helpers/capture')
const { runScript } = require('./helpers/child')
const { PROBE_PATH } = require('./support/panic-probe')

const ROOT = path.join(__dirname, '..')
const OURS = path.join(ROOT, 'imagekit.js')
const V6 = path.join(ROOT, 'node_modules', 'imagekit-reference')

/**
 * Runs `body` (a script's text, with `ImageKit`, `ik` and `origin` defined) in a child
 * process; resolves with its exit status and output. Asynchronous, so that a server in
 * this process keeps answering.
 */
function run(implementation, origin, body, env = {}) {
  const script = `
    const ImageKit = require(${JSON.stringify(implementation)})
    const origin = ${JSON.stringify(origin)}
    const ik = new ImageKit({ publicKey: 'p', privateKey: 'k', urlEndpoint: 'https://ik.imagekit.io/demo',
      uploadEndpoint: origin + '/api/v1/files/upload', apiEndpoint: origin })
    ${body}
  `
  return runScript(script, env)
}

// The ways a callback can be reached: an answer, an error status, no server at all, and a
// deferred argument error.
const CALLS = {
  success: `ik.getFileDetails('f1', CALLBACK)`,
  'error status': `ik.getFileDetails('missing', CALLBACK)`,
  'transport error': `ik.options.apiEndpoint = 'http://127.0.0.1:9'; ik.getFileDetails('f1', CALLBACK)`,
  upload: `ik.upload({ file: 'aGVsbG8=', fileName: 'a.txt' }, CALLBACK)`,
}

test('an exception thrown by a callback is an unhandled rejection, as with v6', async (t) => {
  const server = await startCapture((request) =>
    request.url.includes('missing') ? { status: 404, body: '{"message":"No file found"}' } : undefined,
  )
  t.after(() => server.close())
  for (const [name, call] of Object.entries(CALLS)) {
    const callback = `(err, result) => { console.log('called', err ? 'error' : 'result'); throw new Error('bug in the callback') }`
    const body = `${call.replace('CALLBACK', callback)}; setTimeout(() => console.log('still running'), 3000)`
    for (const implementation of [V6, OURS]) {
      const outcome = await run(implementation, server.origin, body)
      const label = `${name}, ${implementation === V6 ? 'v6' : 'ours'}`
      assert.equal(outcome.status, 1, `${label}: ${outcome.stderr}`)
      assert.equal(outcome.stdout.trim().split('\n').filter((l) => l === 'called error' || l === 'called result').length, 1, label)
      assert.doesNotMatch(outcome.stdout, /still running/, label)
      assert.match(outcome.stderr, /Error: bug in the callback\n\s+at /, label)
      assert.doesNotMatch(outcome.stderr, /DEP0168|N-API callback exception/, label)
    }
    // The application's own handler gets the very error, and the process goes on.
    const handled = `
      const thrown = new Error('bug in the callback')
      process.on('unhandledRejection', (reason) => console.log('handler', reason === thrown))
      ${call.replace('CALLBACK', '() => { throw thrown }')}
      setTimeout(() => console.log('still running'), 300)`
    for (const implementation of [V6, OURS]) {
      const outcome = await run(implementation, server.origin, handled)
      assert.equal(outcome.status, 0, `${name}: ${outcome.stderr}`)
      assert.equal(outcome.stdout, 'handler true\nstill running\n', name)
    }
  }
})

test('an argument error reported to the callback synchronously throws its exception synchronously, as with v6', async () => {
  const body = `
    try { ik.getFileDetails('', () => { throw new Error('sync bug') }) } catch (e) { console.log('caught', e.message) }`
  for (const implementation of [V6, OURS]) {
    const outcome = await run(implementation, 'http://127.0.0.1:9', body)
    assert.equal(outcome.status, 0, outcome.stderr)
    assert.equal(outcome.stdout, 'caught sync bug\n')
  }
})

test('a panic in the addon is an Error, the call settles once, and the process lives on', async (t) => {
  assert.ok(fs.existsSync(PROBE_PATH), `the panic probe build is missing: run node __test__/support/panic-probe.js`)
  const server = await startCapture()
  t.after(() => server.close())
  const body = `
    const native = require(${JSON.stringify(path.join(ROOT, 'index.js'))})
    const seen = []
    const describe = (e) => e instanceof Error ? e.constructor.name + ': ' + e.message + ' [' + e.code + ']' : JSON.stringify(e)
    const once = (label) => { let n = 0; return (err, result) => { n++; seen.push(label + ' callback ' + n + ' ' + (err ? describe(err) : 'ok')) } }
    ;(async () => {
      try { native.__panicNow() } catch (e) { seen.push('sync export: ' + describe(e)) }
      native.__panicNext('export')
      try { ik.getFileDetails('f1') } catch (e) { seen.push('export: ' + describe(e)) }
      for (const stage of ['send', 'settle']) {
        native.__panicNext(stage)
        await ik.getFileDetails('f1').then(() => seen.push(stage + ': resolved'), (e) => seen.push(stage + ': ' + describe(e)))
        native.__panicNext(stage)
        await new Promise((resolve) => ik.getFileDetails('f1', (err, result) => { once(stage)(err, result); setTimeout(resolve, 200) }))
      }
      const after = await ik.getFileDetails('f1')
      seen.push('after: ' + JSON.stringify(after))
      console.log(JSON.stringify(seen))
    })()`
  const outcome = await run(OURS, server.origin, body, { NAPI_RS_NATIVE_LIBRARY_PATH: PROBE_PATH })
  assert.equal(outcome.status, 0, outcome.stderr)
  const seen = JSON.parse(outcome.stdout)
  const internal = (stage) => `Error: internal error in the imagekit addon: panic probe at ${stage} [ERR_IMAGEKIT_INTERNAL]`
  assert.deepEqual(seen, [
    'sync export: Error: panic probe in a synchronous export [GenericFailure]',
    'export: Error: panic probe at Export [GenericFailure]',
    `send: ${internal('Send')}`,
    `send callback 1 ${internal('Send')}`,
    `settle: ${internal('Settle')}`,
    `settle callback 1 ${internal('Settle')}`,
    'after: {"ok":true}',
  ])
})
