'use strict'
// `npm run pack`: the installable packages, from this checkout, before (or without) a release.
//
// Builds the addon, the local server and the command line for this machine (release profile,
// stripped), then writes four tarballs into `packed/` and prints the `npm install` lines that
// install them:
// - `imagekit-native`, the SDK (JavaScript, typings and the `imagekit-native` bin), with
// - `imagekit-native-<platform>`, its addon: the production install;
// - `imagekit-native-tools`, the development tools (`npx imagekit-native-server`), with
// - `imagekit-native-tools-<platform>`, the binaries of the local server and of the command
//   line (`npx imagekit-native upload`, whose bin is the SDK's): a dev dependency.
//
//   node scripts/pack.js [--no-build] [--out DIR]
//   node scripts/pack.js stage-tools DIR [--optional-dependencies]
//
// `stage-tools` only assembles the tools package in DIR (its manifest from tools/, with
// platform.js and bin/ from the repository root, which the SDK's package shares), and with
// `--optional-dependencies` lists every platform's tools package at this version, as the
// release workflow publishes it.

const { execFileSync } = require('node:child_process')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')

const ROOT = path.join(__dirname, '..')
const pkg = require('../package.json')
const { currentPlatform, packageOf, toolsPackageOf, platformOfTriple } = require('../platform.js')

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm'
const SERVER = process.platform === 'win32' ? 'imagekit-local-server.exe' : 'imagekit-local-server'
const CLI = process.platform === 'win32' ? 'imagekit-native.exe' : 'imagekit-native'

function run(command, args, options = {}) {
  return execFileSync(command, args, { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], ...options })
}

function copy(from, to, mode) {
  fs.mkdirSync(path.dirname(to), { recursive: true })
  fs.copyFileSync(from, to)
  if (mode !== undefined) fs.chmodSync(to, mode)
}

