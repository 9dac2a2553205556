'use strict'
// Upload and the media API over HTTP, this package against imagekit@6.0.0, both on loopback
// against one local server (release build). The reference keeps its own HTTP stack: its media
// API calls are redirected with an axios request interceptor, its uploads with `uploadEndpoint`.
//
//   node bench/http.js            full run (1 GiB stream, 200 MB Buffer)
//   node bench/http.js --quick    smaller counts and files, for a smoke run
//
// `runHttpBench()` is exported for bench/index.js. Large uploads run in child processes that
// sample `process.memoryUsage().rss`; the parent checks the server stored every byte.

const { spawn } = require('node:child_process')
const crypto = require('node:crypto')
const fs = require('node:fs')
const http = require('node:http')
const os = require('node:os')
const path = require('node:path')
const { startServer, printTable, suiteMain } = require('./common.js')

const root = path.join(__dirname, '..')
const REFERENCE_API = 'https://api.imagekit.io'
const MiB = 1024 * 1024

const FULL = {
  latencyCalls: 2000,
  throughputCalls: 20000,
  listFiles: 1000,
  listCalls: 30,
  smallUploads: 2000,
  streamBytes: 1024 * MiB,
  bufferBytes: 200 * 1000 * 1000,
}
const QUICK = {
  latencyCalls: 300,
  throughputCalls: 2000,
  listFiles: 1000,
  listCalls: 5,
  smallUploads: 300,
  streamBytes: 64 * MiB,
  bufferBytes: 20 * 1000 * 1000,
}

// ---------------------------------------------------------------------------------------------
// Clients and server

function makeClients(server) {
  const ImageKit = require(root)
  const ours = new ImageKit({
    publicKey: server.publicKey,
    privateKey: server.privateKey,
    urlEndpoint: server.urlEndpoint,
    uploadEndpoint: server.uploadEndpoint,
    apiEndpoint: server.apiEndpoint,
  })
  const Reference = require('imagekit-reference')
  const axios = require(require.resolve('axios', { paths: [path.dirname(require.resolve('imagekit-reference'))] }))
  axios.interceptors.request.use((config) => {
    if (typeof config.url === 'string' && config.url.startsWith(REFERENCE_API)) {
      config.url = server.apiEndpoint + config.url.slice(REFERENCE_API.length)
    }
    return config
  })
  const reference = new Reference({
    publicKey: server.publicKey,
    privateKey: server.privateKey,
    urlEndpoint: server.urlEndpoint,
    uploadEndpoint: server.uploadEndpoint,
  })
  return { ours, reference }
}


// ---------------------------------------------------------------------------------------------
// Measurement helpers

const now = () => Number(process.hrtime.bigint()) / 1e6

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]
}

async function sequentialLatency(call, count) {
  for (let i = 0; i < Math.min(200, count); i++) await call()
  const times = []
  for (let i = 0; i < count; i++) {
    const start = now()
    await call()
    times.push(now() - start)
  }
  times.sort((a, b) => a - b)
  return { median: percentile(times, 50), p99: percentile(times, 99) }
}

/** Runs `call(i)` `count` times with `concurrency` in flight; returns the elapsed ms. */
async function inFlight(concurrency, count, call) {
  let next = 0
  const start = now()
  const worker = async () => {
    while (next < count) await call(next++)
  }
  await Promise.all(Array.from({ length: concurrency }, worker))
  return now() - start
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)]
}

// ---------------------------------------------------------------------------------------------
// Large uploads, measured in a child process

/** Child: uploads one large file and reports its peak RSS growth over the baseline. */
async function childMain([which, kind, serverJson, file]) {
  const server = JSON.parse(serverJson)
  const client = makeClients(server)[which]
  let input
  if (kind === 'buffer') input = fs.readFileSync(file)
  if (global.gc) global.gc()
  await new Promise((resolve) => setTimeout(resolve, 200))
  const baseline = process.memoryUsage().rss
  let peak = baseline
  const sample = () => {
    const rss = process.memoryUsage().rss
    if (rss > peak) peak = rss
  }
  const timer = setInterval(sample, 5)
  if (kind === 'stream') input = fs.createReadStream(file)
  const start = now()
  const result = await client.upload({ file: input, fileName: `large-${which}-${kind}.bin`, folder: '/bench-large', useUniqueFileName: true })
  const elapsed = now() - start
  sample()
  clearInterval(timer)
  process.stdout.write(
    JSON.stringify({ growth: peak - baseline, baseline, peak, elapsed, size: result.size, url: result.url }) + '\n',
  )
}

