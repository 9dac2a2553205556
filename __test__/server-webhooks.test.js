'use strict'
// Webhooks of the local ImageKit server (server/ crate): receivers in this process get the
// events the server sends for uploads (with pre and post transformations, to the configured
// endpoints and to the upload's webhookUrl), detail updates, version changes, copies, moves,
// renames and deletes; every delivery must pass both official verifiers: imagekit@6's
// `verifyWebhookEvent` (the `x-ik-signature` header, from `imagekit-reference`) and
// @imagekit/nodejs v7's `webhooks.unwrap` (the Standard Webhooks headers). A receiver that fails
// twice gets the event on the third try; a receiver that never answers does not slow the request
// that caused the event; an upload's webhookUrl obeys the private-address rules; a webhook
// cannot call the admin API; the admin API lists endpoints and deliveries.

const test = require('node:test')
const assert = require('node:assert/strict')
const http = require('node:http')

const ImageKitV6 = require('imagekit-reference')
const { default: ImageKitV7, toFile } = require('@imagekit/nodejs')
const { startServer, closedPort } = require('./helpers/server.js')
const { png } = require('./helpers/images.js')

const RETRY_DELAY_MS = 50

/** Polls `read()` until `done(value)`; returns the last value. */
async function until(read, done, what, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await read()
    if (done(value)) return value
    if (Date.now() > deadline) assert.fail(`${what} never happened; last: ${JSON.stringify(value, null, 1)}`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

/**
 * An HTTP receiver on loopback recording every request (raw body, headers, arrival time).
 * `respond(delivery, index)` gives the status to answer, or 'hang' to never answer.
 */
async function receiver(respond = () => 200) {
  const received = []
  const server = http.createServer((req, res) => {
    const chunks = []
    req.on('data', (chunk) => chunks.push(chunk))
    req.on('end', () => {
      const delivery = { method: req.method, path: req.url, headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), at: Date.now() }
      received.push(delivery)
      const status = respond(delivery, received.length - 1)
      if (status === 'hang') return
      res.writeHead(status, { 'content-type': 'text/plain' }).end('thanks')
    })
  })
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address()
  return {
    port,
    url: `http://127.0.0.1:${port}/hook`,
    received,
    /** The deliveries whose event satisfies `match`. */
    of: (match) => received.filter((d) => match(JSON.parse(d.body))),
    close() {
      server.closeAllConnections()
      return new Promise((resolve) => server.close(resolve))
    },
  }
}

const v6 = new ImageKitV6({ publicKey: 'unused', privateKey: 'unused', urlEndpoint: 'https://ik.imagekit.io/unused' })

/**
 * Verifies a delivery as a receiver would with each official SDK, and returns the event.
 * Both must accept it with the server's secret and refuse it with another.
 */
function verified(delivery, secret) {
  assert.equal(delivery.method, 'POST')
  assert.equal(delivery.headers['content-type'], 'application/json')
  const { timestamp, event } = v6.verifyWebhookEvent(delivery.body, delivery.headers['x-ik-signature'], secret)
  assert.ok(Math.abs(Date.now() - timestamp) < 60_000, `x-ik-signature's t is now: ${timestamp}`)
  const v7 = new ImageKitV7({ privateKey: 'unused', webhookSecret: secret })
  const unwrapped = v7.webhooks.unwrap(delivery.body, { headers: delivery.headers })
  assert.deepEqual(unwrapped, event)
  assert.deepEqual(new ImageKitV7({ privateKey: 'unused' }).webhooks.unwrap(delivery.body, { headers: delivery.headers, key: secret }), event)
  assert.deepEqual(event, JSON.parse(delivery.body))
  assert.equal(delivery.headers['webhook-id'], event.id, 'webhook-id is the event id')
  const other = `${secret}x`
  assert.throws(() => v6.verifyWebhookEvent(delivery.body, delivery.headers['x-ik-signature'], other))
  assert.throws(() => v7.webhooks.unwrap(delivery.body, { headers: delivery.headers, key: other }))
  assert.throws(() => v7.webhooks.unwrap(`${delivery.body} `, { headers: delivery.headers }), 'a tampered body fails')
  return event
}

function v7Client(s) {
  return new ImageKitV7({ privateKey: s.privateKey, baseURL: s.apiEndpoint, maxRetries: 0 })
}

async function upload(ik, name, folder, extra = {}) {
  return ik.files.upload({ file: await toFile(png(40, 30), name), fileName: name, folder, useUniqueFileName: false, ...extra })
}

// One server for most tests: receiver `all` (every event) and `some` (a filter) given as
// --webhook flags, `callback` as uploads' webhookUrl (allowed by --allow-private-host).
let s
let all
let some
let callback
let ik

test.before(async () => {
  all = await receiver()
  some = await receiver()
  callback = await receiver()
  s = await startServer({
    args: [
      '--webhook', all.url,
      '--webhook', `${some.url}=file.deleted,file-version.*`,
      '--allow-private-host', `127.0.0.1:${callback.port}`,
      '--webhook-attempts', '3',
      '--webhook-retry-delay-ms', String(RETRY_DELAY_MS),
    ],
  })
  ik = v7Client(s)
})

test.after(async () => {
  await s?.stop()
  await Promise.all([all, some, callback].map((r) => r?.close()))
})

test('the start line carries the webhook secret, and the admin API the endpoints', async () => {
  assert.match(s.webhookSecret, /^whsec_[A-Za-z0-9+/]{32}$/)
  const hooks = await s.admin('GET', 'webhooks')
  assert.deepEqual(hooks, {
    endpoints: [
      { url: all.url, events: ['*'] },
      { url: some.url, events: ['file.deleted', 'file-version.*'] },
    ],
    attempts: 3,
    retryDelayMs: RETRY_DELAY_MS,
    timeoutMs: 10_000,
  })
  assert.equal(JSON.stringify(hooks).includes(s.webhookSecret), false, 'the admin API never shows the secret')
  await assert.rejects(s.admin('POST', 'webhooks', { endpoints: [{ url: all.url, events: ['file.craeted'] }] }), /400.*file\.craeted/)
  await assert.rejects(s.admin('POST', 'webhooks', [{ url: 'ftp://x/y' }]), /400/)
  assert.deepEqual((await s.admin('GET', 'webhooks')).endpoints.length, 2, 'a refused change changes nothing')
})

test('an upload with a transformation and a webhookUrl: file.created and upload.* events, signed for v6 and v7', async () => {
  const { data: up } = await ik.files
    .upload({
      file: await toFile(png(40, 30), 'tr.png'),
      fileName: 'tr.png',
      folder: '/hooks-upload',
      useUniqueFileName: false,
      webhookUrl: callback.url,
      transformation: { pre: 'w-20', post: [{ type: 'transformation', value: 'h-10' }, { type: 'thumbnail' }] },
    })
    .withResponse()
  assert.equal(up.width, 20, 'the pre transformation was applied')
  const details = await ik.files.get(up.fileId)
  const mine = (e) => (e.data.fileId ?? '') === up.fileId || (e.data.path ?? '').startsWith('/hooks-upload/')

  // The endpoint that wants everything gets all four events; the webhookUrl the upload.* ones.
  await until(() => all.of(mine).length, (n) => n === 4, 'four events at the endpoint')
  await until(() => callback.of(mine).length, (n) => n === 3, 'three events at the webhookUrl')
  const events = all.of(mine).map((d) => verified(d, s.webhookSecret))
  const byType = Object.fromEntries(events.map((e) => [e.type, e]))
  assert.deepEqual(Object.keys(byType).sort(), ['file.created', 'upload.post-transform.error', 'upload.post-transform.success', 'upload.pre-transform.success'])
  for (const e of events) {
    assert.match(e.id, /^[0-9a-f-]{36}$/)
    assert.ok(Math.abs(Date.parse(e.created_at) - Date.now()) < 60_000, e.created_at)
  }
  assert.equal(new Set(events.map((e) => e.id)).size, 4, 'each event has its own id')

  // file.created: type, id, created_at, data (the file as the media API shows it).
  const created = byType['file.created']
  assert.deepEqual(Object.keys(created), ['type', 'id', 'created_at', 'data'])
  assert.deepEqual(created.data, details)

  // upload.pre-transform.success: the request, and the upload response as data.
  const pre = byType['upload.pre-transform.success']
  assert.deepEqual(Object.keys(pre), ['type', 'id', 'created_at', 'request', 'data'])
  assert.equal(pre.request.transformation, 'w-20')
  assert.match(pre.request.x_request_id, /^[0-9a-f-]{36}$/)
  for (const key of ['fileId', 'name', 'size', 'versionInfo', 'filePath', 'url', 'fileType', 'height', 'width', 'thumbnailUrl', 'AITags']) {
    assert.deepEqual(pre.data[key], up[key], key)
  }

  // One post event per post transformation: a transformation of an image is ready (delivered on
  // the fly); a thumbnail is video processing, which the server does not do.
  const post = byType['upload.post-transform.success']
  assert.deepEqual(post.request, { x_request_id: pre.request.x_request_id, transformation: { type: 'transformation', value: 'h-10' } })
  assert.deepEqual(post.data, { fileId: up.fileId, url: `${up.url}?tr=h-10`, name: 'tr.png' })
  assert.equal((await fetch(post.data.url)).status, 200, 'the post-transformation URL serves')
  const failed = byType['upload.post-transform.error']
  assert.deepEqual(failed.request.transformation, { type: 'thumbnail' })
  assert.equal(failed.data.url, `${up.url}/ik-thumbnail.jpg`)
  assert.equal(failed.data.path, '/hooks-upload/tr.png')
  assert.match(failed.data.transformation.error.reason, /video/)

  // The webhookUrl gets the same upload.* events (same ids and bodies), not file.created.
  const atCallback = callback.of(mine).map((d) => verified(d, s.webhookSecret))
  assert.deepEqual(atCallback.map((e) => e.id).sort(), events.filter((e) => e.type !== 'file.created').map((e) => e.id).sort())
  // The filtered endpoint wants none of these.
  assert.equal(some.of(mine).length, 0)

  // The deliveries are recorded.
  const { deliveries } = await s.admin('GET', 'webhooks/deliveries')
  const ours = deliveries.filter((d) => events.some((e) => e.id === d.eventId))
  assert.equal(ours.length, 7)
  for (const d of ours) {
    assert.equal(d.state, 'delivered')
    assert.equal(d.attempts, 1)
    assert.equal(d.lastStatus, 200)
    assert.equal(d.lastError, null)
  }
  assert.deepEqual(ours.filter((d) => d.target === 'webhookUrl').map((d) => d.url), [callback.url, callback.url, callback.url])
})

test('a pre transformation that cannot be applied: upload.pre-transform.error', async () => {
  // Not an image: stored as uploaded, the pre transformation reported failed.
  const text = await ik.files.upload({
    file: await toFile(Buffer.from('plain text'), 'notes.txt'),
    fileName: 'notes.txt',
    folder: '/hooks-pre',
    useUniqueFileName: false,
    webhookUrl: callback.url,
    transformation: { pre: 'w-20' },
  })
  const [delivery] = await until(() => callback.of((e) => e.type === 'upload.pre-transform.error' && e.data.path === '/hooks-pre/notes.txt'), (d) => d.length === 1, 'the pre-transform error')
  const event = verified(delivery, s.webhookSecret)
  assert.deepEqual(Object.keys(event.data), ['name', 'path', 'transformation'])
  assert.equal(event.data.name, 'notes.txt')
  assert.equal(event.request.transformation, 'w-20')
  assert.match(event.data.transformation.error.reason, /images/)
  assert.ok(text.fileId)

  // An image the pre transformation cannot be applied to: the upload fails, and says so.
  const failed = await ik.files
    .upload({ file: await toFile(png(10, 10), 'huge.png'), fileName: 'huge.png', folder: '/hooks-pre', webhookUrl: callback.url, transformation: { pre: 'w-16000,h-16000' } })
    .catch((e) => e)
  assert.equal(failed.status, 400)
  const [refused] = await until(() => callback.of((e) => e.type === 'upload.pre-transform.error' && e.data.name === 'huge.png'), (d) => d.length === 1, 'the failed upload reported')
  const reported = verified(refused, s.webhookSecret)
  assert.equal(reported.data.path, '/hooks-pre/huge.png')
  assert.equal(reported.request.transformation, 'w-16000,h-16000')
  assert.equal(reported.data.transformation.error.reason, failed.error.message)
})

test('updates, versions, copies, moves, renames and deletes: file.* and file-version.* events', async () => {
  const first = await upload(ik, 'a.png', '/hooks-files')
  const about = (id) => (e) => e.data.fileId === id
  const waitFor = async (r, id, type, n = 1) =>
    (await until(() => r.of((e) => about(id)(e) && e.type === type), (d) => d.length >= n, `${type} of ${id}`))
      .map((d) => verified(d, s.webhookSecret))

  const [created] = await waitFor(all, first.fileId, 'file.created')
  assert.deepEqual(created.data, await ik.files.get(first.fileId))

  // The same path again: a new version of the same file.
  const second = await upload(ik, 'a.png', '/hooks-files')
  assert.equal(second.fileId, first.fileId)
  const [versionCreated] = await waitFor(all, first.fileId, 'file-version.created')
  assert.deepEqual(versionCreated.data, await ik.files.get(first.fileId))
  assert.equal(versionCreated.data.versionInfo.id, second.versionInfo.id)
  await waitFor(some, first.fileId, 'file-version.created')

  // Details.
  await ik.files.update(first.fileId, { tags: ['hooked'] })
  const [updated] = await waitFor(all, first.fileId, 'file.updated')
  assert.deepEqual(updated.data.tags, ['hooked'])
  assert.deepEqual(updated.data, await ik.files.get(first.fileId))

  // An older version deleted.
  await ik.files.versions.delete(first.versionInfo.id, { fileId: first.fileId })
  const [versionDeleted] = await waitFor(all, first.fileId, 'file-version.deleted')
  assert.deepEqual(versionDeleted.data, { fileId: first.fileId, versionId: first.versionInfo.id })
  await waitFor(some, first.fileId, 'file-version.deleted')

  // A copy is a new file; moving and renaming it update it; deleting it deletes it.
  await ik.files.copy({ sourceFilePath: '/hooks-files/a.png', destinationPath: '/hooks-copies' })
  const copy = (await until(() => all.of((e) => e.type === 'file.created' && e.data.filePath === '/hooks-copies/a.png'), (d) => d.length === 1, 'the copy created'))
    .map((d) => verified(d, s.webhookSecret))[0].data
  assert.notEqual(copy.fileId, first.fileId)
  await ik.files.move({ sourceFilePath: '/hooks-copies/a.png', destinationPath: '/hooks-moved' })
  await ik.files.rename({ filePath: '/hooks-moved/a.png', newFileName: 'b.png' })
  const updates = await waitFor(all, copy.fileId, 'file.updated', 2)
  assert.deepEqual(updates.map((e) => e.data.filePath).sort(), ['/hooks-moved/a.png', '/hooks-moved/b.png'])
  await ik.files.delete(copy.fileId)
  const [deleted] = await waitFor(all, copy.fileId, 'file.deleted')
  assert.deepEqual(deleted.data, { fileId: copy.fileId })
  await waitFor(some, copy.fileId, 'file.deleted')

  // Deleting a folder deletes its files.
  await ik.folders.delete({ folderPath: '/hooks-files' })
  await waitFor(all, first.fileId, 'file.deleted')
  await waitFor(some, first.fileId, 'file.deleted')

  // The filtered endpoint got only what it asked for.
  const kinds = new Set(some.received.map((d) => JSON.parse(d.body).type))
  for (const kind of kinds) assert.match(kind, /^(file\.deleted|file-version\.(created|deleted))$/)
})

test('a receiver that fails twice gets the event on the third try', async (t) => {
  const flaky = await receiver((_, i) => (i < 2 ? 503 : 200))
  const broken = await receiver(() => 500)
  const nobody = `http://127.0.0.1:${await closedPort()}/hook`
  t.after(() => Promise.all([flaky.close(), broken.close()]))
  const saved = (await s.admin('GET', 'webhooks')).endpoints
  t.after(() => s.admin('POST', 'webhooks', { endpoints: saved }))
  await s.admin('POST', 'webhooks', { endpoints: [{ url: flaky.url, events: ['file.created'] }, `${broken.url}=file.created`, { url: nobody }] })

  const up = await upload(ik, 'flaky.png', '/hooks-retry')
  await until(() => flaky.received.length, (n) => n === 3, 'three tries')
  const events = flaky.received.map((d) => verified(d, s.webhookSecret))
  assert.equal(new Set(events.map((e) => e.id)).size, 1, 'the same event each time')
  assert.equal(events[0].data.fileId, up.fileId)
  assert.equal(new Set(flaky.received.map((d) => d.body)).size, 1, 'the same body each time')
  const gaps = flaky.received.slice(1).map((d, i) => d.at - flaky.received[i].at)
  assert.ok(gaps[0] >= RETRY_DELAY_MS * 0.8 && gaps[1] >= RETRY_DELAY_MS * 2 * 0.8, `waits grow: ${gaps}`)

  const find = async (url) => {
    const { deliveries } = await s.admin('GET', 'webhooks/deliveries')
    return deliveries.find((d) => d.url === url && d.eventId === events[0].id)
  }
  const done = await until(() => find(flaky.url), (d) => d && d.state === 'delivered', 'the flaky delivery delivered')
  assert.deepEqual([done.attempts, done.maxAttempts, done.lastStatus, done.lastError, done.eventType, done.target, done.nextAttemptAt], [3, 3, 200, null, 'file.created', 'endpoint', null])

  const gaveUp = await until(() => find(broken.url), (d) => d && d.state !== 'pending', 'the broken delivery given up')
  assert.deepEqual([gaveUp.state, gaveUp.attempts, gaveUp.lastStatus], ['failed', 3, 500])
  assert.equal(broken.received.length, 3)
  const unreachable = await until(() => find(nobody), (d) => d && d.state !== 'pending', 'the unreachable delivery given up')
  assert.deepEqual([unreachable.state, unreachable.attempts, unreachable.lastStatus], ['failed', 3, null])
  assert.match(unreachable.lastError, /refused|connect/i)
})

test('a webhook cannot call the admin API', async (t) => {
  const saved = (await s.admin('GET', 'webhooks')).endpoints
  t.after(() => s.admin('POST', 'webhooks', { endpoints: saved }))
  await s.admin('POST', 'webhooks', [`${s.origin}/__admin/reset`])
  const up = await upload(ik, 'kept.png', '/hooks-guard')
  const { deliveries } = await until(() => s.admin('GET', 'webhooks/deliveries'), ({ deliveries }) => deliveries.some((d) => d.url === `${s.origin}/__admin/reset` && d.state === 'failed'), 'the delivery refused')
  assert.equal(deliveries.find((d) => d.url === `${s.origin}/__admin/reset`).lastStatus, 403)
  assert.equal((await ik.files.get(up.fileId)).fileId, up.fileId, 'the library was not reset')
})

test('reset forgets the deliveries and keeps the endpoints', async () => {
  assert.ok((await s.admin('GET', 'webhooks/deliveries')).deliveries.length > 0)
  const before = await s.admin('GET', 'webhooks')
  await s.reset()
  assert.deepEqual((await s.admin('GET', 'webhooks/deliveries')).deliveries, [])
  assert.deepEqual(await s.admin('GET', 'webhooks'), before)
  // DELETE removes the endpoints: nothing is sent.
  await s.admin('DELETE', 'webhooks')
  const count = all.received.length
  await upload(ik, 'unheard.png', '/hooks-none')
  await new Promise((resolve) => setTimeout(resolve, 300))
  assert.equal(all.received.length, count)
  assert.deepEqual((await s.admin('GET', 'webhooks/deliveries')).deliveries, [])
  await s.admin('POST', 'webhooks', { endpoints: before.endpoints })
})

test('the request that causes an event answers promptly when the receiver never does', async (t) => {
  const TIMEOUT_MS = 8000
  const hanging = await receiver(() => 'hang')
  const elsewhere = await receiver()
  t.after(() => Promise.all([hanging.close(), elsewhere.close()]))
  // No --allow-private-* flag here: an upload's loopback webhookUrl is refused.
  const quiet = await startServer({ args: ['--webhook-timeout-ms', String(TIMEOUT_MS)] })
  t.after(() => quiet.stop())
  const client = v7Client(quiet)

  // Baseline without endpoints, then with the hanging one.
  let start = Date.now()
  await upload(client, 'baseline.png', '/quiet')
  const baseline = Date.now() - start
  await quiet.admin('POST', 'webhooks', [hanging.url])
  start = Date.now()
  const up = await upload(client, 'hung.png', '/quiet', { webhookUrl: elsewhere.url, transformation: { post: [{ type: 'transformation', value: 'w-5' }] } })
  const uploadMs = Date.now() - start
  start = Date.now()
  await client.files.update(up.fileId, { tags: ['still-fast'] })
  const updateMs = Date.now() - start
  for (const [what, ms] of [['upload', uploadMs], ['update', updateMs]]) {
    assert.ok(ms < TIMEOUT_MS / 2 && ms < baseline + 3000, `the ${what} took ${ms} ms (baseline ${baseline} ms, receiver timeout ${TIMEOUT_MS} ms)`)
  }
  // The receiver has the requests, still unanswered; the deliveries are pending.
  await until(() => hanging.received.length, (n) => n >= 3, 'the hanging receiver got the events')
  const { deliveries } = await quiet.admin('GET', 'webhooks/deliveries')
  const toHanging = deliveries.filter((d) => d.url === hanging.url)
  assert.ok(toHanging.length >= 3 && toHanging.every((d) => d.state === 'pending'), JSON.stringify(toHanging))

  // The upload's loopback webhookUrl was refused, not called.
  const refused = deliveries.find((d) => d.target === 'webhookUrl')
  assert.deepEqual([refused.state, refused.attempts, refused.eventType], ['failed', 0, 'upload.post-transform.success'])
  assert.match(refused.lastError, /--allow-private-urls/)
  assert.equal(elsewhere.received.length, 0)
})

test('the webhook secret: fixed with the default keys, --webhook-secret, else new each start', async (t) => {
  const fixed = await startServer({ publicKey: 'public_local_test_key', privateKey: 'private_local_test_key' })
  t.after(() => fixed.stop())
  assert.equal(fixed.webhookSecret, 'whsec_bG9jYWxfdGVzdF93ZWJob29rX3NlY3JldA')
  const given = await startServer({ args: ['--webhook-secret', 'whsec_Z2l2ZW4tc2VjcmV0'] })
  t.after(() => given.stop())
  assert.equal(given.webhookSecret, 'whsec_Z2l2ZW4tc2VjcmV0')
  const other = await startServer()
  t.after(() => other.stop())
  assert.match(other.webhookSecret, /^whsec_[A-Za-z0-9+/]{32}$/)
  assert.notEqual(other.webhookSecret, s.webhookSecret)

  // A delivery from the server with the given secret verifies with it.
  const r = await receiver()
  t.after(() => r.close())
  await given.admin('POST', 'webhooks', [`${r.url}=file.created`])
  await upload(v7Client(given), 'secret.png', '/secret')
  await until(() => r.received.length, (n) => n === 1, 'the delivery')
  assert.equal(verified(r.received[0], 'whsec_Z2l2ZW4tc2VjcmV0').type, 'file.created')
})
