'use strict'
// The v2 routes of the local ImageKit server (server/ crate): the upload API's
// /api/v2/files/upload through @imagekit/nodejs v7's `client.beta.v2.files.upload`, server-side
// (basic auth with the private key) and client-side (a JWT in `token`, made here as ImageKit's
// "Secure client side file upload (V2)" page documents: header {alg: HS256, typ: JWT, kid:
// public key}, payload = the upload parameters but file and token, plus iat and exp, signed
// with HMAC SHA256 and the private key; v7 has no helper that makes one), the errors for a bad,
// an expired and a reused token, and the media API's /v2 files, folder and bulk job routes,
// which answer as their /v1 twins.

const test = require('node:test')
const assert = require('node:assert/strict')
const crypto = require('node:crypto')

const { useServer } = require('./helpers/server.js')
const { png } = require('./helpers/images.js')

const server = useServer({ args: ['--job-delay-ms', '0', '--purge-delay-ms', '0'] })

const base64url = (value) => Buffer.from(value).toString('base64url')

/**
 * A client-side upload token as ImageKit documents it (jsonwebtoken's `sign(uploadPayload,
 * privateKey, {expiresIn, header: {alg, typ, kid}})`): `iat` now, `exp` `expire` seconds later.
 */
function uploadToken(uploadPayload, { privateKey, publicKey, expire = 600, iat = Math.floor(Date.now() / 1000), alg = 'HS256' } = {}) {
  const s = server()
  const header = base64url(JSON.stringify({ alg, typ: 'JWT', kid: publicKey ?? s.publicKey }))
  const payload = base64url(JSON.stringify({ ...uploadPayload, iat, exp: iat + expire }))
  const signature = crypto
    .createHmac('sha256', privateKey ?? s.privateKey)
    .update(`${header}.${payload}`)
    .digest('base64url')
  return `${header}.${payload}.${signature}`
}

/** v7 with the private key (server-side), pointed at the server; records request URLs. */
function serverClient(urls = []) {
  const s = server()
  const { ImageKit } = require('@imagekit/nodejs')
  return new ImageKit({
    privateKey: s.privateKey,
    baseURL: s.apiEndpoint,
    maxRetries: 0,
    fetch: (url, init) => {
      if (!String(url).startsWith('data:')) urls.push(String(url))
      return globalThis.fetch(url, init)
    },
  })
}

/**
 * v7 as a browser would use it: no private key, and no Authorization header (v7 sends none
 * when the header is explicitly set to null).
 */
function browserClient() {
  const s = server()
  const { ImageKit } = require('@imagekit/nodejs')
  return new ImageKit({ privateKey: '', baseURL: s.apiEndpoint, maxRetries: 0 })
}
const NO_AUTH = { headers: { Authorization: null } }

/** The error a promise rejects with (fails if it resolves). */
async function rejection(promise) {
  try {
    await promise
  } catch (error) {
    return error
  }
  assert.fail('expected a rejection')
}