function runChild(which, kind, server, file) {
  const { stop, ...endpoints } = server
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--expose-gc', __filename, '--child', which, kind, JSON.stringify(endpoints), file], {
      stdio: ['ignore', 'pipe', 'inherit'],
    })
    let out = ''
    child.stdout.on('data', (d) => (out += d))
    child.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`${which} ${kind} upload child exited with ${code}`))
      resolve(JSON.parse(out.trim().split('\n').pop()))
    })
  })
}

/** Writes `bytes` pseudo-random bytes to a temporary file; returns its path and SHA-256. */
function makeFile(dir, name, bytes) {
  const file = path.join(dir, name)
  const fd = fs.openSync(file, 'w')
  const hash = crypto.createHash('sha256')
  const chunk = Buffer.alloc(8 * MiB)
  for (let written = 0; written < bytes; written += chunk.length) {
    const part = chunk.subarray(0, Math.min(chunk.length, bytes - written))
    crypto.randomFillSync(part)
    hash.update(part)
    fs.writeSync(fd, part)
  }
  fs.closeSync(fd)
  return { file, sha256: hash.digest('hex'), bytes }
}

/** SHA-256 and length of what the server delivers at `url`. */
function fetchDigest(url) {
  return new Promise((resolve, reject) => {
    http
      .get(url, (res) => {
        if (res.statusCode !== 200) return reject(new Error(`GET ${url}: ${res.statusCode}`))
        const hash = crypto.createHash('sha256')
        let bytes = 0
        res.on('data', (d) => {
          bytes += d.length
          hash.update(d)
        })
        res.on('end', () => resolve({ sha256: hash.digest('hex'), bytes }))
        res.on('error', reject)
      })
      .on('error', reject)
  })
}

async function largeUpload(which, kind, server, source) {
  const result = await runChild(which, kind, server, source.file)
  const stored = await fetchDigest(result.url)
  result.intact = stored.sha256 === source.sha256 && stored.bytes === source.bytes && result.size === source.bytes
  return result
}

// ---------------------------------------------------------------------------------------------
// The benchmark

