'use strict'
// `imagekit-native upload` (the Rust command, target/release/imagekit-native) against the
// local server: usage errors, the line and JSON outputs, a failed file and the exit status,
// the progress bar under a pseudo-terminal ending on a clean summary line, Ctrl-C, and the
// resume test: killed with SIGKILL at random moments of a run of 2,000 files, re-run each
// time, the library ends as exactly the source tree (nothing missing, nothing twice, every
// file byte-equal), and a further run uploads nothing.

const test = require('node:test')
const assert = require('node:assert/strict')
const crypto = require('node:crypto')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const { spawn, spawnSync } = require('node:child_process')

const ImageKit = require('..')
const { useServer } = require('./helpers/server.js')
const { tree: makeTree } = require('./helpers/tree.js')
const { Random, seedFromEnv } = require('./support/random.js')

const BINARY = path.join(__dirname, '..', 'target', 'release', process.platform === 'win32' ? 'imagekit-native.exe' : 'imagekit-native')
const server = useServer()
let tmp
test.before(() => {
  if (!fs.existsSync(BINARY)) throw new Error(`${BINARY} is missing: run cargo build --release -p imagekit-native-cli`)
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ik-cli-'))
})
test.after(() => fs.rmSync(tmp, { recursive: true, force: true }))
test.beforeEach(() => server().reset())

function env() {
  return { ...process.env, IMAGEKIT_PRIVATE_KEY: server().privateKey }
}

function endpoints() {
  return ['--api-endpoint', server().apiEndpoint, '--upload-endpoint', server().uploadEndpoint]
}

/** Runs the command to its end: `{ status, signal, stdout, stderr }`. */
function run(args, options = {}) {
  return new Promise((resolve) => {
    const child = spawn(BINARY, args, { env: options.env || env() })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d) => (stdout += d))
    child.stderr.on('data', (d) => (stderr += d))
    if (options.onSpawn) options.onSpawn(child)
    child.on('close', (status, signal) => resolve({ status, signal, stdout, stderr }))
  })
}

const tree = (files) => makeTree(tmp, files)

/** Every file under `folder` in the library, listed page by page: filePath -> { url, size }. */
async function library(ik, folders) {
  const found = new Map()
  for (const folder of folders) {
    for (let skip = 0; ; skip += 1000) {
      const page = await ik.listFiles({ path: folder, type: 'file', limit: 1000, skip })
      for (const file of page) {
        assert.ok(!found.has(file.filePath), `${file.filePath} stored twice`)
        found.set(file.filePath, { url: file.url, size: file.size })
      }
      if (page.length < 1000) break
    }
  }
  return found
}

test('usage errors exit 2; --help comes from the flags', async () => {
  const help = spawnSync(BINARY, ['upload', '--help'], { encoding: 'utf8' })
  assert.equal(help.status, 0)
  for (const flag of ['--folder', '--concurrency', '--include', '--exclude', '--overwrite', '--dry-run', '--json', '--tags', '--api-endpoint', '--upload-endpoint', 'IMAGEKIT_PRIVATE_KEY']) {
    assert.ok(help.stdout.includes(flag), `--help names ${flag}`)
  }
  const dir = tree({ 'a.txt': 'a' })
  assert.equal((await run(['upload'])).status, 2)
  assert.equal((await run(['upload', dir, '--concurrency', '0'])).status, 2)
  assert.equal((await run(['upload', dir, '--bogus'])).status, 2)
  const noKey = await run(['upload', dir, ...endpoints()], { env: { ...process.env, IMAGEKIT_PRIVATE_KEY: '' } })
  assert.equal(noKey.status, 2)
  assert.match(noKey.stderr, /IMAGEKIT_PRIVATE_KEY/)
  const missing = await run(['upload', path.join(dir, 'nope'), ...endpoints()])
  assert.equal(missing.status, 2)
  assert.match(missing.stderr, /cannot be read/)
  const glob = await run(['upload', dir, '--include', 'a[', ...endpoints()])
  assert.equal(glob.status, 2)
})

