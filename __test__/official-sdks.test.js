'use strict'
// The official SDKs, unchanged, against the local ImageKit server (server/ crate): the same
// "typical program" (upload, list, details, update, versions, bulk tags, folders and their bulk
// jobs, custom metadata fields, cache purge, metadata, delete) with imagekit@6.0.0 (installed as
// `imagekit-reference`) and with @imagekit/nodejs v7. Both share one server; each SDK works in
// its own folder and uses its own custom metadata field names.
//
// How each SDK is pointed at the server, with nothing but its own configuration:
// * v6: uploads through its `uploadEndpoint` option; its media API is hard-wired to
//   https://api.imagekit.io, so an interceptor on the axios instance it uses (the package's
//   default export, as in bench/http.js) rewrites that origin to the server's.
// * v7: `baseURL` = the server's apiEndpoint. Uploads ask for `defaultBaseURL:
//   'https://upload.imagekit.io'`, which the client uses only while `baseURL` is the default
//   https://api.imagekit.io; with `baseURL` overridden they go to `<baseURL>/api/v1/files/upload`,
//   which is the server's uploadEndpoint. Auth is basic with `privateKey` as the user and the
//   SDK's dummy password (`do_not_set`), which the server ignores.
// Both record the URL of every request they send, and the tests check that all of them went to
// the local server.

const test = require('node:test')
const assert = require('node:assert/strict')
const path = require('node:path')

const { useServer } = require('./helpers/server.js')
const { png } = require('./helpers/images.js')

const server = useServer({ args: ['--job-delay-ms', '20', '--purge-delay-ms', '20'] })

const REFERENCE_API = 'https://api.imagekit.io'