async function runHttpBench({ quick = false, log = console.log } = {}) {
  const n = quick ? QUICK : FULL
  const server = await startServer()
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'imagekit-http-bench-'))
  const rows = []
  try {
    const clients = makeClients(server)
    const { ours } = clients
    const small = Buffer.alloc(1024, 'x')

    const target = await ours.upload({ file: small, fileName: 'details.txt', folder: '/bench-details' })
    await inFlight(32, n.listFiles, (i) => ours.upload({ file: small, fileName: `f${i}.txt`, folder: '/bench-list' }))
    for (const [name, client] of Object.entries(clients)) {
      const listed = await client.listFiles({ path: '/bench-list', limit: 1000 })
      if (listed.length !== n.listFiles) throw new Error(`${name}: listFiles gave ${listed.length} files`)
    }

    const results = { ours: {}, reference: {} }
    for (const [name, client] of Object.entries(clients)) {
      log(`  ${name}: getFileDetails latency...`)
      const lat = await sequentialLatency(() => client.getFileDetails(target.fileId), n.latencyCalls)
      results[name].latencyMedian = lat.median
      results[name].latencyP99 = lat.p99
      log(`  ${name}: getFileDetails throughput...`)
      await inFlight(64, 500, () => client.getFileDetails(target.fileId))
      const ms = await inFlight(64, n.throughputCalls, () => client.getFileDetails(target.fileId))
      results[name].throughput = (n.throughputCalls / ms) * 1000
      log(`  ${name}: listFiles...`)
      const listTimes = []
      for (let i = 0; i < n.listCalls + 2; i++) {
        const start = now()
        await client.listFiles({ path: '/bench-list', limit: 1000 })
        if (i >= 2) listTimes.push(now() - start)
      }
      results[name].listFiles = median(listTimes)
      log(`  ${name}: small uploads...`)
      const upMs = await inFlight(32, n.smallUploads, (i) =>
        client.upload({ file: small, fileName: `s${i}.txt`, folder: `/bench-small-${name}` }),
      )
      results[name].uploads = (n.smallUploads / upMs) * 1000
    }

    log('  writing large files...')
    const streamSource = makeFile(tmp, 'large-stream.bin', n.streamBytes)
    const bufferSource = makeFile(tmp, 'large-buffer.bin', n.bufferBytes)
    for (const name of Object.keys(clients)) {
      log(`  ${name}: large stream upload...`)
      results[name].stream = await largeUpload(name, 'stream', server, streamSource)
      log(`  ${name}: large Buffer upload...`)
      results[name].buffer = await largeUpload(name, 'buffer', server, bufferSource)
    }

    const o = results.ours
    const r = results.reference
    const ms = (v) => `${v.toFixed(3)} ms`
    const perSecond = (v) => `${v.toFixed(0)}/s`
    const mib = (v) => `${(v / MiB).toFixed(1)} MiB`
    const big = (v) => `${mib(v.growth)} ${v.intact ? 'intact' : 'CORRUPT'}, ${(v.elapsed / 1000).toFixed(2)} s`
    const fasterWhenLower = (ours, ref) => `${(ref / ours).toFixed(2)}x`
    const fasterWhenHigher = (ours, ref) => `${(ours / ref).toFixed(2)}x`
    rows.push(
      ['getFileDetails latency, median', ms(o.latencyMedian), ms(r.latencyMedian), fasterWhenLower(o.latencyMedian, r.latencyMedian), 'ours <= ref', o.latencyMedian <= r.latencyMedian],
      ['getFileDetails latency, p99', ms(o.latencyP99), ms(r.latencyP99), fasterWhenLower(o.latencyP99, r.latencyP99), 'ours <= ref', o.latencyP99 <= r.latencyP99],
      ['getFileDetails, 64 in flight', perSecond(o.throughput), perSecond(r.throughput), fasterWhenHigher(o.throughput, r.throughput), '>= 1.5x', o.throughput >= 1.5 * r.throughput],
      [`listFiles, ${n.listFiles} files (median)`, ms(o.listFiles), ms(r.listFiles), fasterWhenLower(o.listFiles, r.listFiles), 'ours <= ref', o.listFiles <= r.listFiles],
      [`${n.smallUploads} small uploads, 32 in flight`, perSecond(o.uploads), perSecond(r.uploads), fasterWhenHigher(o.uploads, r.uploads), '>= 1.5x', o.uploads >= 1.5 * r.uploads],
      [`${mib(n.streamBytes)} ReadStream upload, peak RSS growth`, big(o.stream), big(r.stream), fasterWhenLower(o.stream.growth, r.stream.growth), '<= 64 MiB', o.stream.growth <= 64 * MiB && o.stream.intact],
      [`${(n.bufferBytes / 1e6).toFixed(0)} MB Buffer upload, peak RSS growth`, big(o.buffer), big(r.buffer), fasterWhenLower(o.buffer.growth, r.buffer.growth), '<= 32 MiB', o.buffer.growth <= 32 * MiB && o.buffer.intact],
    )
    printHttpTable(log, rows)
    return { rows, results }
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true })
    await server.stop()
  }
}

function printHttpTable(log, rows) {
  const header = ['measure', 'ours', 'imagekit@6', 'ours vs v6', 'target', 'met']
  printTable(log, header, rows.map((row) => [...row.slice(0, 5), row[5] ? 'yes' : 'NO']))
  log('(ours vs v6: how many times faster, or how many times less memory, this package is)')
}

module.exports = { runHttpBench }

suiteMain(module, runHttpBench, childMain)