test('one line per file and a summary; a failed file exits 1 and is listed', async () => {
  const dir = tree({ 'a.txt': 'a', 'b b.txt': 'b', 'sub/c.txt': 'c' })
  const first = await run(['upload', dir, '--folder', '/lines', '--tags', 'x,y', ...endpoints()])
  assert.equal(first.status, 0, first.stderr)
  const lines = first.stdout.trim().split('\n')
  assert.deepEqual(lines.slice(0, -1).sort(), [
    'uploaded a.txt -> /lines/a.txt',
    'uploaded b b.txt -> /lines/b_b.txt',
    'uploaded sub/c.txt -> /lines/sub/c.txt',
  ])
  assert.match(lines.at(-1), /^done: 3 uploaded, 0 skipped, 0 failed of 3 files \(3 B\) in \d+\.\d s$/)
  const [file] = await new ImageKit(server().options).listFiles({ path: '/lines', name: 'a.txt' })
  assert.deepEqual(file.tags, ['x', 'y'])

  fs.writeFileSync(path.join(dir, 'a.txt'), 'a larger a')
  const second = await run(['upload', dir, '--folder', '/lines', ...endpoints()])
  assert.equal(second.status, 1)
  assert.match(second.stdout, /^failed {3}a\.txt -> \/lines\/a\.txt: .* \(ERR_SIZE_MISMATCH\)$/m)
  assert.match(second.stdout.trim().split('\n').at(-1), /^done: 0 uploaded, 2 skipped, 1 failed of 3 files/)
})

test('--json: one object per file, then the summary', async () => {
  const dir = tree({ 'a.txt': 'a', 'b.txt': 'bb' })
  await server().setFaults([{ method: 'POST', path: '/api/v1/files/upload', status: 400, times: 1 }])
  const result = await run(['upload', dir, '--json', '--concurrency', '1', ...endpoints()])
  assert.equal(result.status, 1)
  const objects = result.stdout.trim().split('\n').map((line) => JSON.parse(line))
  const files = objects.filter((o) => o.type === 'file')
  assert.deepEqual(files.map((f) => [f.path, f.status]), [['a.txt', 'failed'], ['b.txt', 'uploaded']])
  assert.deepEqual(files[0].error, { code: 'ERR_IMAGEKIT_API', message: files[0].error.message, status: 400 })
  assert.equal(typeof files[1].fileId, 'string')
  const summary = objects.at(-1)
  assert.equal(summary.type, 'summary')
  assert.deepEqual([summary.uploaded, summary.failed, summary.failures.length], [1, 1, 1])
})

