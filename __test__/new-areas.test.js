'use strict'
// The API areas v6 lacks against the local ImageKit server (server/ crate): every new method
// succeeds with real state (created, read back, updated, listed, deleted), fails with v6's
// `{ message, help }` for a bad argument before anything is sent, with the server's 400 for an
// invalid body, with 404 for an unknown id, and with 403 for a wrong private key; in promise
// and in callback mode. Named transformations apply at delivery (`tr:n-<name>`), renameFolder
// runs as a bulk job, and usage comes from what the server recorded today.

const test = require('node:test')
const assert = require('node:assert/strict')

const ImageKit = require('..')
const { useServer } = require('./helpers/server.js')
const { png, dimensions } = require('./helpers/images.js')
const { settle, assertMetadata } = require('./helpers/calls.js')

const server = useServer({ args: ['--job-delay-ms', '20'] })
const client = () => new ImageKit(server().options)
const MISSING_ID = 'no-such-id-000000'

/** Asserts an API error answer: ImageKit's JSON body with `$ResponseMetadata`. */
async function rejectsWith(promise, status, what) {
  const outcome = await settle(promise)
  assert.equal(outcome.ok, false, `${what} fails`)
  assert.ok(!(outcome.error instanceof Error), `${what}: the error is the response body`)
  assert.equal(typeof outcome.error.message, 'string', `${what}: message`)
  assert.equal(typeof outcome.error.help, 'string', `${what}: help`)
  assertMetadata(outcome.error, status)
  return outcome.error
}

/** Calls in callback mode; resolves to the callback's arguments. */
const viaCallback = (ik, method, ...args) => new Promise((resolve) => ik[method](...args, (error, result) => resolve({ error, result })))

