'use strict'
// `onProgress` on `upload()`: reports of the body's bytes handed to the connection, at most
// one every 100 ms, a last one with the final count just before the call settles and none
// after it; `total` is the body's size, or null for a stream of unknown length. The
// callback is never a form field, and a throw in it surfaces as a throw in the call's own
// callback does. A loopback server that reads slowly makes an upload last long enough to
// be reported on several times.

const test = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const http = require('node:http')
const os = require('node:os')
const path = require('node:path')
const { Readable } = require('node:stream')

const ImageKit = require('..')
const { useServer } = require('./helpers/server.js')
const { runScript } = require('./helpers/child.js')
const { parseMultipart } = require('./helpers/capture.js')

const local = useServer()

/**
 * A server that waits `pause` ms after each chunk of a request it reads, records its headers
 * and body, and answers as the upload API does.
 */
async function slowServer(pause = 3) {
  const requests = []
  const server = http.createServer(async (req, res) => {
    const chunks = []
    for await (const chunk of req) {
      chunks.push(chunk)
      if (pause) await new Promise((resolve) => setTimeout(resolve, pause))
    }
    const body = Buffer.concat(chunks)
    requests.push({ headers: req.headers, body })
    res.writeHead(200, { 'content-type': 'application/json' })
    res.end(JSON.stringify({ fileId: 'f1', name: 'a.bin', size: body.length }))
  })
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  const origin = `http://127.0.0.1:${server.address().port}`
  return {
    requests,
    client: new ImageKit({
      publicKey: 'public_test',
      privateKey: 'private_test',
      urlEndpoint: 'https://ik.imagekit.io/demo',
      uploadEndpoint: `${origin}/api/v1/files/upload`,
    }),
    close: () => new Promise((resolve) => server.close(resolve)),
  }
}

/** Uploads with an `onProgress` recording each report and when it came. */
async function recorded(client, options) {
  const reports = []
  let settled = false
  const late = []
  const result = await client.upload({
    ...options,
    onProgress(event) {
      ;(settled ? late : reports).push({ ...event, at: performance.now(), keys: Object.keys(event) })
    },
  })
  settled = true
  // Anything still queued would arrive within a few ticks of the runtime.
  await new Promise((resolve) => setTimeout(resolve, 300))
  return { result, reports, late }
}

function assertReports(reports, { total, final }) {
  assert.ok(reports.length >= 3, `several reports (${reports.length})`)
  for (const report of reports) {
    assert.deepEqual(report.keys, ['loaded', 'total'])
    assert.equal(report.total, total)
  }
  for (let i = 1; i < reports.length; i++) {
    assert.ok(reports[i].loaded >= reports[i - 1].loaded, 'the count never goes back')
    if (i < reports.length - 1) {
      const gap = reports[i].at - reports[i - 1].at
      assert.ok(gap >= 99, `reports ${i - 1} and ${i} are ${gap.toFixed(1)} ms apart`)
    }
  }
  assert.equal(reports.at(-1).loaded, final, 'the last report has the final count')
}

test('a Buffer: counts up to the body size, which is the request Content-Length', async () => {
  const server = await slowServer()
  try {
    const file = Buffer.alloc(12 * 1024 * 1024, 7)
    const { result, reports, late } = await recorded(server.client, { file, fileName: 'a.bin', tags: ['x'] })
    assert.equal(result.fileId, 'f1')
    const [request] = server.requests
    const length = Number(request.headers['content-length'])
    assert.equal(length, request.body.length)
    assertReports(reports, { total: length, final: length })
    assert.deepEqual(late, [], 'no report after the call settled')
  } finally {
    await server.close()
  }
})