test('on a terminal: a progress bar, ending on a clean summary line', async (t) => {
  if (spawnSync('script', ['--version']).status !== 0) {
    // `.ci/run` installs util-linux's script; a machine without it cannot run this test.
    throw new Error('script (util-linux) is needed for the pseudo-terminal test')
  }
  const files = {}
  for (let i = 0; i < 200; i++) files[`d${i % 4}/f${i}.bin`] = crypto.randomBytes(2000)
  const dir = tree(files)
  // Slow uploads, so the bar is drawn several times.
  await server().setFaults([{ method: 'POST', path: '/api/v1/files/upload', delayMs: 10 }])
  const command = [BINARY, 'upload', dir, '--folder', '/tty', '--concurrency', '4', ...endpoints()].map((a) => `'${a}'`).join(' ')
  const result = await new Promise((resolve) => {
    const child = spawn('script', ['-qec', command, '/dev/null'], { env: env() })
    let output = ''
    child.stdout.on('data', (d) => (output += d))
    child.on('close', (status) => resolve({ status, output }))
  })
  assert.equal(result.status, 0, result.output)
  const redraws = result.output.split('\r').filter((part) => /\d+\/200 files/.test(part))
  assert.ok(redraws.length >= 3, `the bar was drawn ${redraws.length} times`)
  assert.match(result.output, /ETA/)
  // The bar is cleared, then the summary is the last line, alone.
  const last = result.output.trimEnd().split(/\r\n|\n/).at(-1)
  const visible = last.replace(/\x1b\[[0-9;]*[A-Za-z]/g, '').split('\r').at(-1)
  assert.match(visible, /^done: 200 uploaded, 0 skipped, 0 failed of 200 files \(390\.62 KiB\) in \d+\.\d s$/)
})

test('Ctrl-C stops the run: the summary, then exit 130', async () => {
  const files = {}
  for (let i = 0; i < 40; i++) files[`f${i}.txt`] = 'x'
  const dir = tree(files)
  await server().setFaults([{ method: 'POST', path: '/api/v1/files/upload', delayMs: 200 }])
  const result = await run(['upload', dir, '--concurrency', '2', ...endpoints()], {
    onSpawn: (child) => setTimeout(() => child.kill('SIGINT'), 700),
  })
  assert.equal(result.status, 130, result.stderr)
  assert.match(result.stderr, /stopping/)
  assert.match(result.stdout.trim().split('\n').at(-1), /^stopped: .* not started \(run again to resume\)$/)
  assert.match(result.stdout, /ABORT_ERR/)
})

test('killed at random moments and re-run: the library ends as exactly the source tree', async () => {
  const rng = new Random(seedFromEnv(22))
  const random = () => rng.next()
  console.log(`# seed ${rng.seed}`)
  const files = {}
  for (let i = 0; i < 2000; i++) {
    const size = 1024 + Math.floor(random() * 3072)
    files[`folder ${i % 20}/file ${i}.bin`] = crypto.randomBytes(size)
  }
  const dir = tree(files)
  const args = ['upload', dir, '--folder', '/resume', '--concurrency', '8', '--json', ...endpoints()]
  // Each upload answered 3 ms later than it would be: a whole run lasts long enough to be
  // killed in its middle several times.
  await server().setFaults([{ method: 'POST', path: '/api/v1/files/upload', delayMs: 3 }])
  const kills = []
  for (let round = 0; round < 8; round++) {
    const after = 20 + Math.floor(random() * 300)
    const result = await run(args, { onSpawn: (child) => setTimeout(() => child.kill('SIGKILL'), after) })
    const done = result.stdout.split('\n').filter((line) => line.includes('"type":"file"')).length
    kills.push({ after, signal: result.signal, reported: done })
    if (result.signal === null) break
  }
  console.log(`# killed runs: ${JSON.stringify(kills)}`)
  assert.ok(kills.filter((k) => k.signal === 'SIGKILL').length >= 3, 'several runs were killed mid-way')

  await server().clearFaults()
  const final = await run(args)
  assert.equal(final.status, 0, final.stderr)
  const summary = JSON.parse(final.stdout.trim().split('\n').at(-1))
  assert.equal(summary.failed, 0)
  assert.equal(summary.uploaded + summary.skipped, 2000)

  const ik = new ImageKit(server().options)
  const folders = Array.from({ length: 20 }, (_, i) => `/resume/folder_${i}/`)
  const stored = await library(ik, folders)
  const expected = Object.keys(files).map((name) => `/resume/${name.replace(/ /g, '_')}`)
  assert.deepEqual([...stored.keys()].sort(), expected.sort(), 'exactly the source tree')
  // Every file byte-equal, 16 at a time.
  const names = Object.keys(files)
  for (let i = 0; i < names.length; i += 16) {
    await Promise.all(
      names.slice(i, i + 16).map(async (name) => {
        const { url } = stored.get(`/resume/${name.replace(/ /g, '_')}`)
        const bytes = Buffer.from(await (await fetch(url)).arrayBuffer())
        assert.ok(bytes.equals(files[name]), `${name} is byte-equal`)
      }),
    )
  }
  const again = await run(args)
  assert.equal(again.status, 0)
  const last = JSON.parse(again.stdout.trim().split('\n').at(-1))
  assert.deepEqual([last.uploaded, last.skipped], [0, 2000])
})
