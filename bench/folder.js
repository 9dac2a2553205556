'use strict'
// A folder into the library, against one local server (release build, in memory) on loopback:
// the command (`imagekit-native upload`, target/release/imagekit-native) and `uploadFolder`
// against the loops a v6 user writes with imagekit@6.0.0: a pool of 8 concurrent `upload()`
// calls over `fs.createReadStream`, and a sequential loop. Each contestant runs in its own
// process, whose peak RSS (VmHWM, Linux) is read while it runs; the server is reset between
// runs. Every file of every run is checked as stored (count and bytes).
//
//   node bench/folder.js            10,000 small files (1-20 KB) in 100 folders, four 256 MiB
//                                   files, and the command's memory with 100,000 files
//   node bench/folder.js --quick    1,000 small files, four 16 MiB files, 10,000 files
//
// `runFolderBench()` is exported for bench/index.js.

const { spawn } = require('node:child_process')
const crypto = require('node:crypto')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const { startServer, printTable, suiteMain } = require('./common.js')

const root = path.join(__dirname, '..')
const MiB = 1024 * 1024
const CLI = path.join(root, 'target', 'release', process.platform === 'win32' ? 'imagekit-native.exe' : 'imagekit-native')
const FULL = { small: 10000, folders: 100, bigFiles: 4, bigBytes: 256 * MiB, many: 100000 }
const QUICK = { small: 1000, folders: 100, bigFiles: 4, bigBytes: 16 * MiB, many: 10000 }

const now = () => Number(process.hrtime.bigint()) / 1e6


/** `count` files of 1-20 KB (random bytes) in `folders` folders under `dir`; their total size. */
function writeSmallTree(dir, count, folders, sizes = [1024, 20 * 1024]) {
  let bytes = 0
  const block = crypto.randomBytes(sizes[1])
  for (let f = 0; f < folders; f++) fs.mkdirSync(path.join(dir, `folder-${f}`), { recursive: true })
  for (let i = 0; i < count; i++) {
    const size = sizes[0] + Math.floor(Math.random() * (sizes[1] - sizes[0] + 1))
    // A distinct prefix, so no two files are the same bytes.
    const content = Buffer.concat([Buffer.from(`${i}:`), block.subarray(0, size - String(i).length - 1)])
    fs.writeFileSync(path.join(dir, `folder-${i % folders}`, `file-${i}.bin`), content)
    bytes += content.length
  }
  return bytes
}

function writeBigFiles(dir, count, size) {
  fs.mkdirSync(dir, { recursive: true })
  const chunk = Buffer.alloc(8 * MiB)
  for (let i = 0; i < count; i++) {
    const fd = fs.openSync(path.join(dir, `big-${i}.bin`), 'w')
    for (let written = 0; written < size; written += chunk.length) {
      crypto.randomFillSync(chunk)
      fs.writeSync(fd, chunk, 0, Math.min(chunk.length, size - written))
    }
    fs.closeSync(fd)
  }
  return count * size
}

/**
 * Runs `command args` to its end, reading its peak RSS (VmHWM) every 10 ms on Linux:
 * `{ elapsed, peak, stdout }`.
 */
function measured(command, args, env = {}) {
  return new Promise((resolve, reject) => {
    const start = now()
    const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] })
    let stdout = ''
    let peak = null
    child.stdout.on('data', (d) => (stdout += d))
    const status = `/proc/${child.pid}/status`
    const sample = () => {
      try {
        const match = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(status, 'utf8'))
        if (match) peak = Math.max(peak || 0, Number(match[1]) * 1024)
      } catch {
        // Gone, or not Linux.
      }
    }
    const timer = setInterval(sample, 10)
    child.on('exit', (code) => {
      clearInterval(timer)
      const elapsed = now() - start
      if (code !== 0) return reject(new Error(`${path.basename(command)} ${args.join(' ')} exited with ${code}`))
      resolve({ elapsed, peak, stdout })
    })
  })
}