/** Polls `read()` until `done(value)`; returns the last value. */
async function until(read, done, what) {
  for (let i = 0; i < 100; i++) {
    const value = await read()
    if (done(value)) return value
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
  assert.fail(`${what} never happened`)
}

/** The error a promise rejects with (fails if it resolves). */
async function rejection(promise) {
  try {
    await promise
  } catch (error) {
    return error
  }
  assert.fail('expected a rejection')
}

// ---------------------------------------------------------------------------------------------
// imagekit@6.0.0

let v6Urls
function v6Client() {
  const s = server()
  const Reference = require('imagekit-reference')
  if (!v6Urls) {
    v6Urls = []
    // The axios the SDK itself requires (its dist/utils/request.js does `require("axios")`).
    const axiosPath = require.resolve('axios', { paths: [path.dirname(require.resolve('imagekit-reference'))] })
    const axios = require(axiosPath)
    axios.interceptors.request.use((config) => {
      if (typeof config.url === 'string' && config.url.startsWith(REFERENCE_API)) {
        config.url = s.apiEndpoint + config.url.slice(REFERENCE_API.length)
      }
      v6Urls.push(config.url)
      return config
    })
  }
  return new Reference({
    publicKey: s.publicKey,
    privateKey: s.privateKey,
    urlEndpoint: s.urlEndpoint,
    uploadEndpoint: s.uploadEndpoint,
  })
}

test('imagekit@6.0.0 runs a typical program against the local server', async () => {
  const s = server()
  const ik = v6Client()
  const image = png(40, 30)

  // Upload a Buffer.
  const up = await ik.upload({ file: image, fileName: 'v6-photo.png', folder: '/sdk-v6/src', useUniqueFileName: false, tags: ['alpha', 'beta'], responseFields: ['tags'] })
  assert.equal(up.$ResponseMetadata.statusCode, 200)
  assert.match(up.fileId, /^[0-9a-f]{24}$/)
  assert.equal(up.name, 'v6-photo.png')
  assert.equal(up.filePath, '/sdk-v6/src/v6-photo.png')
  assert.equal(up.size, image.length)
  assert.equal(up.fileType, 'image')
  assert.deepEqual([up.width, up.height], [40, 30])
  assert.deepEqual(up.tags, ['alpha', 'beta'])
  assert.equal(up.url, `${s.urlEndpoint}/sdk-v6/src/v6-photo.png`)
  assert.equal(typeof up.versionInfo.id, 'string')

  // List.
  const listed = await ik.listFiles({ path: '/sdk-v6/src' })
  assert.equal(listed.$ResponseMetadata.statusCode, 200)
  assert.deepEqual(
    listed.map((f) => [f.type, f.fileId, f.name, f.filePath, f.size]),
    [['file', up.fileId, 'v6-photo.png', '/sdk-v6/src/v6-photo.png', image.length]],
  )

  // Details.
  const details = await ik.getFileDetails(up.fileId)
  assert.equal(details.$ResponseMetadata.statusCode, 200)
  assert.equal(details.fileId, up.fileId)
  assert.equal(details.name, 'v6-photo.png')
  assert.equal(details.filePath, '/sdk-v6/src/v6-photo.png')
  assert.deepEqual([details.width, details.height, details.size, details.fileType], [40, 30, image.length, 'image'])
  assert.deepEqual(details.tags, ['alpha', 'beta'])
  assert.equal(details.customCoordinates, null)

  // Update details.
  const updated = await ik.updateFileDetails(up.fileId, { tags: ['gamma'], customCoordinates: '1,2,10,12' })
  assert.equal(updated.$ResponseMetadata.statusCode, 200)
  assert.equal(updated.fileId, up.fileId)
  assert.deepEqual(updated.tags, ['gamma'])
  assert.equal(updated.customCoordinates, '1,2,10,12')
  const reread = await ik.getFileDetails(up.fileId)
  assert.deepEqual([reread.tags, reread.customCoordinates], [['gamma'], '1,2,10,12'])

  // Versions: the same name again, useUniqueFileName false (overwriteTags false keeps the tags).
  const again = png(20, 10)
  const up2 = await ik.upload({ file: again, fileName: 'v6-photo.png', folder: '/sdk-v6/src', useUniqueFileName: false, overwriteTags: false })
  assert.equal(up2.fileId, up.fileId)
  assert.notEqual(up2.versionInfo.id, up.versionInfo.id)
  assert.deepEqual([up2.width, up2.height, up2.size], [20, 10, again.length])
  const versions = await ik.getFileVersions(up.fileId)
  assert.equal(versions.$ResponseMetadata.statusCode, 200)
  assert.ok(Array.isArray(versions))
  assert.equal(versions.length, 2)
  assert.deepEqual(versions.map((v) => v.versionInfo.id).sort(), [up.versionInfo.id, up2.versionInfo.id].sort())
  assert.ok(versions.every((v) => v.fileId === up.fileId))
  const current = versions.find((v) => v.versionInfo.id === up2.versionInfo.id)
  const older = versions.find((v) => v.versionInfo.id === up.versionInfo.id)
  assert.deepEqual([current.type, current.width, current.size], ['file', 20, again.length])
  assert.deepEqual([older.type, older.width, older.size], ['file-version', 40, image.length])

  // Bulk tags.
  const added = await ik.bulkAddTags([up.fileId], ['added-1', 'added-2'])
  assert.equal(added.$ResponseMetadata.statusCode, 200)
  assert.deepEqual(added.successfullyUpdatedFileIds, [up.fileId])
  assert.deepEqual((await ik.getFileDetails(up.fileId)).tags, ['gamma', 'added-1', 'added-2'])
  const removed = await ik.bulkRemoveTags([up.fileId], ['gamma', 'added-2'])
  assert.equal(removed.$ResponseMetadata.statusCode, 200)
  assert.deepEqual(removed.successfullyUpdatedFileIds, [up.fileId])
  assert.deepEqual((await ik.getFileDetails(up.fileId)).tags, ['added-1'])

  // Folders: create, then copy and move (bulk jobs polled until Completed).
  const created = await ik.createFolder({ folderName: 'made', parentFolderPath: '/sdk-v6' })
  assert.equal(created.$ResponseMetadata.statusCode, 201)
  const folders = await ik.listFiles({ path: '/sdk-v6', type: 'folder' })
  assert.deepEqual(folders.map((f) => [f.type, f.name, f.folderPath]).sort(), [
    ['folder', 'made', '/sdk-v6/made'],
    ['folder', 'src', '/sdk-v6/src'],
  ])

  const copy = await ik.copyFolder({ sourceFolderPath: '/sdk-v6/src', destinationPath: '/sdk-v6/made', includeFileVersions: true })
  assert.equal(copy.$ResponseMetadata.statusCode, 200)
  assert.equal(typeof copy.jobId, 'string')
  const copyJob = await until(() => ik.getBulkJobStatus(copy.jobId), (job) => job.status === 'Completed', 'the copy job')
  assert.deepEqual({ ...copyJob }, { jobId: copy.jobId, type: 'COPY_FOLDER', status: 'Completed' })
  const copied = await ik.listFiles({ path: '/sdk-v6/made/src' })
  assert.deepEqual(
    copied.map((f) => [f.name, f.filePath, f.size]),
    [['v6-photo.png', '/sdk-v6/made/src/v6-photo.png', again.length]],
  )
  assert.notEqual(copied[0].fileId, up.fileId)
  assert.equal((await ik.getFileVersions(copied[0].fileId)).length, 2, 'includeVersions copies both versions')

  const move = await ik.moveFolder({ sourceFolderPath: '/sdk-v6/made/src', destinationPath: '/sdk-v6/moved' })
  assert.equal(move.$ResponseMetadata.statusCode, 200)
  assert.equal(typeof move.jobId, 'string')
  const moveJob = await until(() => ik.getBulkJobStatus(move.jobId), (job) => job.status === 'Completed', 'the move job')
  assert.deepEqual({ ...moveJob }, { jobId: move.jobId, type: 'MOVE_FOLDER', status: 'Completed' })
  const moved = await ik.listFiles({ path: '/sdk-v6/moved/src' })
  assert.deepEqual(
    moved.map((f) => [f.fileId, f.filePath]),
    [[copied[0].fileId, '/sdk-v6/moved/src/v6-photo.png']],
  )
  assert.deepEqual(await ik.listFiles({ path: '/sdk-v6/made' }), [])

  // Rename folder: imagekit@6.0.0 has no method for it (v7 has folders.rename), so it is skipped here.
  assert.equal(typeof ik.renameFolder, 'undefined')

  // Custom metadata fields: create, list, update (and use on the file), delete.
  const field = await ik.createCustomMetadataField({ name: 'v6Rating', label: 'V6 rating', schema: { type: 'Number', minValue: 1, maxValue: 5 } })
  assert.equal(field.$ResponseMetadata.statusCode, 201)
  assert.equal(typeof field.id, 'string')
  assert.equal(field.name, 'v6Rating')
  assert.equal(field.label, 'V6 rating')
  assert.deepEqual({ ...field.schema }, { type: 'Number', minValue: 1, maxValue: 5 })
  const fields = await ik.getCustomMetadataFields({ includeDeleted: false })
  assert.equal(fields.$ResponseMetadata.statusCode, 200)
  assert.deepEqual(
    fields.filter((f) => f.name === 'v6Rating').map((f) => [f.id, f.label]),
    [[field.id, 'V6 rating']],
  )
  const renamedField = await ik.updateCustomMetadataField(field.id, { label: 'V6 stars', schema: { minValue: 1, maxValue: 10 } })
  assert.equal(renamedField.$ResponseMetadata.statusCode, 200)
  assert.deepEqual([renamedField.id, renamedField.name, renamedField.label], [field.id, 'v6Rating', 'V6 stars'])
  assert.deepEqual({ ...renamedField.schema }, { type: 'Number', minValue: 1, maxValue: 10 })
  const rated = await ik.updateFileDetails(up.fileId, { customMetadata: { v6Rating: 7 } })
  assert.deepEqual({ ...rated.customMetadata }, { v6Rating: 7 })
  const badRating = await rejection(ik.updateFileDetails(up.fileId, { customMetadata: { v6Rating: 11 } }))
  assert.equal(badRating.$ResponseMetadata.statusCode, 400)
  assert.equal(typeof badRating.message, 'string')
  const deletedField = await ik.deleteCustomMetadataField(field.id)
  assert.equal(deletedField.$ResponseMetadata.statusCode, 204)
  const afterDelete = await ik.getCustomMetadataFields({ includeDeleted: false })
  assert.equal(afterDelete.filter((f) => f.id === field.id).length, 0)
  const withDeleted = await ik.getCustomMetadataFields({ includeDeleted: true })
  assert.equal(withDeleted.filter((f) => f.id === field.id).length, 1)

  // Purge cache, then its status.
  const purge = await ik.purgeCache(up.url)
  assert.equal(purge.$ResponseMetadata.statusCode, 201)
  assert.equal(typeof purge.requestId, 'string')
  const firstStatus = await ik.getPurgeCacheStatus(purge.requestId)
  assert.equal(firstStatus.$ResponseMetadata.statusCode, 200)
  assert.ok(['Pending', 'Completed'].includes(firstStatus.status), firstStatus.status)
  const purged = await until(() => ik.getPurgeCacheStatus(purge.requestId), (r) => r.status === 'Completed', 'the purge')
  assert.deepEqual({ ...purged }, { status: 'Completed' })

  // File metadata by fileId.
  const meta = await ik.getFileMetadata(up.fileId)
  assert.equal(meta.$ResponseMetadata.statusCode, 200)
  assert.deepEqual([meta.width, meta.height, meta.format, meta.size], [20, 10, 'png', again.length])
  assert.match(meta.pHash, /^[0-9a-f]{16}$/)

  // Delete, after which details answer 404 (v6 rejects with the response body, plus $ResponseMetadata).
  const deleted = await ik.deleteFile(up.fileId)
  assert.equal(deleted.$ResponseMetadata.statusCode, 204)
  const gone = await rejection(ik.getFileDetails(up.fileId))
  assert.equal(gone.$ResponseMetadata.statusCode, 404)
  assert.equal(typeof gone.message, 'string')
  assert.ok(gone.message.length > 0)
  assert.equal(typeof gone.help, 'string')
  assert.deepEqual(await ik.listFiles({ path: '/sdk-v6/src' }), [])

  // Every request went to the local server.
  assert.ok(v6Urls.length > 30)
  for (const url of v6Urls) assert.ok(url.startsWith(`${s.origin}/`), url)
  assert.ok(v6Urls.includes(s.uploadEndpoint))
})

// ---------------------------------------------------------------------------------------------
// @imagekit/nodejs v7

function v7Client(urls) {
  const s = server()
  const { ImageKit } = require('@imagekit/nodejs')
  return new ImageKit({
    privateKey: s.privateKey,
    baseURL: s.apiEndpoint,
    maxRetries: 0,
    // Only records where each request goes; the SDK's own fetch does the work. Before its
    // first upload the SDK fetches `data:,` (no network) to see whether this fetch encodes
    // FormData; that probe is not recorded.
    fetch: (url, init) => {
      if (!String(url).startsWith('data:')) urls.push({ method: init && init.method, url: String(url) })
      return globalThis.fetch(url, init)
    },
  })
}

test('@imagekit/nodejs v7 runs a typical program against the local server', async () => {
  const s = server()
  const { toFile, NotFoundError, APIError, BadRequestError } = require('@imagekit/nodejs')
  const urls = []
  const ik = v7Client(urls)
  const image = png(40, 30)

  // Upload a Buffer.
  const { data: up, response: upResponse } = await ik.files
    .upload({ file: await toFile(image, 'v7-photo.png'), fileName: 'v7-photo.png', folder: '/sdk-v7/src', useUniqueFileName: false, tags: ['alpha', 'beta'], responseFields: ['tags'] })
    .withResponse()
  assert.equal(upResponse.status, 200)
  assert.equal(upResponse.url, s.uploadEndpoint)
  assert.match(up.fileId, /^[0-9a-f]{24}$/)
  assert.equal(up.name, 'v7-photo.png')
  assert.equal(up.filePath, '/sdk-v7/src/v7-photo.png')
  assert.equal(up.size, image.length)
  assert.equal(up.fileType, 'image')
  assert.deepEqual([up.width, up.height], [40, 30])
  assert.deepEqual(up.tags, ['alpha', 'beta'])
  assert.equal(up.url, `${s.urlEndpoint}/sdk-v7/src/v7-photo.png`)
  assert.equal(typeof up.versionInfo.id, 'string')

  // List.
  const listed = await ik.assets.list({ path: '/sdk-v7/src' })
  assert.deepEqual(
    listed.map((f) => [f.type, f.fileId, f.name, f.filePath, f.size]),
    [['file', up.fileId, 'v7-photo.png', '/sdk-v7/src/v7-photo.png', image.length]],
  )

  // Details.
  const details = await ik.files.get(up.fileId)
  assert.equal(details.fileId, up.fileId)
  assert.equal(details.name, 'v7-photo.png')
  assert.equal(details.filePath, '/sdk-v7/src/v7-photo.png')
  assert.deepEqual([details.width, details.height, details.size, details.fileType], [40, 30, image.length, 'image'])
  assert.deepEqual(details.tags, ['alpha', 'beta'])
  assert.equal(details.customCoordinates, null)

  // Update details.
  const updated = await ik.files.update(up.fileId, { tags: ['gamma'], customCoordinates: '1,2,10,12' })
  assert.equal(updated.fileId, up.fileId)
  assert.deepEqual(updated.tags, ['gamma'])
  assert.equal(updated.customCoordinates, '1,2,10,12')
  const reread = await ik.files.get(up.fileId)
  assert.deepEqual([reread.tags, reread.customCoordinates], [['gamma'], '1,2,10,12'])

  // Versions: the same name again, useUniqueFileName false (overwriteTags false keeps the tags).
  const again = png(20, 10)
  const up2 = await ik.files.upload({ file: await toFile(again, 'v7-photo.png'), fileName: 'v7-photo.png', folder: '/sdk-v7/src', useUniqueFileName: false, overwriteTags: false })
  assert.equal(up2.fileId, up.fileId)
  assert.notEqual(up2.versionInfo.id, up.versionInfo.id)
  assert.deepEqual([up2.width, up2.height, up2.size], [20, 10, again.length])
  const versions = await ik.files.versions.list(up.fileId)
  assert.ok(Array.isArray(versions))
  assert.equal(versions.length, 2)
  assert.deepEqual(versions.map((v) => v.versionInfo.id).sort(), [up.versionInfo.id, up2.versionInfo.id].sort())
  assert.ok(versions.every((v) => v.fileId === up.fileId))
  const current = versions.find((v) => v.versionInfo.id === up2.versionInfo.id)
  const older = versions.find((v) => v.versionInfo.id === up.versionInfo.id)
  assert.deepEqual([current.type, current.width, current.size], ['file', 20, again.length])
  assert.deepEqual([older.type, older.width, older.size], ['file-version', 40, image.length])
  const olderDetails = await ik.files.versions.get(up.versionInfo.id, { fileId: up.fileId })
  assert.deepEqual([olderDetails.versionInfo.id, olderDetails.width], [up.versionInfo.id, 40])

  // Bulk tags.
  const added = await ik.files.bulk.addTags({ fileIds: [up.fileId], tags: ['added-1', 'added-2'] })
  assert.deepEqual(added, { successfullyUpdatedFileIds: [up.fileId] })
  assert.deepEqual((await ik.files.get(up.fileId)).tags, ['gamma', 'added-1', 'added-2'])
  const removed = await ik.files.bulk.removeTags({ fileIds: [up.fileId], tags: ['gamma', 'added-2'] })
  assert.deepEqual(removed, { successfullyUpdatedFileIds: [up.fileId] })
  assert.deepEqual((await ik.files.get(up.fileId)).tags, ['added-1'])

  // Folders: create, then copy, move and rename (bulk jobs polled until Completed).
  const { data: created, response: createdResponse } = await ik.folders.create({ folderName: 'made', parentFolderPath: '/sdk-v7' }).withResponse()
  assert.equal(createdResponse.status, 201)
  assert.deepEqual(created, {})
  const folders = await ik.assets.list({ path: '/sdk-v7', type: 'folder' })
  assert.deepEqual(folders.map((f) => [f.type, f.name, f.folderPath]).sort(), [
    ['folder', 'made', '/sdk-v7/made'],
    ['folder', 'src', '/sdk-v7/src'],
  ])

  const copy = await ik.folders.copy({ sourceFolderPath: '/sdk-v7/src', destinationPath: '/sdk-v7/made', includeVersions: true })
  assert.equal(typeof copy.jobId, 'string')
  const copyJob = await until(() => ik.folders.job.get(copy.jobId), (job) => job.status === 'Completed', 'the copy job')
  assert.deepEqual(copyJob, { jobId: copy.jobId, type: 'COPY_FOLDER', status: 'Completed' })
  const copied = await ik.assets.list({ path: '/sdk-v7/made/src' })
  assert.deepEqual(
    copied.map((f) => [f.name, f.filePath, f.size]),
    [['v7-photo.png', '/sdk-v7/made/src/v7-photo.png', again.length]],
  )
  assert.notEqual(copied[0].fileId, up.fileId)
  assert.equal((await ik.files.versions.list(copied[0].fileId)).length, 2, 'includeVersions copies both versions')

  const move = await ik.folders.move({ sourceFolderPath: '/sdk-v7/made/src', destinationPath: '/sdk-v7/moved' })
  assert.equal(typeof move.jobId, 'string')
  const moveJob = await until(() => ik.folders.job.get(move.jobId), (job) => job.status === 'Completed', 'the move job')
  assert.deepEqual(moveJob, { jobId: move.jobId, type: 'MOVE_FOLDER', status: 'Completed' })
  const moved = await ik.assets.list({ path: '/sdk-v7/moved/src' })
  assert.deepEqual(
    moved.map((f) => [f.fileId, f.filePath]),
    [[copied[0].fileId, '/sdk-v7/moved/src/v7-photo.png']],
  )
  assert.deepEqual(await ik.assets.list({ path: '/sdk-v7/made' }), [])

  const rename = await ik.folders.rename({ folderPath: '/sdk-v7/moved', newFolderName: 'renamed', purgeCache: true })
  assert.equal(typeof rename.jobId, 'string')
  const renameJob = await until(() => ik.folders.job.get(rename.jobId), (job) => job.status === 'Completed', 'the rename job')
  assert.deepEqual([renameJob.jobId, renameJob.type, renameJob.status], [rename.jobId, 'RENAME_FOLDER', 'Completed'])
  // With purgeCache the job names its purge, which a program can follow.
  assert.equal(typeof renameJob.purgeRequestId, 'string')
  const renamePurge = await until(() => ik.cache.invalidation.get(renameJob.purgeRequestId), (r) => r.status === 'Completed', 'the rename purge')
  assert.deepEqual({ ...renamePurge }, { status: 'Completed' })
  const renamed = await ik.assets.list({ path: '/sdk-v7/renamed/src' })
  assert.deepEqual(
    renamed.map((f) => [f.fileId, f.filePath]),
    [[copied[0].fileId, '/sdk-v7/renamed/src/v7-photo.png']],
  )
  assert.deepEqual(await ik.assets.list({ path: '/sdk-v7/moved' }), [])

  // Custom metadata fields: create, list, update (and use on the file), delete.
  const field = await ik.customMetadataFields.create({ name: 'v7Rating', label: 'V7 rating', schema: { type: 'Number', minValue: 1, maxValue: 5 } })
  assert.equal(typeof field.id, 'string')
  assert.equal(field.name, 'v7Rating')
  assert.equal(field.label, 'V7 rating')
  assert.deepEqual(field.schema, { type: 'Number', minValue: 1, maxValue: 5 })
  const fields = await ik.customMetadataFields.list({ includeDeleted: false })
  assert.deepEqual(
    fields.filter((f) => f.name === 'v7Rating').map((f) => [f.id, f.label]),
    [[field.id, 'V7 rating']],
  )
  const renamedField = await ik.customMetadataFields.update(field.id, { label: 'V7 stars', schema: { minValue: 1, maxValue: 10 } })
  assert.deepEqual([renamedField.id, renamedField.name, renamedField.label], [field.id, 'v7Rating', 'V7 stars'])
  assert.deepEqual(renamedField.schema, { type: 'Number', minValue: 1, maxValue: 10 })
  const rated = await ik.files.update(up.fileId, { customMetadata: { v7Rating: 7 } })
  assert.deepEqual(rated.customMetadata, { v7Rating: 7 })
  const badRating = await rejection(ik.files.update(up.fileId, { customMetadata: { v7Rating: 11 } }))
  assert.ok(badRating instanceof BadRequestError, String(badRating))
  assert.equal(badRating.status, 400)
  assert.equal(typeof badRating.error.message, 'string')
  // A 204 without a body, which the SDK resolves as null (its typing says `{}`).
  const { data: deletedField, response: deletedFieldResponse } = await ik.customMetadataFields.delete(field.id).withResponse()
  assert.equal(deletedFieldResponse.status, 204)
  assert.equal(deletedField, null)
  const afterDelete = await ik.customMetadataFields.list({ includeDeleted: false })
  assert.equal(afterDelete.filter((f) => f.id === field.id).length, 0)
  const withDeleted = await ik.customMetadataFields.list({ includeDeleted: true })
  assert.equal(withDeleted.filter((f) => f.id === field.id).length, 1)

  // Purge cache, then its status.
  const { data: purge, response: purgeResponse } = await ik.cache.invalidation.create({ url: up.url }).withResponse()
  assert.equal(purgeResponse.status, 201)
  assert.equal(typeof purge.requestId, 'string')
  const firstStatus = await ik.cache.invalidation.get(purge.requestId)
  assert.ok(['Pending', 'Completed'].includes(firstStatus.status), firstStatus.status)
  const purged = await until(() => ik.cache.invalidation.get(purge.requestId), (r) => r.status === 'Completed', 'the purge')
  assert.deepEqual(purged, { status: 'Completed' })

  // File metadata by fileId.
  const meta = await ik.files.metadata.get(up.fileId)
  assert.deepEqual([meta.width, meta.height, meta.format, meta.size], [20, 10, 'png', again.length])
  assert.match(meta.pHash, /^[0-9a-f]{16}$/)

  // Delete, after which details answer 404 as the SDK's NotFoundError.
  const { response: deleteResponse } = await ik.files.delete(up.fileId).withResponse()
  assert.equal(deleteResponse.status, 204)
  const gone = await rejection(ik.files.get(up.fileId))
  assert.ok(gone instanceof NotFoundError, String(gone))
  assert.ok(gone instanceof APIError)
  assert.equal(gone.status, 404)
  assert.equal(typeof gone.error.message, 'string')
  assert.ok(gone.error.message.length > 0)
  assert.equal(gone.message, `404 ${gone.error.message}`)
  assert.deepEqual(await ik.assets.list({ path: '/sdk-v7/src' }), [])

  // Every request went to the local server, the uploads to its upload endpoint.
  assert.ok(urls.length > 30)
  for (const { url } of urls) assert.ok(url.startsWith(`${s.origin}/`), url)
  const uploads = urls.filter(({ url }) => url.includes('/files/upload'))
  assert.deepEqual(uploads, [
    { method: 'POST', url: s.uploadEndpoint },
    { method: 'POST', url: s.uploadEndpoint },
  ])
})