test('a file stream has a known total; a generated stream reports total null', async () => {
  const server = await slowServer()
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ik-progress-'))
  try {
    const file = path.join(dir, 'big.bin')
    fs.writeFileSync(file, Buffer.alloc(12 * 1024 * 1024, 1))
    const known = await recorded(server.client, { file: fs.createReadStream(file), fileName: 'big.bin' })
    const first = server.requests[0]
    assertReports(known.reports, { total: Number(first.headers['content-length']), final: first.body.length })

    const chunks = function* () {
      for (let i = 0; i < 192; i++) yield Buffer.alloc(64 * 1024, i)
    }
    const unknown = await recorded(server.client, { file: Readable.from(chunks()), fileName: 'gen.bin' })
    const second = server.requests[1]
    assert.equal(second.headers['content-length'], undefined, 'sent chunked')
    assertReports(unknown.reports, { total: null, final: second.body.length })
    assert.deepEqual([...known.late, ...unknown.late], [])
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
    await server.close()
  }
})

test('onProgress is never a form field; the form is the one sent without it', async () => {
  const server = await slowServer(0)
  try {
    const options = { file: Buffer.from('hello'), fileName: 'a.txt', folder: '/f', tags: ['a', 'b'] }
    await server.client.upload(options)
    const { reports } = await recorded(server.client, options)
    const [without, withProgress] = server.requests.map((r) => {
      return parseMultipart(r.headers['content-type'], r.body).map((part) => [part.name, part.data.toString()])
    })
    assert.deepEqual(withProgress, without)
    assert.ok(!withProgress.some(([name]) => name === 'onProgress'))
    // A small body is handed over at once: the last report alone, with the whole body.
    assert.equal(reports.at(-1).loaded, server.requests[1].body.length)
  } finally {
    await server.close()
  }
})

test('a value of onProgress that is not a function is sent as v6 sends it', async () => {
  const server = await slowServer(0)
  try {
    await server.client.upload({ file: 'aGVsbG8=', fileName: 'a.txt', onProgress: 'yes' })
    const r = server.requests[0]
    const fields = parseMultipart(r.headers['content-type'], r.body).map((part) => [part.name, part.data.toString()])
    assert.deepEqual(fields.at(-1), ['onProgress', 'yes'])
  } finally {
    await server.close()
  }
})

test('against the local server, in callback mode; the stored file is whole', async () => {
  const client = new ImageKit(local().options)
  const file = Buffer.alloc(3 * 1024 * 1024, 9)
  const reports = []
  const result = await new Promise((resolve, reject) => {
    client.upload(
      { file, fileName: 'cb.bin', onProgress: (event) => reports.push(event) },
      (error, result) => {
        if (error) return reject(error)
        // The last report came before the callback.
        assert.ok(reports.length >= 1)
        resolve(result)
      },
    )
  })
  assert.equal(result.size, file.length)
  assert.ok(reports.at(-1).loaded > file.length, 'the whole body, file and form fields')
  assert.equal(reports.at(-1).loaded, reports.at(-1).total)
})

test('a failed upload still gets its last report before it rejects', async () => {
  const client = new ImageKit({ ...local().options, uploadEndpoint: 'http://127.0.0.1:9/api/v1/files/upload' })
  const reports = []
  const error = await client
    .upload({ file: Buffer.alloc(1000), fileName: 'x.bin', onProgress: (event) => reports.push(event) })
    .then(
      () => assert.fail('resolved'),
      (error) => error,
    )
  assert.equal(error.code, 'ECONNREFUSED')
  assert.equal(reports.length, 1)
  assert.equal(reports[0].loaded, 0)
})

test('a throw in onProgress becomes an unhandled rejection; the upload still completes', async () => {
  const options = JSON.stringify(local().options)
  const script = `
    const ImageKit = require(${JSON.stringify(path.join(__dirname, '..'))})
    const client = new ImageKit(${options})
    let calls = 0
    process.on('unhandledRejection', (error) => console.log('unhandled:' + error.message))
    client.upload({ file: Buffer.alloc(1024), fileName: 'throw.bin', onProgress() { calls++; throw new Error('from onProgress') } })
      .then((result) => setTimeout(() => console.log('uploaded:' + result.size + ' calls:' + calls), 200))
  `
  const { status, stdout, stderr } = await runScript(script)
  assert.equal(status, 0, stderr)
  assert.deepEqual(stdout.trim().split('\n'), ['unhandled:from onProgress', 'uploaded:1024 calls:1'])
})
