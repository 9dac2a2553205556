'use strict'
// Every asynchronous method against the local ImageKit server (server/ crate): success, the
// validation errors (compared with the reference, which reports them without any network),
// 404s, a wrong private key, 429 with the X-RateLimit-* fields, injected faults, an unreachable
// endpoint, `$ResponseMetadata`, and callbacks versus promises.

const test = require('node:test')
const assert = require('node:assert/strict')

const Reference = require('imagekit-reference')
const ImageKit = require('..')
const { useServer, closedPort } = require('./helpers/server.js')
const { png, jpeg } = require('./helpers/images.js')
const { settle, describe, viaCallback, assertMetadata } = require('./helpers/calls.js')

const server = useServer({ args: ['--job-delay-ms', '20', '--purge-delay-ms', '20'] })
const client = () => new ImageKit(server().options)

const MISSING_ID = '000000000000000000000000'

async function eventually(check, what) {
  for (let i = 0; i < 100; i++) {
    if (await check()) return
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
  assert.fail(`${what} never happened`)
}

test('files: upload, read, version, tag, copy, move, rename and delete', async () => {
  const ik = client()
  const first = await ik.upload({ file: png(32, 24), fileName: 'flow.png', folder: '/media-test', useUniqueFileName: false, tags: ['one', 'two'] })
  assertMetadata(first, 200)
  assert.equal(first.name, 'flow.png')
  assert.equal(first.filePath, '/media-test/flow.png')
  assert.deepEqual([first.width, first.height, first.fileType], [32, 24, 'image'])

  const details = await ik.getFileDetails(first.fileId)
  assertMetadata(details, 200)
  assert.equal(details.fileId, first.fileId)
  assert.deepEqual(details.tags, ['one', 'two'])

  // Uploading the same path again makes a second version.
  const second = await ik.upload({ file: jpeg(16, 16), fileName: 'flow.png', folder: '/media-test', useUniqueFileName: false, overwriteFile: true })
  assert.equal(second.fileId, first.fileId)
  const versions = await ik.getFileVersions(first.fileId)
  assertMetadata(versions, 200)
  assert.ok(Array.isArray(versions))
  assert.equal(versions.length, 2)
  const old = versions.find((v) => v.versionInfo.id === first.versionInfo.id)
  assert.ok(old, 'the first version is listed')

  const oldDetails = await ik.getFileVersionDetails({ fileId: first.fileId, versionId: first.versionInfo.id })
  assert.equal(oldDetails.versionInfo.id, first.versionInfo.id)
  const restored = await ik.restoreFileVersion({ fileId: first.fileId, versionId: first.versionInfo.id })
  assertMetadata(restored, 200)
  assert.equal(restored.versionInfo.id, first.versionInfo.id)
  // The second version is no longer current: it can be deleted.
  const deletedVersion = await ik.deleteFileVersion({ fileId: first.fileId, versionId: second.versionInfo.id })
  assertMetadata(deletedVersion, 204)
  assert.deepEqual({ ...deletedVersion }, {})
  assert.equal((await ik.getFileVersions(first.fileId)).length, 1)

  const updated = await ik.updateFileDetails(first.fileId, { tags: ['updated'], customCoordinates: '1,2,3,4' })
  assertMetadata(updated, 200)
  assert.deepEqual(updated.tags, ['updated'])
  assert.equal(updated.customCoordinates, '1,2,3,4')

  const added = await ik.bulkAddTags([first.fileId], ['added', 'more'])
  assertMetadata(added, 200)
  assert.deepEqual(added.successfullyUpdatedFileIds, [first.fileId])
  const removed = await ik.bulkRemoveTags([first.fileId], ['more'])
  assert.deepEqual(removed.successfullyUpdatedFileIds, [first.fileId])
  const removedAI = await ik.bulkRemoveAITags([first.fileId], ['Nothing'])
  assert.deepEqual(removedAI.successfullyUpdatedFileIds, [first.fileId])
  assert.deepEqual((await ik.getFileDetails(first.fileId)).tags, ['updated', 'added'])

  const listed = await ik.listFiles({ path: '/media-test', tags: ['added'] })
  assertMetadata(listed, 200)
  assert.deepEqual(
    listed.map((f) => f.fileId),
    [first.fileId],
  )
  const searched = await ik.listFiles({ searchQuery: 'name = "flow.png"' })
  assert.ok(searched.some((f) => f.fileId === first.fileId))

  const copied = await ik.copyFile({ sourceFilePath: '/media-test/flow.png', destinationPath: '/media-copy/' })
  assertMetadata(copied, 204)
  const moved = await ik.moveFile({ sourceFilePath: '/media-copy/flow.png', destinationPath: '/media-moved/' })
  assertMetadata(moved, 204)
  const renamed = await ik.renameFile({ filePath: '/media-moved/flow.png', newFileName: 'renamed.png', purgeCache: true })
  assertMetadata(renamed, 200)
  assert.equal(typeof renamed.purgeRequestId, 'string')
  const [movedFile] = await ik.listFiles({ path: '/media-moved' })
  assert.equal(movedFile.name, 'renamed.png')

  const bulk = await ik.bulkDeleteFiles([movedFile.fileId])
  assertMetadata(bulk, 200)
  assert.deepEqual(bulk.successfullyDeletedFileIds, [movedFile.fileId])
  const deleted = await ik.deleteFile(first.fileId)
  assertMetadata(deleted, 204)
  const gone = await settle(ik.getFileDetails(first.fileId))
  assert.equal(gone.ok, false)
  assertMetadata(gone.error, 404)
})

test('getFileMetadata by file id and by URL (the server downloads a file it serves)', async () => {
  const ik = client()
  const file = await ik.upload({ file: jpeg(48, 32), fileName: 'meta.jpg' })
  const byId = await ik.getFileMetadata(file.fileId)
  assertMetadata(byId, 200)
  assert.deepEqual([byId.width, byId.height, byId.format], [48, 32, 'jpg'])
  assert.match(byId.pHash, /^[0-9a-f]{16}$/)
  const byUrl = await ik.getFileMetadata(file.url)
  assertMetadata(byUrl, 200)
  assert.deepEqual([byUrl.width, byUrl.height, byUrl.pHash], [byId.width, byId.height, byId.pHash])
  assert.equal(ik.pHashDistance(byId.pHash, byUrl.pHash), 0)
  const missing = await settle(ik.getFileMetadata(`${server().urlEndpoint}/no-such-file.png`))
  assert.equal(missing.ok, false)
  assert.equal(typeof missing.error.message, 'string')
  assert.ok(missing.error.$ResponseMetadata.statusCode >= 400)
})

test('folders: create, copy and move (bulk jobs), delete', async () => {
  const ik = client()
  await ik.upload({ file: png(), fileName: 'in-folder.png', folder: '/src-folder', useUniqueFileName: false })
  const created = await ik.createFolder({ folderName: 'made', parentFolderPath: '/' })
  assertMetadata(created, 201)
  const copy = await ik.copyFolder({ sourceFolderPath: '/src-folder', destinationPath: '/made', includeFileVersions: true })
  assertMetadata(copy, 200)
  assert.equal(typeof copy.jobId, 'string')
  let status
  await eventually(async () => {
    status = await ik.getBulkJobStatus(copy.jobId)
    return status.status === 'Completed'
  }, 'copy job completion')
  assertMetadata(status, 200)
  assert.equal(status.jobId, copy.jobId)
  assert.equal(status.type, 'COPY_FOLDER')
  assert.equal((await ik.listFiles({ path: '/made/src-folder' })).length, 1)

  const move = await ik.moveFolder({ sourceFolderPath: '/made/src-folder', destinationPath: '/' })
  await eventually(async () => (await ik.getBulkJobStatus(move.jobId)).status === 'Completed', 'move job completion')
  assert.equal((await ik.getBulkJobStatus(move.jobId)).type, 'MOVE_FOLDER')

  const removed = await ik.deleteFolder('/made')
  assertMetadata(removed, 204)
  const again = await settle(ik.deleteFolder('/made'))
  assert.equal(again.ok, false)
  assertMetadata(again.error, 404)
})

test('purgeCache and getPurgeCacheStatus', async () => {
  const ik = client()
  const purge = await ik.purgeCache(`${server().urlEndpoint}/any.png`)
  assertMetadata(purge, 201)
  assert.equal(typeof purge.requestId, 'string')
  await eventually(async () => (await ik.getPurgeCacheStatus(purge.requestId)).status === 'Completed', 'purge completion')
  assertMetadata(await ik.getPurgeCacheStatus(purge.requestId), 200)
})

test('custom metadata fields: create, list, update, delete', async () => {
  const ik = client()
  const field = await ik.createCustomMetadataField({ name: 'price', label: 'Price', schema: { type: 'Number', minValue: 1, maxValue: 100 } })
  assertMetadata(field, 201)
  assert.equal(field.name, 'price')
  assert.deepEqual(field.schema, { type: 'Number', minValue: 1, maxValue: 100 })
  const listed = await ik.getCustomMetadataFields()
  assertMetadata(listed, 200)
  assert.ok(listed.some((f) => f.id === field.id))
  const updated = await ik.updateCustomMetadataField(field.id, { label: 'Cost' })
  assert.equal(updated.label, 'Cost')
  const file = await ik.upload({ file: png(), fileName: 'priced.png', customMetadata: { price: 10 } })
  assert.deepEqual((await ik.getFileDetails(file.fileId)).customMetadata, { price: 10 })
  const deleted = await ik.deleteCustomMetadataField(field.id)
  assertMetadata(deleted, 204)
  assert.ok(!(await ik.getCustomMetadataFields()).some((f) => f.id === field.id))
  assert.ok((await ik.getCustomMetadataFields({ includeDeleted: true })).some((f) => f.id === field.id))
  const missing = await settle(ik.updateCustomMetadataField(field.id + 'x', { label: 'x' }))
  assertMetadata(missing.error, 404)
})

test('404s carry the server body and $ResponseMetadata', async () => {
  const ik = client()
  const calls = [
    ['getFileDetails', [MISSING_ID]],
    ['getFileVersions', [MISSING_ID]],
    ['getFileVersionDetails', [{ fileId: MISSING_ID, versionId: MISSING_ID }]],
    ['getFileMetadata', [MISSING_ID]],
    ['updateFileDetails', [MISSING_ID, { tags: ['x'] }]],
    ['deleteFile', [MISSING_ID]],
    ['deleteFileVersion', [{ fileId: MISSING_ID, versionId: MISSING_ID }]],
    ['restoreFileVersion', [{ fileId: MISSING_ID, versionId: MISSING_ID }]],
    ['copyFile', [{ sourceFilePath: '/nope.png', destinationPath: '/x' }]],
    ['moveFile', [{ sourceFilePath: '/nope.png', destinationPath: '/x' }]],
    ['renameFile', [{ filePath: '/nope.png', newFileName: 'y.png' }]],
    ['copyFolder', [{ sourceFolderPath: '/nope', destinationPath: '/x' }]],
    ['moveFolder', [{ sourceFolderPath: '/nope', destinationPath: '/x' }]],
    ['deleteFolder', ['/nope']],
    ['getBulkJobStatus', [MISSING_ID]],
    ['getPurgeCacheStatus', [MISSING_ID]],
    ['deleteCustomMetadataField', [MISSING_ID]],
  ]
  for (const [method, args] of calls) {
    const outcome = await settle(ik[method](...args))
    assert.equal(outcome.ok, false, `${method} fails`)
    assert.ok(!(outcome.error instanceof Error), `${method}: the error is the response body`)
    assert.equal(typeof outcome.error.message, 'string', `${method}: message`)
    assertMetadata(outcome.error, 404)
  }
})

test('a wrong private key: 403 (the local server: 401 without credentials, 403 for wrong ones)', async () => {
  const ik = new ImageKit({ ...server().options, privateKey: 'wrong_private_key' })
  for (const call of [() => ik.getFileDetails(MISSING_ID), () => ik.listFiles(), () => ik.upload({ file: png(), fileName: 'a.png' })]) {
    const outcome = await settle(call())
    assert.equal(outcome.ok, false)
    assert.equal(typeof outcome.error.message, 'string')
    const metadata = assertMetadata(outcome.error, 403)
    assert.equal(metadata.headers['content-type'], 'application/json')
  }
})

test('429: the error carries numeric X-RateLimit-* fields', async (t) => {
  const ik = client()
  await server().setRateLimit(2, 60_000)
  t.after(() => server().clearRateLimit())
  await ik.listFiles()
  await ik.getCustomMetadataFields()
  for (const call of [() => ik.listFiles(), () => ik.upload({ file: png(), fileName: 'limited.png' })]) {
    const outcome = await settle(call())
    assert.equal(outcome.ok, false)
    const e = outcome.error
    const metadata = assertMetadata(e, 429)
    assert.equal(e['X-RateLimit-Limit'], 2)
    assert.equal(e['X-RateLimit-Interval'], 60_000)
    assert.ok(Number.isInteger(e['X-RateLimit-Reset']) && e['X-RateLimit-Reset'] > 0 && e['X-RateLimit-Reset'] <= 60_000)
    assert.equal(String(e['X-RateLimit-Limit']), metadata.headers['x-ratelimit-limit'])
    assert.equal(typeof e.message, 'string')
  }
  await server().clearRateLimit()
  await ik.listFiles()
})

test('server faults: an injected 500, a dropped connection, a truncated body', async (t) => {
  const ik = client()
  t.after(() => server().clearFaults())
  await server().setFaults([{ path: '/v1/files/*/details', status: 500, times: 1 }])
  const failed = await settle(ik.getFileDetails(MISSING_ID))
  assert.equal(failed.ok, false)
  assert.ok(!(failed.error instanceof Error))
  assertMetadata(failed.error, 500)

  await server().setFaults([{ path: '/v1/files/*/details', dropConnection: true, times: 1 }])
  const dropped = await settle(ik.getFileDetails(MISSING_ID))
  assert.equal(dropped.ok, false)
  assert.ok(dropped.error instanceof Error)
  assert.equal(typeof dropped.error.code, 'string')
  assert.ok(!dropped.error.message.includes(server().privateKey))
  assert.equal(dropped.error.$ResponseMetadata, undefined)

  await server().setFaults([{ path: '/v1/files*', truncateBody: true, times: 1 }])
  const truncated = await settle(ik.listFiles())
  assert.equal(truncated.ok, false)
  assert.ok(truncated.error instanceof Error)
  assert.equal(typeof truncated.error.code, 'string')

  await server().setFaults([{ path: '/api/v1/files/upload', dropConnection: true, times: 1 }])
  const upload = await settle(ik.upload({ file: png(64, 64), fileName: 'dropped.png' }))
  assert.ok(upload.error instanceof Error)
  assert.equal(typeof upload.error.code, 'string')
  // The next call works: the broken connection left the pool.
  await server().clearFaults()
  assertMetadata(await ik.listFiles(), 200)
})

test('an unreachable endpoint: an Error with code ECONNREFUSED naming the cause, never the key', async () => {
  const port = await closedPort()
  const privateKey = 'private_secret_never_shown'
  const ik = new ImageKit({ ...server().options, privateKey, apiEndpoint: `http://127.0.0.1:${port}`, uploadEndpoint: `http://127.0.0.1:${port}/api/v1/files/upload` })
  for (const call of [() => ik.getFileDetails('abc'), () => ik.upload({ file: png(), fileName: 'a.png' })]) {
    const outcome = await settle(call())
    assert.equal(outcome.ok, false)
    const e = outcome.error
    assert.ok(e instanceof Error)
    assert.equal(e.code, 'ECONNREFUSED')
    assert.match(e.message, new RegExp(`ECONNREFUSED 127\\.0\\.0\\.1:${port}`))
    assert.ok(!e.message.includes(privateKey))
    assert.ok(!String(e.stack).includes(privateKey))
  }
  const viaCb = viaCallback(ik, 'deleteFile', ['abc'])
  await viaCb.done
  assert.equal(viaCb.returned, undefined)
  assert.equal(viaCb.calls[0].sync, false)
  assert.equal(viaCb.calls[0].args[0].code, 'ECONNREFUSED')
  assert.equal(viaCb.calls[0].args[1], null)
})

test('callbacks: (null, result) later, undefined returned; a non-function callback throws', async () => {
  const ik = client()
  const uploaded = viaCallback(ik, 'upload', [{ file: png(), fileName: 'cb.png' }])
  assert.equal(uploaded.returned, undefined)
  assert.equal(uploaded.thrown, undefined)
  await uploaded.done
  assert.equal(uploaded.calls.length, 1)
  const [error, result] = uploaded.calls[0].args
  assert.equal(uploaded.calls[0].sync, false)
  assert.equal(error, null)
  assertMetadata(result, 200)

  const failed = viaCallback(ik, 'getFileDetails', [MISSING_ID])
  await failed.done
  assert.equal(failed.calls[0].args[1], null)
  assertMetadata(failed.calls[0].args[0], 404)

  for (const bad of ['x', 5, {}, null, true]) {
    assert.throws(() => ik.getFileDetails(MISSING_ID, bad), { constructor: Error, message: 'Callback must be a function.' })
    assert.throws(() => ik.updateFileDetails(MISSING_ID, {}, bad), { message: 'Callback must be a function.' })
    assert.throws(() => ik.listFiles({}, bad), { message: 'Callback must be a function.' })
  }
  // An explicit undefined callback means a Promise.
  const promised = ik.getFileDetails(uploaded.calls[0].args[1].fileId, undefined)
  assert.ok(promised instanceof Promise)
  assertMetadata(await promised, 200)
  assert.ok(ik.getCustomMetadataFields() instanceof Promise)
})

// ---- validation: the reference's errors, in the reference's order, without a request ----

const T = { type: 'transformation', value: 'w-100' }
const validationCases = {
  upload: [[undefined], [null], ['file'], [{}], [{ file: 'x' }], [{ fileName: 'a.png' }], [{ file: '', fileName: 'a' }], [{ file: 'x', fileName: '' }],
    [{ file: 'x', fileName: 'a', transformation: {} }], [{ file: 'x', fileName: 'a', transformation: 'pre' }], [{ file: 'x', fileName: 'a', transformation: { pre: '' } }],
    [{ file: 'x', fileName: 'a', transformation: { post: 'x' } }], [{ file: 'x', fileName: 'a', transformation: { post: [{ type: 'abs' }] } }],
    [{ file: 'x', fileName: 'a', transformation: { post: [T, { type: 'transformation' }] } }], [{ file: 'x', fileName: 'a', transformation: { pre: 'x', post: [null] } }]],
  listFiles: [['str'], [5], [true]],
  getFileDetails: [[undefined], [''], [0], [null], [false]],
  getFileVersions: [[undefined], ['']],
  getFileVersionDetails: [[undefined], [{}], [{ fileId: 'a' }], [{ versionId: 'b' }], [null]],
  getFileMetadata: [[undefined], [''], ['   \n'], [5], [{}]],
  updateFileDetails: [[undefined, {}], ['', { tags: [] }], ['id', undefined], ['id', 'str'], ['id', 5]],
  bulkAddTags: [[undefined, ['t']], [[], ['t']], [[1], ['t']], ['id', ['t']], [['a'], undefined], [['a'], []], [['a'], [1]], [['a'], 't']],
  bulkRemoveTags: [[[], ['t']], [['a'], []]],
  bulkRemoveAITags: [[[], ['t']], [['a'], [null]]],
  deleteFile: [[undefined], ['']],
  deleteFileVersion: [[undefined], [{ fileId: 'a' }]],
  restoreFileVersion: [[{}], [{ versionId: 'v' }], [{ fileId: 'a' }]],
  bulkDeleteFiles: [[undefined], [[]], [[1]], ['a'], [[null]]],
  copyFile: [[undefined], [null], [{}], [{ sourceFilePath: '/a' }], [{ sourceFilePath: '', destinationPath: '/b' }], [{ sourceFilePath: '/a', destinationPath: '/b', includeFileVersions: 'yes' }], [{ sourceFilePath: 5, destinationPath: '/b' }]],
  moveFile: [[undefined], [{}], [{ sourceFilePath: '/a' }], [{ sourceFilePath: '/a', destinationPath: '' }]],
  renameFile: [[undefined], [{}], [{ filePath: '/a' }], [{ filePath: '/a', newFileName: 'b', purgeCache: 'no' }], [{ filePath: '/a', newFileName: 5 }]],
  createFolder: [[undefined], [{}], [{ folderName: 'a' }], [{ folderName: 'a', parentFolderPath: 5 }], [{ folderName: '', parentFolderPath: '/' }]],
  deleteFolder: [[undefined], [''], [5], [['/a']]],
  copyFolder: [[undefined], [{}], [{ sourceFolderPath: '/a' }], [{ sourceFolderPath: '/a', destinationPath: '/b', includeFileVersions: 1 }]],
  moveFolder: [[undefined], [{}], [{ sourceFolderPath: '/a' }]],
  getBulkJobStatus: [[undefined], [''], [0]],
  purgeCache: [[undefined], [null], [''], [0]],
  getPurgeCacheStatus: [[undefined], [''], [null]],
  createCustomMetadataField: [[undefined], [{}], [{ name: 'a' }], [{ name: '', label: 'b' }], [{ name: 'a', label: 'b' }], [{ name: 'a', label: 'b', schema: {} }], [{ name: 'a', label: 'b', schema: 'Text' }]],
  updateCustomMetadataField: [[undefined, {}], [5, { label: 'x' }], ['', { label: 'x' }], ['id', {}], ['id', undefined], ['id', { label: '', schema: null }]],
  deleteCustomMetadataField: [[undefined], [5], ['']],
}

test('validation errors equal the reference, as rejections and as synchronous callbacks', async () => {
  // Nothing may reach a server: both point at a closed port.
  const port = await closedPort()
  const options = { publicKey: 'p', privateKey: 'k', urlEndpoint: 'https://ik.imagekit.io/x', uploadEndpoint: `http://127.0.0.1:${port}/u` }
  const reference = new Reference(options)
  const ours = new ImageKit({ ...options, apiEndpoint: `http://127.0.0.1:${port}` })
  let count = 0
  for (const [method, cases] of Object.entries(validationCases)) {
    for (const args of cases) {
      const label = `${method}(${require('node:util').inspect(args)})`
      // Promise style: a rejection, or a synchronous throw, the same way for both.
      const run = (client) => {
        try {
          return settle(client[method](...args))
        } catch (e) {
          return Promise.resolve({ threw: describe(e) })
        }
      }
      const r = await run(reference)
      const o = await run(ours)
      if (r.threw) assert.deepStrictEqual(o, r, label)
      else {
        assert.equal(r.ok, false, `${label}: the reference rejects`)
        assert.deepStrictEqual({ ok: o.ok, error: describe(o.error) }, { ok: false, error: describe(r.error) }, label)
        if (!(r.error instanceof Error)) assert.deepStrictEqual(Object.keys(o.error), ['message', 'help'], label)
      }
      // Callback style: the error arrives before the method returns, or the method throws.
      const rc = viaCallback(reference, method, args)
      const oc = viaCallback(ours, method, args)
      const view = (c) => ({
        returned: c.returned,
        thrown: c.thrown && describe(c.thrown),
        calls: c.calls.map((call) => ({ sync: call.sync, args: call.args.map(describe) })),
      })
      assert.deepStrictEqual(view(oc), view(rc), `${label} with a callback`)
      count++
    }
  }
  assert.ok(count > 100)
})
