'use strict'
// A smoke test of the SDK that runs unchanged under Node 18+, Bun and Deno 2 (`.cjs`, so no
// runtime has to guess the module kind), and from a worker thread (`require(...).main()`).
//
//   IK_SERVER='<first line printed by imagekit-local-server>' node   smoke.cjs
//   IK_SERVER=...                                             bun    smoke.cjs
//   IK_SERVER=...                                             deno run -A smoke.cjs
//
// IK_MODULE (optional) is what to require for the SDK: a package name (`imagekit`, found from
// this file's folder up) or an absolute path; by default the repository this file sits in. Every result is compared with
// a value computed here (node:crypto) or known in advance; the first mismatch ends the run
// with exit code 1 and a message naming the check. Success prints one JSON line.

const assert = require('node:assert/strict')
const crypto = require('node:crypto')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')

/** Which runtime runs this: `{ name, version }`. */
function runtime() {
  if (typeof globalThis.Bun !== 'undefined') return { name: 'bun', version: globalThis.Bun.version }
  if (typeof globalThis.Deno !== 'undefined') return { name: 'deno', version: globalThis.Deno.version.deno }
  return { name: 'node', version: process.versions.node }
}

const hmac = (algorithm, key, text) => crypto.createHmac(algorithm, key).update(text).digest('hex')
const sha256 = (bytes) => crypto.createHash('sha256').update(bytes).digest('hex')

/** An error for the failure message: an Error's stack, or v6's plain rejection object as JSON. */
function describe(error) {
  if (error instanceof Error) return error.stack || String(error)
  if (error !== null && typeof error === 'object') return JSON.stringify({ ...error, $ResponseMetadata: error.$ResponseMetadata })
  return String(error)
}

/**
 * Runs every check. `server` is the local server's endpoints and keys, `modulePath` what to
 * require, `label` a name for this run (it goes into the folder, so concurrent runs against
 * one server see only their own files). Resolves to the summary; rejects on a mismatch.
 */
