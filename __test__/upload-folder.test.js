'use strict'
// `imagekit.uploadFolder` (not in v6) against the local server: the tree and the bytes
// kept, a second run that uploads nothing, each file's outcome to `onFile` and the totals
// to `onProgress` (none after the call settles), a refused file reported as an `Error`,
// the server's rate limit honoured, cancelling with an `AbortSignal` (given, or the
// instance's from `withOptions`), a dry run, and the options checked.

const test = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')

const ImageKit = require('..')
const { useServer } = require('./helpers/server.js')
const { tree: makeTree } = require('./helpers/tree.js')

const server = useServer()
let tmp
test.before(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ik-folder-'))
})
test.after(() => fs.rmSync(tmp, { recursive: true, force: true }))
test.beforeEach(() => server().reset())

const client = () => new ImageKit(server().options)

/** A folder holding `files` (relative path -> content); its path. */
const tree = (files) => makeTree(tmp, files)

/** Every file in the library: filePath -> the bytes served for it, as text. */
async function library(ik) {
  const files = await ik.listFiles({ type: 'file', limit: 1000 })
  const entries = await Promise.all(
    files.map(async (file) => [file.filePath, await (await fetch(file.url)).text()]),
  )
  const paths = entries.map(([p]) => p)
  assert.equal(new Set(paths).size, paths.length, 'no file stored twice')
  return Object.fromEntries(entries.sort(([a], [b]) => (a < b ? -1 : 1)))
}

test('a tree arrives whole, each file reported; a second run uploads nothing', async () => {
  const dir = tree({
    'a.txt': 'alpha',
    'my photos/b c.txt': 'bravo',
    'my photos/cafe\u0301.txt': 'cafe',
    'v1.2/deep/d.txt': 'delta',
  })
  const ik = client()
  const files = []
  const progress = []
  let settled = false
  const summary = await ik.uploadFolder(dir, {
    folder: '/site',
    tags: ['bulk', 'night'],
    customMetadata: {},
    onFile: (file) => {
      assert.ok(!settled, 'onFile after the call settled')
      files.push(file)
    },
    onProgress: (totals) => {
      assert.ok(!settled, 'onProgress after the call settled')
      progress.push(totals)
    },
  })
  settled = true
  await new Promise((resolve) => setTimeout(resolve, 250))
  assert.deepEqual(
    { total: summary.filesTotal, done: summary.filesDone, uploaded: summary.uploaded, failed: summary.failed },
    { total: 4, done: 4, uploaded: 4, failed: 0 },
  )
  assert.equal(summary.bytesTotal, 19)
  assert.equal(summary.aborted, false)
  assert.deepEqual(summary.failures, [])
  assert.deepEqual(progress.at(-1), {
    filesTotal: 4,
    filesDone: 4,
    bytesTotal: 19,
    bytesDone: 19,
    bytesSent: summary.bytesSent,
    uploaded: 4,
    skipped: 0,
    failed: 0,
    planned: 0,
  })
  assert.deepEqual(
    files.map((f) => [f.path, f.remotePath, f.status]).sort(),
    [
      ['a.txt', '/site/a.txt', 'uploaded'],
      ['my photos/b c.txt', '/site/my_photos/b_c.txt', 'uploaded'],
      ['my photos/cafe\u0301.txt', '/site/my_photos/caf\u00e9.txt', 'uploaded'],
      ['v1.2/deep/d.txt', '/site/v1_2/deep/d.txt', 'uploaded'],
    ],
  )
  assert.deepEqual(await library(ik), {
    '/site/a.txt': 'alpha',
    '/site/my_photos/b_c.txt': 'bravo',
    '/site/my_photos/caf\u00e9.txt': 'cafe',
    '/site/v1_2/deep/d.txt': 'delta',
  })
  const details = await ik.getFileDetails(files[0].fileId)
  assert.deepEqual(details.tags, ['bulk', 'night'])

  const again = await ik.uploadFolder(dir, { folder: '/site' })
  assert.deepEqual([again.uploaded, again.skipped, again.bytesSent], [0, 4, 0])
})