/** Child: one contestant's run over `dir` into `folder`, printing `{ files }`. */
async function childMain([which, serverJson, dir, folder]) {
  const server = JSON.parse(serverJson)
  const options = { publicKey: server.publicKey, privateKey: server.privateKey, urlEndpoint: server.urlEndpoint, uploadEndpoint: server.uploadEndpoint, apiEndpoint: server.apiEndpoint }
  if (which === 'uploadFolder') {
    const ImageKit = require(root)
    const summary = await new ImageKit(options).uploadFolder(dir, { folder, concurrency: 8 })
    if (summary.failed) throw new Error(`${summary.failed} failed: ${summary.failures[0].error.message}`)
    process.stdout.write(`${JSON.stringify({ files: summary.uploaded })}\n`)
    return
  }
  // The loop a v6 user writes: every file of the tree, `upload()` over a ReadStream.
  const Reference = require('imagekit-reference')
  const reference = new Reference(options)
  const files = fs.readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile())
  const concurrency = which === 'v6 pool of 8' ? 8 : 1
  let next = 0
  const worker = async () => {
    while (next < files.length) {
      const entry = files[next++]
      const parent = entry.parentPath || entry.path
      const relative = path.relative(dir, parent).split(path.sep).join('/')
      await reference.upload({
        file: fs.createReadStream(path.join(parent, entry.name)),
        fileName: entry.name,
        folder: relative ? `${folder}/${relative}` : folder,
        useUniqueFileName: false,
      })
    }
  }
  await Promise.all(Array.from({ length: concurrency }, worker))
  process.stdout.write(`${JSON.stringify({ files: files.length })}\n`)
}

/** Runs a contestant over `dir` into `folder`: `{ elapsed, peak }`. */
async function contestant(which, server, dir, folder) {
  if (which === 'command') {
    const args = ['upload', dir, '--folder', folder, '--concurrency', '8', '--api-endpoint', server.apiEndpoint, '--upload-endpoint', server.uploadEndpoint]
    const run = await measured(CLI, args, { IMAGEKIT_PRIVATE_KEY: server.privateKey })
    const last = run.stdout.trim().split('\n').pop()
    if (!/^done: \d+ uploaded, 0 skipped, 0 failed/.test(last)) throw new Error(`the command: ${last}`)
    return run
  }
  const { reset, stop, ...endpoints } = server
  return measured(process.execPath, [__filename, '--child', which, JSON.stringify(endpoints), dir, folder])
}

/** The files under `folder` in the library: count and bytes, listed page by page. */
async function stored(server, folders) {
  const auth = `Basic ${Buffer.from(`${server.privateKey}:`).toString('base64')}`
  let files = 0
  let bytes = 0
  for (const folder of folders) {
    for (let skip = 0; ; skip += 1000) {
      const response = await fetch(`${server.apiEndpoint}/v1/files?path=${encodeURIComponent(folder)}&type=file&limit=1000&skip=${skip}`, { headers: { authorization: auth } })
      const page = await response.json()
      files += page.length
      for (const file of page) bytes += file.size
      if (page.length < 1000) break
    }
  }
  return { files, bytes }
}