async function main({
  server = JSON.parse(process.env.IK_SERVER || 'null'),
  modulePath = process.env.IK_MODULE || path.join(__dirname, '..', '..'),
  label = runtime().name,
} = {}) {
  if (!server) throw new Error('IK_SERVER is not set: give it the JSON line the local server prints when it starts')
  const checks = []
  const check = (name, actual, expected) => {
    try {
      assert.deepStrictEqual(actual, expected)
    } catch (error) {
      throw new Error(`check "${name}" failed: ${error.message}`)
    }
    checks.push(name)
  }
  const ok = (name, condition, detail) => {
    if (!condition) throw new Error(`check "${name}" failed: ${detail}`)
    checks.push(name)
  }

  const ImageKit = require(modulePath)
  const imagekit = new ImageKit({
    publicKey: server.publicKey,
    privateKey: server.privateKey,
    urlEndpoint: server.urlEndpoint,
    uploadEndpoint: server.uploadEndpoint,
    apiEndpoint: server.apiEndpoint,
  })
  const key = server.privateKey
  const endpoint = server.urlEndpoint

  // --- The synchronous methods, against values computed here.
  check('url() with a transformation', imagekit.url({ path: '/smoke/pixel.jpg', transformation: [{ height: 300, width: 400 }] }),
    `${endpoint}/tr:h-300,w-400/smoke/pixel.jpg`)
  // Signed without expiry: HMAC-SHA1 of the URL after the endpoint, then 9999999999.
  check('url() signed', imagekit.url({ path: '/smoke/pixel.jpg', transformation: [{ width: 100 }], signed: true }),
    `${endpoint}/tr:w-100/smoke/pixel.jpg?ik-s=${hmac('sha1', key, 'tr:w-100/smoke/pixel.jpg9999999999')}`)
  // With expireSeconds the expiry is now + 300 (read back from ik-t), signed the same way.
  const before = Math.floor(Date.now() / 1000)
  const expiring = imagekit.url({ path: '/smoke/pixel.jpg', signed: true, expireSeconds: 300 })
  const expiry = Number(new URL(expiring).searchParams.get('ik-t'))
  ok('url() signed ik-t', expiry >= before + 300 && expiry <= Math.floor(Date.now() / 1000) + 300, `ik-t ${expiry}, now ${before}`)
  check('url() signed with expiry', expiring,
    `${endpoint}/smoke/pixel.jpg?ik-t=${expiry}&ik-s=${hmac('sha1', key, `smoke/pixel.jpg${expiry}`)}`)

  check('getAuthenticationParameters(token, expire)', imagekit.getAuthenticationParameters('smoke-token', 1700000000),
    { token: 'smoke-token', expire: 1700000000, signature: hmac('sha1', key, 'smoke-token1700000000') })
  const auth = imagekit.getAuthenticationParameters()
  ok('getAuthenticationParameters() token', /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/.test(auth.token), auth.token)
  ok('getAuthenticationParameters() expire', Math.abs(auth.expire - (Math.floor(Date.now() / 1000) + 1800)) <= 2, String(auth.expire))
  check('getAuthenticationParameters() signature', auth.signature, hmac('sha1', key, auth.token + auth.expire))

  check('pHashDistance equal', imagekit.pHashDistance('f06830ca9f1e3e90', 'f06830ca9f1e3e90'), 0)
  check('pHashDistance', imagekit.pHashDistance('f06830ca9f1e3e90', '0f6830ca9f1e3e91'), 9)
  const invalid = imagekit.pHashDistance('not-hex', 'f06830ca9f1e3e90')
  ok('pHashDistance invalid is a returned Error', invalid instanceof Error, String(invalid))
  check('pHashDistance invalid message', invalid.message, 'Invalid pHash value: Both pHash strings must be valid hexadecimal numbers')

  // A webhook body signed here: header t=<ms>,v1=HMAC-SHA256(secret, `${t}.${body}`).
  const secret = 'whsec_smoke'
  const event = { type: 'video.transformation.accepted', id: 'evt-1', data: { label } }
  const body = JSON.stringify(event)
  const t = 1700000000123
  const header = `t=${t},v1=${hmac('sha256', secret, `${t}.${body}`)}`
  check('verifyWebhookEvent(string)', imagekit.verifyWebhookEvent(body, header, secret), { timestamp: t, event })
  check('verifyWebhookEvent(Buffer)', imagekit.verifyWebhookEvent(Buffer.from(body), header, secret), { timestamp: t, event })
  let rejected
  try {
    imagekit.verifyWebhookEvent(body + ' ', header, secret)
  } catch (error) {
    rejected = error
  }
  check('verifyWebhookEvent tampered', rejected && rejected.message, 'Incorrect signature')

  // --- Uploads: a Buffer, then a file stream (several chunks), into a folder of this run only.
  const folder = `/smoke-${label}-${crypto.randomBytes(4).toString('hex')}`
  const metadata = (value) => {
    const descriptor = Object.getOwnPropertyDescriptor(value, '$ResponseMetadata')
    return descriptor && { enumerable: descriptor.enumerable, statusCode: descriptor.value.statusCode }
  }
  /** What the server answers for an upload of `size` bytes named `name` (ids read back). */
  const uploadResult = (result, name, size) => ({
    fileId: result.fileId,
    name,
    size,
    versionInfo: { id: result.versionInfo && result.versionInfo.id, name: 'Version 1' },
    filePath: `${folder}/${name}`,
    url: `${endpoint}${folder}/${name}`,
    fileType: 'non-image',
    thumbnailUrl: '',
    AITags: null,
  })

  const small = Buffer.from(`hello from ${label}\n`)
  const fromBuffer = await imagekit.upload({ file: small, fileName: 'buffer.txt', folder, tags: ['smoke', label], useUniqueFileName: false })
  ok('upload(Buffer) fileId', /^[0-9a-f]{24}$/.test(fromBuffer.fileId), String(fromBuffer.fileId))
  check('upload(Buffer)', fromBuffer, uploadResult(fromBuffer, 'buffer.txt', small.length))
  check('upload(Buffer) $ResponseMetadata', metadata(fromBuffer), { enumerable: false, statusCode: 200 })

  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ik-smoke-'))
  let fromStream
  const large = crypto.randomBytes(200 * 1024) // over three 64 KiB stream chunks
  try {
    const file = path.join(tmp, 'stream.bin')
    fs.writeFileSync(file, large)
    fromStream = await imagekit.upload({ file: fs.createReadStream(file), fileName: 'stream.bin', folder, useUniqueFileName: false })
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true })
  }
  check('upload(stream)', fromStream, uploadResult(fromStream, 'stream.bin', large.length))

  // The URL endpoint serves back exactly the bytes sent.
  for (const [name, result, bytes] of [['buffer', fromBuffer, small], ['stream', fromStream, large]]) {
    const response = await fetch(result.url)
    check(`served ${name} status`, response.status, 200)
    check(`served ${name} bytes`, sha256(Buffer.from(await response.arrayBuffer())), sha256(bytes))
  }

  // --- Reading back: listFiles, getFileDetails (promise and callback), and a 404.
  const listed = await imagekit.listFiles({ path: folder, sort: 'ASC_NAME' })
  check('listFiles $ResponseMetadata', metadata(listed), { enumerable: false, statusCode: 200 })
  check('listFiles', listed.map((f) => [f.type, f.name, f.fileId, f.size, f.tags, f.mime]), [
    ['file', 'buffer.txt', fromBuffer.fileId, small.length, ['smoke', label], 'text/plain'],
    ['file', 'stream.bin', fromStream.fileId, large.length, null, 'application/octet-stream'],
  ])

  const details = await imagekit.getFileDetails(fromBuffer.fileId)
  check('getFileDetails', { ...details }, { ...listed[0] })
  check('getFileDetails $ResponseMetadata', metadata(details), { enumerable: false, statusCode: 200 })

  const viaCallback = await new Promise((resolve, reject) => {
    const returned = imagekit.getFileDetails(fromStream.fileId, (error, result) => (error ? reject(error) : resolve(result)))
    if (returned !== undefined) reject(new Error(`check "callback style returns undefined" failed: got ${returned}`))
  })
  check('getFileDetails(callback)', { ...viaCallback }, { ...listed[1] })

  let missing
  try {
    await imagekit.getFileDetails('missing')
  } catch (error) {
    missing = error
  }
  ok('getFileDetails(missing) rejects', missing !== undefined, 'it resolved')
  check('getFileDetails(missing)', { ...missing }, {
    message: 'The requested file does not exist.',
    help: 'For support kindly contact us at support@imagekit.io .',
  })
  check('getFileDetails(missing) $ResponseMetadata', metadata(missing), { enumerable: false, statusCode: 404 })

  return { ok: true, runtime: runtime().name, version: runtime().version, label, checks: checks.length }
}

module.exports = { main, describe }

if (require.main === module) {
  main().then(
    (summary) => console.log(JSON.stringify(summary)),
    (error) => {
      console.error(`imagekit smoke failed under ${runtime().name} ${runtime().version}: ${describe(error)}`)
      process.exitCode = 1
    },
  )
}