test('a refused file is reported with its Error; the others are uploaded', async () => {
  const dir = tree({ 'a.txt': 'a', 'b.txt': 'b', 'c.txt': 'c' })
  await server().setFaults([{ method: 'POST', path: '/api/v1/files/upload', status: 400, times: 1 }])
  const files = []
  const summary = await client().uploadFolder(dir, { concurrency: 1, onFile: (f) => files.push(f) })
  assert.deepEqual([summary.uploaded, summary.failed], [2, 1])
  const [failure] = summary.failures
  assert.ok(failure.error instanceof Error)
  assert.equal(failure.error.code, 'ERR_IMAGEKIT_API')
  assert.equal(failure.error.status, 400)
  assert.ok(files.find((f) => f.status === 'failed').error instanceof Error)
})

test("the server's rate limit is waited out: every file arrives, none twice", async () => {
  const files = {}
  for (let i = 0; i < 40; i++) files[`f${i}.txt`] = `file ${i}`
  const dir = tree(files)
  await server().setRateLimit(10, 300)
  try {
    const summary = await client().uploadFolder(dir, { folder: '/limited', concurrency: 8 })
    assert.deepEqual([summary.uploaded, summary.failed], [40, 0])
  } finally {
    await server().clearRateLimit()
  }
  const requests = await server().admin('GET', 'requests')
  const limited = (Array.isArray(requests) ? requests : requests.requests).filter((r) => r.status === 429)
  assert.ok(limited.length > 0, 'the limit was met')
  const stored = await library(client())
  assert.equal(Object.keys(stored).length, 40)
  assert.equal(stored['/limited/f7.txt'], 'file 7')
})

test('an AbortSignal stops the run: in-flight files are aborted, the summary says so', async () => {
  const files = {}
  for (let i = 0; i < 30; i++) files[`f${String(i).padStart(2, '0')}.txt`] = 'x'
  const dir = tree(files)
  await server().setFaults([{ method: 'POST', path: '/api/v1/files/upload', delayMs: 300 }])
  const controller = new AbortController()
  setTimeout(() => controller.abort(), 450)
  const reported = []
  const summary = await client().uploadFolder(dir, {
    concurrency: 2,
    signal: controller.signal,
    onFile: (f) => reported.push(f),
  })
  assert.equal(summary.aborted, true)
  assert.ok(summary.filesDone < 30)
  const aborted = summary.failures.filter((f) => f.error.code === 'ABORT_ERR')
  assert.equal(aborted.length, 2)
  assert.equal(reported.length, summary.filesDone)

  // Aborted before it starts: nothing is sent. The instance's own signal counts too.
  const before = new AbortController()
  before.abort()
  const none = await client().withOptions({ signal: before.signal }).uploadFolder(dir)
  assert.deepEqual([none.aborted, none.filesDone, none.filesTotal], [true, 0, 30])
})

test('a dry run decides without uploading', async () => {
  const dir = tree({ 'a.txt': 'a', 'b.txt': 'bb' })
  const ik = client()
  await ik.uploadFolder(dir, { include: 'a.txt' })
  const summary = await ik.uploadFolder(dir, { dryRun: true })
  assert.deepEqual([summary.dryRun, summary.skipped, summary.planned, summary.uploaded], [true, 1, 1, 0])
  assert.deepEqual(Object.keys(await library(ik)), ['/a.txt'])
})

test('options are checked: types, range, a missing folder, a bad glob', async () => {
  const ik = client()
  const dir = tree({ 'a.txt': 'a' })
  await assert.rejects(ik.uploadFolder(42), { name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE' })
  await assert.rejects(ik.uploadFolder(dir, { concurrency: 0 }), { name: 'RangeError', code: 'ERR_OUT_OF_RANGE' })
  await assert.rejects(ik.uploadFolder(dir, { include: [1] }), { name: 'TypeError' })
  await assert.rejects(ik.uploadFolder(dir, { onFile: 'no' }), { name: 'TypeError' })
  await assert.rejects(ik.uploadFolder(dir, { signal: {} }), { name: 'TypeError' })
  await assert.rejects(ik.uploadFolder(path.join(dir, 'missing')), (error) => {
    assert.equal(error.code, 'ERR_INVALID_ARG_VALUE')
    assert.match(error.message, /cannot be read/)
    return true
  })
  await assert.rejects(ik.uploadFolder(dir, { exclude: 'a[' }), /invalid glob/)
  // A file: URL names the folder too.
  const summary = await ik.uploadFolder(require('node:url').pathToFileURL(dir))
  assert.equal(summary.uploaded, 1)
})