const today = () => new Date().toISOString().slice(0, 10)
const dayAfter = (day, n = 1) => new Date(Date.parse(`${day}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10)

// For each resource: what to create, a change, a body the server refuses, and a field that
// shows the change took.
const RESOURCES = [
  {
    name: 'SavedExtension',
    create: { name: 'Clothes', description: 'Tags clothing', config: { name: 'google-auto-tagging', maxTags: 5, minConfidence: 80 } },
    update: { description: 'Tags clothes and shoes' },
    invalid: { name: 'Broken', description: 'unknown extension', config: { name: 'no-such-extension' } },
    changed: (r) => r.description === 'Tags clothes and shoes',
  },
  {
    name: 'NamedTransformation',
    create: { name: 'listing_thumb', transformation: 'w-12,h-12' },
    update: { transformation: 'w-14,h-14' },
    invalid: { name: 'has space', transformation: 'w-10' },
    changed: (r) => r.transformation === 'w-14,h-14',
  },
  {
    name: 'Origin',
    create: { type: 'S3', name: 'Products', bucket: 'products', accessKey: 'AKIAEXAMPLE', secretKey: 'secret-value', prefix: 'raw' },
    update: { type: 'WEB_FOLDER', name: 'Site', baseUrl: 'https://example.com/images' },
    invalid: { type: 'NO_SUCH_TYPE', name: 'Nothing' },
    changed: (r) => r.type === 'WEB_FOLDER' && r.baseUrl === 'https://example.com/images',
  },
  {
    name: 'UrlEndpoint',
    create: { description: 'Shop', urlPrefix: 'shop' },
    update: { description: 'Store', urlPrefix: 'store', urlRewriter: { type: 'IMGIX' } },
    invalid: { description: 'Bad prefix', urlPrefix: 'not/allowed' },
    changed: (r) => r.urlPrefix === 'store' && r.urlRewriter.type === 'IMGIX',
  },
]
const plural = (name) => `${name}s`

for (const resource of RESOURCES) {
  const { name } = resource
  test(`${name}: created, read back, updated, listed and deleted`, async () => {
    const ik = client()
    const created = await ik[`create${name}`](resource.create)
    assertMetadata(created, 201)
    assert.equal(typeof created.id, 'string')
    assert.ok(created.id.length > 0)

    const read = await ik[`get${name}`](created.id)
    assertMetadata(read, 200)
    assert.deepEqual({ ...read }, { ...created })

    const updated = await ik[`update${name}`](created.id, resource.update)
    assertMetadata(updated, 200)
    assert.ok(resource.changed(updated), `the update took: ${JSON.stringify(updated)}`)
    assert.equal(updated.id, created.id)

    const listed = await ik[`list${plural(name)}`]()
    assertMetadata(listed, 200)
    assert.ok(Array.isArray(listed))
    assert.ok(resource.changed(listed.find((r) => r.id === created.id)), 'the list holds the change')

    // The callback gets what the promise resolves with.
    const { error, result } = await viaCallback(ik, `get${name}`, created.id)
    assert.equal(error, null)
    assert.deepEqual({ ...result }, { ...updated })

    const removed = await ik[`delete${name}`](created.id)
    assertMetadata(removed, 204)
    await rejectsWith(ik[`get${name}`](created.id), 404, `get${name} after delete`)
    const after = await ik[`list${plural(name)}`]()
    assert.ok(!after.some((r) => r.id === created.id))
  })

  test(`${name}: a bad argument is v6's { message, help }, a bad body the server's 400, an unknown id 404`, async () => {
    const ik = client()
    for (const [method, args] of [
      [`get${name}`, ['']],
      [`update${name}`, [undefined, resource.update]],
      [`delete${name}`, [42]],
      [`create${name}`, [undefined]],
      [`update${name}`, ['some-id', null]],
    ]) {
      const outcome = await settle(ik[method](...args))
      assert.equal(outcome.ok, false, `${method} fails`)
      assert.ok(!(outcome.error instanceof Error))
      assert.deepEqual(Object.keys(outcome.error), ['message', 'help'])
      assert.match(outcome.error.message, /^Missing /)
      const { error } = await viaCallback(ik, method, ...args)
      assert.deepEqual(error, outcome.error, `${method}: the callback gets the same error`)
    }
    await rejectsWith(ik[`create${name}`](resource.invalid), 400, `create${name} with an invalid body`)
    await rejectsWith(ik[`get${name}`](MISSING_ID), 404, `get${name} of an unknown id`)
    await rejectsWith(ik[`update${name}`](MISSING_ID, resource.update), 404, `update${name} of an unknown id`)
    await rejectsWith(ik[`delete${name}`](MISSING_ID), 404, `delete${name} of an unknown id`)
  })
}

test('URL endpoints: the default one is listed and cannot be deleted; origins are referred to by id', async () => {
  const ik = client()
  const endpoints = await ik.listUrlEndpoints()
  const fallback = endpoints.find((e) => e.id === 'default')
  assert.ok(fallback, 'the default URL endpoint is listed')
  assert.equal(fallback.urlPrefix, '')
  await rejectsWith(ik.deleteUrlEndpoint('default'), 400, 'deleting the default URL endpoint')

  const origin = await ik.createOrigin({ type: 'WEB_PROXY', name: 'Proxy' })
  const endpoint = await ik.createUrlEndpoint({ description: 'Proxied', urlPrefix: 'proxied', origins: [origin.id] })
  assert.deepEqual(endpoint.origins, [origin.id])
  await rejectsWith(ik.createUrlEndpoint({ description: 'Dangling', urlPrefix: 'dangling', origins: [MISSING_ID] }), 400, 'an unknown origin')
  await rejectsWith(ik.createUrlEndpoint({ description: 'Again', urlPrefix: 'proxied' }), 409, 'a taken urlPrefix')
  await ik.deleteUrlEndpoint(endpoint.id)
  await ik.deleteOrigin(origin.id)
})

test('origins: secrets are never given back', async () => {
  const ik = client()
  const origin = await ik.createOrigin({ type: 'AZURE_BLOB', name: 'Blobs', accountName: 'acct', container: 'media', sasToken: 'sv=secret' })
  for (const shown of [origin, await ik.getOrigin(origin.id), (await ik.listOrigins()).find((o) => o.id === origin.id)]) {
    assert.equal(shown.accountName, 'acct')
    assert.equal(shown.sasToken, undefined)
    assert.ok(!JSON.stringify(shown).includes('sv=secret'))
  }
  await ik.deleteOrigin(origin.id)
})

test('named transformations apply at delivery as tr:n-<name>; a disabled or unknown one fails it', async () => {
  const ik = client()
  const file = await ik.upload({ file: png(40, 30), fileName: 'named.png', folder: '/named-test', useUniqueFileName: false })
  const named = await ik.createNamedTransformation({ name: 'tiny_square', transformation: 'w-10,h-10' })
  const deliver = (tr) => fetch(`${server().urlEndpoint}/tr:${tr}${file.filePath}`)

  const response = await deliver('n-tiny_square')
  assert.equal(response.status, 200)
  const { width, height } = dimensions(Buffer.from(await response.arrayBuffer()))
  assert.deepEqual({ width, height }, { width: 10, height: 10 })

  await ik.updateNamedTransformation(named.id, { enabled: false })
  const disabled = await deliver('n-tiny_square')
  assert.ok(disabled.status >= 400 && disabled.status < 500, `disabled: ${disabled.status}`)
  assert.equal(typeof (await disabled.json()).message, 'string')

  const unknown = await deliver('n-no_such_name')
  assert.ok(unknown.status >= 400 && unknown.status < 500, `unknown: ${unknown.status}`)

  await rejectsWith(ik.createNamedTransformation({ name: 'tiny_square', transformation: 'w-5' }), 409, 'a taken name')
  await ik.deleteNamedTransformation(named.id)
  await ik.deleteFile(file.fileId)
})

test('renameFolder: a bulk job, after which the files are under the new name', async () => {
  const ik = client()
  await ik.upload({ file: png(), fileName: 'inside.png', folder: '/rename-me/deep', useUniqueFileName: false })
  const job = await ik.renameFolder({ folderPath: '/rename-me', newFolderName: 'renamed', purgeCache: true })
  assertMetadata(job, 200)
  assert.equal(typeof job.jobId, 'string')
  let status
  for (let i = 0; i < 100; i++) {
    status = await ik.getBulkJobStatus(job.jobId)
    if (status.status === 'Completed') break
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
  assert.equal(status.status, 'Completed')
  assert.equal(status.type, 'RENAME_FOLDER')
  const moved = await ik.listFiles({ path: '/renamed/deep' })
  assert.deepEqual(
    moved.map((f) => f.filePath),
    ['/renamed/deep/inside.png'],
  )
  assert.deepEqual(await ik.listFiles({ path: '/rename-me/deep' }), [])

  const { error } = await viaCallback(ik, 'renameFolder', { folderPath: '/renamed', newFolderName: '' })
  assert.deepEqual(error, { message: 'Invalid newFolderName value', help: "It should be the folder's new name, like 'summer-2026'" })
  await rejectsWith(ik.renameFolder({ folderPath: '/no/such/folder', newFolderName: 'x' }), 404, 'renaming a missing folder')
})

test('usage: storage and delivery recorded today; analytics count the requests', async () => {
  const ik = client()
  const bytes = png(64, 64)
  const file = await ik.upload({ file: bytes, fileName: 'usage.png', folder: '/usage-test', useUniqueFileName: false })
  const delivered = await fetch(`${server().urlEndpoint}${file.filePath}`)
  assert.equal(delivered.status, 200)
  const size = (await delivered.arrayBuffer()).byteLength

  const day = today()
  const usage = await ik.getUsage({ startDate: day, endDate: dayAfter(day) })
  assertMetadata(usage, 200)
  assert.ok(usage.mediaLibraryStorageBytes >= bytes.length, `storage ${usage.mediaLibraryStorageBytes}`)
  assert.ok(usage.bandwidthBytes >= size, `bandwidth ${usage.bandwidthBytes}`)
  // The end date is excluded: a range ending today holds nothing delivered today.
  const before = await ik.getUsage({ startDate: dayAfter(day, -1), endDate: day })
  assert.equal(before.bandwidthBytes, 0)

  const analytics = await ik.getUsageAnalytics({ startDate: day, endDate: day })
  assertMetadata(analytics, 200)
  assert.ok(analytics.requestCount >= 1)
  assert.ok(analytics.bandwidthBytes >= size)
  assert.ok(analytics.statusCodes.some((s) => s.name === '200' && s.requestCount >= 1))
  assert.ok(Array.isArray(analytics.topImages.byRequests))

  const { error } = await viaCallback(ik, 'getUsage', { startDate: day })
  assert.deepEqual(Object.keys(error), ['message', 'help'])
  assert.equal(error.message, 'Invalid endDate value')
  await rejectsWith(ik.getUsage({ startDate: dayAfter(day), endDate: day }), 400, 'a start after the end')
  await rejectsWith(ik.getUsageAnalytics({ startDate: '2026-01-01', endDate: '2026-06-01' }), 400, 'a range of 90 days or more')
})

test('a wrong private key: every new method gets 403', async () => {
  const ik = new ImageKit({ ...server().options, privateKey: 'wrong_private_key' })
  const day = today()
  const calls = [
    ['renameFolder', { folderPath: '/a', newFolderName: 'b' }],
    ['getUsage', { startDate: day, endDate: dayAfter(day) }],
    ['getUsageAnalytics', { startDate: day, endDate: day }],
  ]
  for (const resource of RESOURCES) {
    calls.push(
      [`list${plural(resource.name)}`],
      [`create${resource.name}`, resource.create],
      [`get${resource.name}`, MISSING_ID],
      [`update${resource.name}`, MISSING_ID, resource.update],
      [`delete${resource.name}`, MISSING_ID],
    )
  }
  assert.equal(calls.length, 23)
  for (const [method, ...args] of calls) {
    await rejectsWith(ik[method](...args), 403, method)
  }
})