async function runFolderBench({ quick = false, log = console.log } = {}) {
  const n = quick ? QUICK : FULL
  const server = await startServer(['imagekit-local-server', 'imagekit-native-cli'])
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'imagekit-folder-bench-'))
  try {
    log(`  writing ${n.small} small files in ${n.folders} folders, ${n.bigFiles} files of ${n.bigBytes / MiB} MiB...`)
    const smallDir = path.join(tmp, 'small')
    const smallBytes = writeSmallTree(smallDir, n.small, n.folders)
    const bigDir = path.join(tmp, 'big')
    const bigBytes = writeBigFiles(bigDir, n.bigFiles, n.bigBytes)
    const smallFolders = Array.from({ length: n.folders }, (_, f) => `folder-${f}`)

    const contestants = ['command', 'uploadFolder', 'v6 pool of 8', 'v6 sequential']
    const results = {}
    for (const which of contestants) {
      results[which] = {}
      for (const [kind, dir, count, bytes, folders] of [
        ['small', smallDir, n.small, smallBytes, smallFolders],
        ['big', bigDir, n.bigFiles, bigBytes, ['']],
      ]) {
        await server.reset()
        log(`  ${which}: ${kind} files...`)
        const run = await contestant(which, server, dir, '/bench')
        const check = await stored(server, folders.map((f) => `/bench/${f}`))
        if (check.files !== count || check.bytes !== bytes) throw new Error(`${which} ${kind}: stored ${check.files} files, ${check.bytes} bytes; expected ${count}, ${bytes}`)
        results[which][kind] = { ...run, rate: kind === 'small' ? (count / run.elapsed) * 1000 : (bytes / MiB / run.elapsed) * 1000 }
      }
    }

    // The loopback rate of a single large upload: one big file alone, by the command.
    await server.reset()
    log('  one large upload (the loopback rate)...')
    const single = fs.mkdtempSync(path.join(tmp, 'single-'))
    fs.renameSync(path.join(bigDir, 'big-0.bin'), path.join(single, 'big-0.bin'))
    const one = await contestant('command', server, single, '/single')
    const loopback = (n.bigBytes / MiB / one.elapsed) * 1000

    // The command's memory with many files.
    await server.reset()
    log(`  the command with ${n.many} files...`)
    const manyDir = path.join(tmp, 'many')
    writeSmallTree(manyDir, n.many, n.many / 100, [64, 256])
    const many = await contestant('command', server, manyDir, '/many')
    const manyCheck = await stored(server, Array.from({ length: n.many / 100 }, (_, f) => `/many/folder-${f}`))
    if (manyCheck.files !== n.many) throw new Error(`the command with ${n.many} files stored ${manyCheck.files}`)

    const pool = results['v6 pool of 8']
    const mib = (v) => (v === null ? 'n/a' : `${(v / MiB).toFixed(1)} MiB`)
    const rows = []
    for (const which of contestants) {
      const r = results[which]
      const small = `${r.small.rate.toFixed(0)} files/s (${(r.small.elapsed / 1000).toFixed(2)} s), ${mib(r.small.peak)}`
      const big = `${r.big.rate.toFixed(0)} MiB/s (${(r.big.elapsed / 1000).toFixed(2)} s), ${mib(r.big.peak)}`
      const ratio = `${(r.small.rate / pool.small.rate).toFixed(2)}x`
      rows.push([which, small, ratio, big, `${((r.big.rate / loopback) * 100).toFixed(0)}%`])
    }
    const header = ['client', `${n.small} small files: rate, peak RSS`, 'vs v6 pool', `${n.bigFiles} x ${n.bigBytes / MiB} MiB: rate, peak RSS`, 'of loopback']
    printTable(log, header, rows)
    const ours = results.command
    const goals = [
      ['the command, small files', `${(ours.small.rate / pool.small.rate).toFixed(2)}x the v6 pool`, '>= 5x', ours.small.rate >= 5 * pool.small.rate],
      ['uploadFolder, small files', `${(results.uploadFolder.small.rate / pool.small.rate).toFixed(2)}x the v6 pool`, '>= 5x', results.uploadFolder.small.rate >= 5 * pool.small.rate],
      ['the command, big files', `${((ours.big.rate / loopback) * 100).toFixed(0)}% of ${loopback.toFixed(0)} MiB/s (one upload)`, '>= 90%', ours.big.rate >= 0.9 * loopback],
      [`the command, ${n.many} files`, `peak RSS ${mib(many.peak)} (${((n.many / many.elapsed) * 1000).toFixed(0)} files/s)`, '<= 64 MiB', many.peak !== null && many.peak <= 64 * MiB],
    ]
    log('')
    for (const [what, figure, target, met] of goals) log(`  ${what}: ${figure}; target ${target}: ${met ? 'met' : 'NOT met'}`)
    return { results, loopback, many }
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true })
    await server.stop()
  }
}

module.exports = { runFolderBench }

suiteMain(module, runFolderBench, childMain)