/** A media API call with basic auth: `{status, text, json}`. */
async function api(method, route, body) {
  const s = server()
  const response = await fetch(`${s.apiEndpoint}${route}`, {
    method,
    headers: {
      authorization: `Basic ${Buffer.from(`${s.privateKey}:`).toString('base64')}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  const text = await response.text()
  let json
  try {
    json = text ? JSON.parse(text) : undefined
  } catch {}
  return { status: response.status, text, json }
}

/** The bytes the delivery CDN serves for a file path (untransformed). */
async function delivered(filePath) {
  const response = await fetch(`${server().urlEndpoint}${filePath}?tr=orig-true`)
  assert.equal(response.status, 200, filePath)
  return Buffer.from(await response.arrayBuffer())
}

async function until(read, done, what) {
  for (let i = 0; i < 200; i++) {
    const value = await read()
    if (done(value)) return value
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
  assert.fail(`${what} never happened`)
}

test('beta.v2.files.upload with the private key stores the file (server-side)', async () => {
  const s = server()
  const { toFile } = require('@imagekit/nodejs')
  const urls = []
  const ik = serverClient(urls)
  const image = png(32, 24)
  const { data: up, response } = await ik.beta.v2.files
    .upload({
      file: await toFile(image, 'server.png'),
      fileName: 'server.png',
      folder: '/v2/server-side',
      useUniqueFileName: false,
      tags: ['one', 'two'],
      responseFields: ['tags', 'isPrivateFile'],
    })
    .withResponse()
  assert.equal(response.status, 200)
  assert.deepEqual(urls, [`${s.origin}/api/v2/files/upload`])
  assert.equal(up.name, 'server.png')
  assert.equal(up.filePath, '/v2/server-side/server.png')
  assert.equal(up.size, image.length)
  assert.deepEqual([up.width, up.height, up.fileType], [32, 24, 'image'])
  assert.deepEqual(up.tags, ['one', 'two'])
  assert.equal(up.isPrivateFile, false)
  assert.equal(up.url, `${s.urlEndpoint}/v2/server-side/server.png`)

  // Stored: the media API (v1 and v2) shows it, the CDN serves its bytes.
  const details = await ik.files.get(up.fileId)
  assert.equal(details.filePath, '/v2/server-side/server.png')
  assert.deepEqual(details.tags, ['one', 'two'])
  assert.equal(details.versionInfo.id, up.versionInfo.id)
  const v2 = await api('GET', `/v2/files/${up.fileId}/details`)
  assert.equal(v2.status, 200)
  assert.equal(v2.json.fileId, up.fileId)
  assert.deepEqual(await delivered(up.filePath), image)

  // The same upload to v1 answers the same shape (only ids, names and times differ).
  const v1 = await ik.files.upload({ file: await toFile(image, 'v1.png'), fileName: 'v1.png', folder: '/v2/server-side', useUniqueFileName: false, tags: ['one', 'two'], responseFields: ['tags', 'isPrivateFile'] })
  assert.deepEqual(Object.keys(v1).sort(), Object.keys(up).sort())

  // Without credentials: 401, as v1.
  const bare = browserClient()
  const error = await rejection(bare.beta.v2.files.upload({ file: await toFile(image, 'x.png'), fileName: 'x.png' }, NO_AUTH))
  assert.equal(error.status, 401)
  assert.equal(error.error.message, 'Your request does not contain private API key.')
})

test('beta.v2.files.upload with a JWT token stores the file (client-side)', async () => {
  const s = server()
  const { toFile } = require('@imagekit/nodejs')
  const ik = browserClient()
  const image = png(20, 10)
  // Every parameter but file and token, as the form sends them (strings).
  const params = { fileName: 'client.png', folder: '/v2/client-side', useUniqueFileName: 'false', tags: 'red,blue', isPrivateFile: 'false' }
  const token = uploadToken(params)
  const up = await ik.beta.v2.files.upload(
    { file: await toFile(image, 'client.png'), token, fileName: 'client.png', folder: '/v2/client-side', useUniqueFileName: false, tags: ['red', 'blue'], isPrivateFile: false },
    NO_AUTH,
  )
  assert.equal(up.filePath, '/v2/client-side/client.png')
  assert.equal(up.size, image.length)
  assert.deepEqual([up.width, up.height], [20, 10])
  const details = (await api('GET', `/v1/files/${up.fileId}/details`)).json
  assert.deepEqual(details.tags, ['red', 'blue'])
  assert.equal(details.isPrivateFile, false)
  assert.deepEqual(await delivered(up.filePath), image)

  // Claims that are not strings are compared with the field read as JSON (false, 5, objects).
  const typed = uploadToken({ fileName: 'typed.png', folder: '/v2/client-side', useUniqueFileName: false })
  const second = await ik.beta.v2.files.upload(
    { file: await toFile(image, 'typed.png'), token: typed, fileName: 'typed.png', folder: '/v2/client-side', useUniqueFileName: false },
    NO_AUTH,
  )
  assert.equal(second.filePath, '/v2/client-side/typed.png')

  // A base64 file with a token (the file part is a text field, still not a signed parameter).
  const b64 = await ik.beta.v2.files.upload(
    { file: image.toString('base64'), token: uploadToken({ fileName: 'b64.png', folder: '/v2/client-side' }), fileName: 'b64.png', folder: '/v2/client-side' },
    NO_AUTH,
  )
  assert.match(b64.name, /^b64_[A-Za-z0-9]+\.png$/)
  assert.deepEqual(await delivered(b64.filePath), image)
  assert.equal(s.origin, new URL(s.apiEndpoint).origin)
})

test('v2 upload refuses a bad, an expired and a reused token with ImageKit-shaped errors', async () => {
  const { toFile, BadRequestError, PermissionDeniedError } = require('@imagekit/nodejs')
  const ik = browserClient()
  const image = png(8, 8)
  const folder = '/v2/refused'
  const send = async (token, fileName = 'r.png', extra = {}) =>
    ik.beta.v2.files.upload({ file: await toFile(image, fileName), token, fileName, folder, ...extra }, NO_AUTH)
  const params = (fileName = 'r.png') => ({ fileName, folder })

  const cases = [
    ['not a JWT', 'not-a-jwt', BadRequestError, /^Your request contains an invalid token: it is not a JSON Web Token/],
    ['signed with another key', uploadToken(params(), { privateKey: 'private_someone_else' }), BadRequestError, /^Your request contains an invalid token: its signature does not match/],
    ['another account\'s kid', uploadToken(params(), { publicKey: 'public_someone_else' }), PermissionDeniedError, /^Your account cannot be authenticated\.$/],
    ['alg none', uploadToken(params(), { alg: 'none' }), BadRequestError, /alg must be HS256/],
    ['expired', uploadToken(params(), { iat: Math.floor(Date.now() / 1000) - 120, expire: 60 }), BadRequestError, /^The token has expired\. Generate a new token for every upload\.$/],
    ['longer than an hour', uploadToken(params(), { expire: 3601 }), BadRequestError, /less than 1 hour \(3600 seconds\)/],
  ]
  for (const [what, token, Type, message] of cases) {
    const error = await rejection(send(token))
    assert.ok(error instanceof Type, `${what}: ${error}`)
    assert.match(error.error.message, message, what)
    assert.equal(error.error.help, 'For support kindly contact us at support@imagekit.io .', what)
  }

  // Parameters other than those signed: the upload fails.
  let error = await rejection(send(uploadToken(params('signed.png')), 'other.png'))
  assert.equal(error.status, 400)
  assert.equal(error.error.message, 'The upload parameters do not match the token: fileName is not the value in the token. Sign every parameter of the request but file and token.')
  error = await rejection(send(uploadToken(params()), 'r.png', { tags: ['unsigned'] }))
  assert.equal(error.error.message, 'The upload parameters do not match the token: tags is sent but not in the token. Sign every parameter of the request but file and token.')
  error = await rejection(send(uploadToken({ ...params(), isPrivateFile: 'true' })))
  assert.match(error.error.message, /isPrivateFile is in the token but not sent/)

  // A token is accepted once, even when the first request failed after it was verified.
  const token = uploadToken(params('once.png'))
  const first = await send(token, 'once.png')
  assert.match(first.name, /^once/)
  error = await rejection(send(token, 'once.png'))
  assert.ok(error instanceof BadRequestError)
  assert.equal(error.error.message, 'The token has already been used. Generate a new token for every upload.')
  const burnt = uploadToken(params('burnt.png'))
  await rejection(send(burnt, 'burnt.png', { tags: ['unsigned'] }))
  error = await rejection(send(burnt, 'burnt.png'))
  assert.equal(error.error.message, 'The token has already been used. Generate a new token for every upload.')

  // Nothing but the one good upload was stored.
  const listed = await api('GET', `/v2/files?path=${encodeURIComponent(folder)}`)
  assert.deepEqual(listed.json.map((f) => f.name), [first.name])
})

test('the v2 files, folder and bulk job routes answer as their v1 twins', async () => {
  const { toFile } = require('@imagekit/nodejs')
  const ik = serverClient()
  const image = png(16, 16)
  const a = await ik.files.upload({ file: await toFile(image, 'a.png'), fileName: 'a.png', folder: '/v2-media/src', useUniqueFileName: false })
  await ik.files.upload({ file: await toFile(image, 'b.png'), fileName: 'b.png', folder: '/v2-media/src/sub', useUniqueFileName: false })

  // Reads: byte for byte what v1 answers.
  const reads = [
    `/files?path=${encodeURIComponent('/v2-media/src')}&searchQuery=${encodeURIComponent('type = "file"')}&skip=0&limit=100`,
    `/files?path=${encodeURIComponent('/v2-media/src/')}&searchQuery=${encodeURIComponent('type = "folder" AND name = "sub"')}&skip=0&limit=1`,
    `/files?path=${encodeURIComponent('/v2-media/src/')}&searchQuery=${encodeURIComponent('type = "file" AND name = "a.png"')}&limit=1`,
    `/files?path=${encodeURIComponent('/v2-media/src/')}&searchQuery=${encodeURIComponent('type IN ["file", "file-version"]')}&skip=0&limit=100`,
    '/files?sort=DESC_NAME&includeFolder=true',
    `/files/${a.fileId}/details`,
    `/files/${a.fileId}/versions`,
    `/files/${a.fileId}/versions/${a.versionInfo.id}`,
    `/files/${a.fileId}/metadata`,
    '/files/nonexistent/details',
    '/bulkJobs/nonexistent',
  ]
  for (const route of reads) {
    const [v1, v2] = [await api('GET', `/v1${route}`), await api('GET', `/v2${route}`)]
    assert.equal(v2.status, v1.status, route)
    assert.equal(v2.text, v1.text, route)
  }
  const listed = (await api('GET', `/v2${reads[0]}`)).json
  assert.deepEqual(listed.map((f) => [f.type, f.name, f.filePath, f.isPrivateFile]), [['file', 'a.png', '/v2-media/src/a.png', false]])
  const folders = (await api('GET', `/v2${reads[1]}`)).json
  assert.deepEqual(folders.map((f) => [f.type, f.name, f.folderPath]), [['folder', 'sub', '/v2-media/src/sub']])

  // Changes through v2, checked through v1.
  let r = await api('PATCH', `/v2/files/${a.fileId}/details`, { tags: ['x'] })
  assert.equal(r.status, 200)
  assert.deepEqual(r.json.tags, ['x'])
  r = await api('POST', '/v2/files/addTags', { fileIds: [a.fileId], tags: ['y'] })
  assert.deepEqual(r.json, { successfullyUpdatedFileIds: [a.fileId] })
  r = await api('POST', '/v2/files/removeTags', { fileIds: [a.fileId], tags: ['x'] })
  assert.equal(r.status, 200)
  assert.deepEqual((await api('GET', `/v1/files/${a.fileId}/details`)).json.tags, ['y'])
  r = await api('POST', '/v2/files/copy', { sourceFilePath: '/v2-media/src/a.png', destinationPath: '/v2-media/copied/' })
  assert.equal(r.status, 204)
  r = await api('POST', '/v2/files/move', { sourceFilePath: '/v2-media/copied/a.png', destinationPath: '/v2-media/moved/' })
  assert.equal(r.status, 204)
  r = await api('PUT', '/v2/files/rename', { filePath: '/v2-media/moved/a.png', newFileName: 'renamed.png' })
  assert.deepEqual([r.status, r.json], [200, {}])
  const renamed = (await api('GET', `/v1/files?path=${encodeURIComponent('/v2-media/moved')}`)).json
  assert.deepEqual(renamed.map((f) => f.name), ['renamed.png'])
  r = await api('POST', '/v2/files/batch/deleteByFileIds', { fileIds: [renamed[0].fileId] })
  assert.deepEqual(r.json, { successfullyDeletedFileIds: [renamed[0].fileId] })
  r = await api('POST', '/v2/files/addTags', { fileIds: ['missing'], tags: ['y'] })
  assert.equal(r.status, 404)
  assert.deepEqual(r.json.missingFileIds, ['missing'])

  // Folders.
  r = await api('POST', '/v2/folder', { folderName: 'made', parentFolderPath: '/v2-media' })
  assert.deepEqual([r.status, r.json], [201, {}])
  r = await api('DELETE', '/v2/folder', { folderPath: '/v2-media/made' })
  assert.equal(r.status, 204)
  r = await api('DELETE', '/v2/folder', { folderPath: '/v2-media/made' })
  assert.equal(r.status, 404)
  assert.equal(r.json.reason, 'FOLDER_NOT_FOUND')

  // Bulk jobs: copy, move (POST as v1, PUT as rclone's client sends it), rename, status.
  const job = async (method, route, body) => {
    const submitted = await api(method, `/v2/bulkJobs/${route}`, body)
    assert.equal(submitted.status, 200, `${method} ${route}: ${submitted.text}`)
    const { jobId } = submitted.json
    return until(() => api('GET', `/v2/bulkJobs/${jobId}`).then((s) => s.json), (s) => s.status !== 'Pending', route)
  }
  let status = await job('POST', 'copyFolder', { sourceFolderPath: '/v2-media/src', destinationPath: '/v2-media/copy', includeVersions: true })
  assert.deepEqual([status.type, status.status], ['COPY_FOLDER', 'Completed'])
  status = await job('POST', 'moveFolder', { sourceFolderPath: '/v2-media/copy/src', destinationPath: '/v2-media/posted' })
  assert.deepEqual([status.type, status.status], ['MOVE_FOLDER', 'Completed'])
  status = await job('PUT', 'moveFolder', { sourceFolderPath: '/v2-media/posted/src', destinationPath: '/v2-media/put' })
  assert.deepEqual([status.type, status.status], ['MOVE_FOLDER', 'Completed'])
  status = await job('POST', 'renameFolder', { folderPath: '/v2-media/put/src', newFolderName: 'renamed' })
  assert.deepEqual([status.type, status.status], ['RENAME_FOLDER', 'Completed'])
  const moved = (await api('GET', `/v1/files?path=${encodeURIComponent('/v2-media/put/renamed/sub')}`)).json
  assert.deepEqual(moved.map((f) => f.filePath), ['/v2-media/put/renamed/sub/b.png'])

  // Names: v2 keeps spaces and most punctuation where v1 writes _ (rclone relies on it).
  const spaced = await ik.beta.v2.files.upload({ file: await toFile(image, 'x.png'), fileName: 'my photo (1) & co.png', folder: '/v2-media/Hello, 世界', useUniqueFileName: false })
  assert.equal(spaced.filePath, '/v2-media/Hello, 世界/my photo (1) & co.png')
  const v1Spaced = await ik.files.upload({ file: await toFile(image, 'x.png'), fileName: 'my photo (1) & co.png', folder: '/v2-media/Hello, 世界', useUniqueFileName: false })
  assert.equal(v1Spaced.filePath, '/v2-media/Hello__世界/my_photo__1____co.png')
  const refused = await ik.beta.v2.files.upload({ file: await toFile(image, 'x.png'), fileName: 'what?#%$"<>[]\\.png', folder: '/v2-media/..', useUniqueFileName: false })
  assert.equal(refused.filePath, '/v2-media/__/what__________.png')
  r = await api('POST', '/v2/folder', { folderName: 'new folder, v2', parentFolderPath: '/v2-media' })
  assert.equal(r.status, 201)
  r = await api('POST', '/v1/folder', { folderName: 'new folder, v1', parentFolderPath: '/v2-media' })
  assert.equal(r.status, 201)
  const made = (await api('GET', `/v2/files?path=${encodeURIComponent('/v2-media')}&type=folder`)).json.map((f) => f.name)
  assert.ok(made.includes('new folder, v2'), made)
  assert.ok(made.includes('new_folder__v1'), made)

  // The same guards as v1: no key → 401, wrong key → 403; routes v2 does not have → 404.
  const s = server()
  let response = await fetch(`${s.apiEndpoint}/v2/files`)
  assert.equal(response.status, 401)
  response = await fetch(`${s.apiEndpoint}/v2/files`, { headers: { authorization: `Basic ${Buffer.from('wrong:').toString('base64')}` } })
  assert.equal(response.status, 403)
  r = await api('GET', '/v2/customMetadataFields')
  assert.equal(r.status, 404)
  assert.equal(r.json.message, 'The requested route does not exist.')
})