/** The tools package in `dir`: its manifest, platform.js, bin/ and README. */
function stageTools(dir, { optionalDependencies = false } = {}) {
  const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, 'tools', 'package.json'), 'utf8'))
  if (manifest.version !== pkg.version) throw new Error(`tools/package.json is ${manifest.version}, package.json ${pkg.version}`)
  if (optionalDependencies) {
    manifest.optionalDependencies = Object.fromEntries(
      manifest.napi.targets.map((triple) => [toolsPackageOf(platformOfTriple(triple)), manifest.version]),
    )
  }
  fs.mkdirSync(dir, { recursive: true })
  fs.writeFileSync(path.join(dir, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`)
  copy(path.join(ROOT, 'tools', 'README.md'), path.join(dir, 'README.md'))
  copy(path.join(ROOT, 'platform.js'), path.join(dir, 'platform.js'))
  // Its own bins only (bin/ also holds the SDK's `imagekit-native`).
  for (const file of Object.values(manifest.bin)) copy(path.join(ROOT, file), path.join(dir, file), 0o755)
  return dir
}

/** A platform package in `dir`: the manifest and README of `from` (npm/<p> or tools/npm/<p>) and its binaries. */
function stagePlatform(from, binaries, dir) {
  fs.mkdirSync(dir, { recursive: true })
  for (const file of ['package.json', 'README.md']) copy(path.join(from, file), path.join(dir, file))
  for (const binary of binaries) copy(binary, path.join(dir, path.basename(binary)), 0o755)
  return dir
}

/** `npm pack` of `dir` into `out`: the tarball's path and the files it holds. */
function pack(dir, out) {
  const [packed] = JSON.parse(run(npm, ['pack', '--json', '--pack-destination', out], { cwd: dir }))
  return {
    tarball: path.join(out, packed.filename),
    files: packed.files.map((f) => f.path).sort(),
    size: packed.size,
    unpackedSize: packed.unpackedSize,
  }
}

/**
 * The four tarballs in `out`, from what is built in this checkout: `{ main, platform, tools,
 * toolsPlatform }`, each `{ tarball, files, size, unpackedSize }`.
 */
function packAll(out) {
  const platform = currentPlatform()
  const addon = path.join(ROOT, `${pkg.napi.binaryName}.${platform}.node`)
  const server = path.join(ROOT, 'target', 'release', SERVER)
  const cli = path.join(ROOT, 'target', 'release', CLI)
  for (const [file, how] of [
    [addon, 'npm run build'],
    [server, 'cargo build --release -p imagekit-local-server'],
    [cli, 'cargo build --release -p imagekit-native-cli'],
  ]) {
    if (!fs.existsSync(file)) throw new Error(`${file} is missing: run ${how}`)
  }
  fs.mkdirSync(out, { recursive: true })
  const staging = fs.mkdtempSync(path.join(os.tmpdir(), 'imagekit-pack-'))
  try {
    return {
      main: pack(ROOT, out),
      platform: pack(stagePlatform(path.join(ROOT, 'npm', platform), [addon], path.join(staging, 'platform')), out),
      tools: pack(stageTools(path.join(staging, 'tools')), out),
      toolsPlatform: pack(stagePlatform(path.join(ROOT, 'tools', 'npm', platform), [server, cli], path.join(staging, 'tools-platform')), out),
    }
  } finally {
    fs.rmSync(staging, { recursive: true, force: true })
  }
}

/** The lines that install the tarballs: the SDK under v6's name, the tools as dev dependencies. */
function installLines(packed) {
  return [
    `npm install imagekit@file:${packed.main.tarball} ${packed.platform.tarball}`,
    `npm install --save-dev ${packed.tools.tarball} ${packed.toolsPlatform.tarball}`,
  ]
}

function main(args) {
  if (args[0] === 'stage-tools') {
    if (!args[1]) throw new Error('usage: node scripts/pack.js stage-tools DIR [--optional-dependencies]')
    const dir = stageTools(path.resolve(args[1]), { optionalDependencies: args.includes('--optional-dependencies') })
    console.log(`staged ${dir}`)
    return
  }
  const outAt = args.indexOf('--out')
  if (outAt >= 0 && !args[outAt + 1]) throw new Error('usage: node scripts/pack.js [--no-build] [--out DIR]')
  const out = path.resolve(outAt >= 0 ? args[outAt + 1] : path.join(ROOT, 'packed'))
  if (!args.includes('--no-build')) {
    run(npm, ['run', 'build'], { stdio: 'inherit' })
    run('cargo', ['build', '--release', '-p', 'imagekit-local-server', '-p', 'imagekit-native-cli'], { stdio: 'inherit' })
  }
  const packed = packAll(out)
  const size = (bytes) => (bytes < 1e6 ? `${(bytes / 1e3).toFixed(0)} kB` : `${(bytes / 1e6).toFixed(1)} MB`)
  console.log(`\nPackages for ${currentPlatform()}, in ${out}:`)
  console.log(`  ${'tarball'.padEnd(46)} ${'packed'.padStart(7)} ${'unpacked'.padStart(9)}`)
  for (const [what, packedAs] of Object.entries({
    [`${pkg.name} (the SDK)`]: packed.main,
    [`${packageOf(currentPlatform())} (its addon)`]: packed.platform,
    [`${pkg.name}-tools (the local server and the command line, for development)`]: packed.tools,
    [`${toolsPackageOf(currentPlatform())} (their binaries)`]: packed.toolsPlatform,
  })) {
    const { tarball, size: bytes, unpackedSize } = packedAs
    console.log(`  ${path.basename(tarball).padEnd(46)} ${size(bytes).padStart(7)} ${size(unpackedSize).padStart(9)}  ${what}`)
  }
  const [sdk, tools] = installLines(packed)
  console.log(`\nIn your project, the SDK in place of imagekit@6 (require('imagekit') keeps working):\n\n  ${sdk}\n`)
  console.log(`and the tools (then \`npx imagekit-native-server\`, \`npx imagekit-native upload\`):\n\n  ${tools}\n`)
}

if (require.main === module) {
  try {
    main(process.argv.slice(2))
  } catch (error) {
    console.error(error.message)
    process.exitCode = 1
  }
}

module.exports = { stageTools, stagePlatform, packAll, installLines }
