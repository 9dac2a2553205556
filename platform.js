'use strict'
// Which platform package this process needs, and the error a user sees when it is missing.
//
// Two packages carry no binary and take it from a package per platform, which npm installs
// from their optionalDependencies (added when they are published):
// - `imagekit-native`, the SDK: the addon, from `imagekit-native-<platform>` (npm/<platform>/);
// - `imagekit-native-tools`, the development tools: the local server and the
//   `imagekit-native` command line, from `imagekit-native-tools-<platform>` (tools/npm/<platform>/).
// This file is in both (the tools package gets a copy when it is packed), and reads the
// package.json beside it to know which one it is in. In a checkout of the repository it is
// the SDK's, and the server and the command line are those `cargo build --release` makes.

const fs = require('fs')
const path = require('path')
const pkg = require('./package.json')

/** The SDK's name, from either package. */
const SDK = pkg.name.replace(/-tools$/, '')
const TOOLS = `${SDK}-tools`

/** napi-rs's name for a Rust target: x86_64-unknown-linux-musl → linux-x64-musl. */
function platformOfTriple(triple) {
  const [arch, ...rest] = triple.split('-')
  const cpu = { x86_64: 'x64', aarch64: 'arm64', i686: 'ia32', armv7: 'arm' }[arch] || arch
  const system = rest.join('-')
  if (system.includes('darwin')) return `darwin-${cpu}`
  if (system.includes('windows')) return `win32-${cpu}-${system.split('-').pop()}`
  if (system.includes('linux')) return `linux-${cpu}-${system.split('-').pop().replace(/eabihf$/, '')}`
  return `${system.split('-').pop()}-${cpu}`
}

/** The platforms the packages are built for (package.json's napi.targets). */
const SUPPORTED = pkg.napi.targets.map(platformOfTriple)

function isMusl() {
  if (process.platform !== 'linux') return false
  try {
    return fs.readFileSync('/usr/bin/ldd', 'utf8').includes('musl')
  } catch {
    const report = typeof process.report?.getReport === 'function' ? process.report.getReport() : null
    return !(report && report.header && report.header.glibcVersionRuntime)
  }
}

/** This process's platform in napi-rs's naming (linux-x64-gnu, darwin-arm64, win32-x64-msvc…). */
function currentPlatform() {
  const base = `${process.platform}-${process.arch}`
  if (process.platform === 'linux') return `${base}-${isMusl() ? 'musl' : 'gnu'}`
  if (process.platform === 'win32') return `${base}-msvc`
  return base
}

/** The SDK's platform package (the addon) for a platform. */
function packageOf(platform) {
  return `${SDK}-${platform}`
}

/** The tools' platform package (the local server) for a platform. */
function toolsPackageOf(platform) {
  return `${TOOLS}-${platform}`
}

/** The folder a package is installed in, when this package can require it. */
function installedDir(name) {
  try {
    return path.dirname(require.resolve(`${name}/package.json`))
  } catch {
    return null
  }
}

/**
 * How this copy of the package came here, which decides the fix for a missing binary:
 * `checkout` (the repository itself, whose binaries are built in it), `published` (from npm,
 * whose manifest lists the platform packages) or `unpublished` (a tarball or a folder, which
 * list none, so npm had no platform package to install).
 */
function origin() {
  if (fs.existsSync(path.join(__dirname, 'Cargo.toml'))) return 'checkout'
  return Object.keys(pkg.optionalDependencies || {}).length > 0 ? 'published' : 'unpublished'
}

const PACK =
  `in a checkout of ${SDK}'s repository, run \`npm ci && npm run pack\` (Rust needed), which writes the ` +
  'tarballs of every package and prints the `npm install` line that installs them together'

/** Each binary: what it is, which package carries it, and how to get it in each situation. */
const BINARIES = {
  addon: {
    what: 'native addon',
    package: packageOf,
    build: `run \`npm run build\` in ${__dirname} (Rust needed)`,
    install: (name) => `npm install ${name}@${pkg.version}`,
    fromSource:
      `build it from source with Rust: clone ${SDK}'s repository, run \`npm ci && npm run build\`, ` +
      'and set NAPI_RS_NATIVE_LIBRARY_PATH to the .node file it makes',
  },
  server: {
    what: 'local server',
    package: toolsPackageOf,
    build: `run \`cargo build --release -p imagekit-local-server\` in ${__dirname}, or start it with \`npm run server\``,
    install: (name) => `npm install --save-dev ${name}@${pkg.version}`,
    fromSource:
      `build it from source with Rust: clone ${SDK}'s repository, run ` +
      '`cargo build --release -p imagekit-local-server`, and run target/release/imagekit-local-server',
  },
  cli: {
    what: 'command line (imagekit-native upload)',
    package: toolsPackageOf,
    build: `run \`cargo build --release -p imagekit-native-cli\` in ${__dirname}`,
    install: (name) => `npm install --save-dev ${name}@${pkg.version}`,
    fromSource:
      `build it from source with Rust: clone ${SDK}'s repository, run ` +
      '`cargo build --release -p imagekit-native-cli`, and run target/release/imagekit-native',
  },
}

/**
 * The error thrown when a binary is missing: it names the platform, the package that carries
 * the binary, the supported platforms, and the fix that works where this copy came from.
 * `cause` is what the loader tried (`error.cause` of napi-rs's loader error, one entry per
 * candidate).
 */
function missingError(kind, cause) {
  const binary = BINARIES[kind]
  const platform = currentPlatform()
  const name = binary.package(platform)
  const from = origin()
  const supported = `Supported platforms: ${SUPPORTED.join(', ')}.`
  let message
  if (from === 'checkout') {
    message =
      `${pkg.name} could not find its ${binary.what} for ${platform}: this is a checkout of the repository, ` +
      `where it is built: ${binary.build}.`
  } else if (kind === 'cli' && pkg.name === SDK && installedDir(TOOLS) === null) {
    // The SDK's bin runs the tools' binary, and the tools are not installed.
    message =
      `imagekit-native upload is the command line of ${TOOLS}, which is not installed here. Install it as a ` +
      `development dependency: \`npm install --save-dev ${TOOLS}@${pkg.version}\`, or run it without ` +
      `installing: \`npx -p ${SDK}@${pkg.version} -p ${TOOLS}@${pkg.version} imagekit-native upload …\`.`
  } else if (!SUPPORTED.includes(platform)) {
    message = `${pkg.name} has no ${binary.what} for this platform (${platform}). ${supported} To run here, ${binary.fromSource}.`
  } else if (installedDir(name) !== null) {
    message =
      `${pkg.name} could not load its ${binary.what} from ${name} (${platform})${cause === undefined ? '' : '; see `cause`'}. ` +
      `Reinstall ${name}@${pkg.version}, or ${binary.fromSource}. ${supported}`
  } else if (from === 'unpublished') {
    message =
      `${pkg.name} could not load its ${binary.what} for ${platform}: the package ${name} is not installed. ` +
      `This copy of ${pkg.name} was installed from a tarball or a folder, not from npm, so npm had no ` +
      `platform package to add: ${PACK}. ${supported}`
  } else {
    message =
      `${pkg.name} could not load its ${binary.what} for ${platform}: the package ${name} is not installed. ` +
      `Install it with \`${binary.install(name)}\` (npm leaves optional dependencies out with ` +
      '--omit=optional, or when the lock file was made on another platform: https://github.com/npm/cli/issues/4828), ' +
      `or ${binary.fromSource}. ${supported}`
  }
  const error = new Error(message)
  error.code = 'ERR_IMAGEKIT_NO_BINARY'
  error.platform = platform
  error.package = name
  error.supportedPlatforms = SUPPORTED.slice()
  if (cause !== undefined) error.cause = cause
  return error
}

/** The error thrown when the addon cannot be loaded (see `missingError`). */
function missingBinaryError(cause) {
  return missingError('addon', cause)
}

/**
 * The local server's binary: from the tools' platform package, or, in a checkout, the one
 * `cargo build --release -p imagekit-local-server` makes.
 */
function serverBinary() {
  return binary('server', 'imagekit-local-server')
}

/** The tools' binary `name` for this platform (see serverBinary and cliBinary). */
function binary(kind, name) {
  const file = process.platform === 'win32' ? `${name}.exe` : name
  const dir = installedDir(toolsPackageOf(currentPlatform()))
  if (dir !== null && fs.existsSync(path.join(dir, file))) return path.join(dir, file)
  if (origin() === 'checkout') {
    const built = path.join(__dirname, 'target', 'release', file)
    if (fs.existsSync(built)) return built
  }
  throw missingError(kind)
}

/**
 * The command line's binary (`imagekit-native`): from the tools' platform package, or, in a
 * checkout, the one `cargo build --release -p imagekit-native-cli` makes.
 */
function cliBinary() {
  return binary('cli', 'imagekit-native')
}

/**
 * Runs the tools' binary of `kind` (`server` or `cli`) with this process's arguments, for a
 * bin: its output is this process's, signals are passed on, and its exit status (or the
 * signal that ended it) is this process's. A missing binary is reported with its fix.
 */
function runTool(kind) {
  const { spawn } = require('child_process')
  let file
  try {
    file = kind === 'server' ? serverBinary() : cliBinary()
  } catch (error) {
    console.error(error.message)
    process.exit(1)
  }
  const child = spawn(file, process.argv.slice(2), { stdio: 'inherit' })
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(signal, () => child.kill(signal))
  }
  child.on('error', (error) => {
    console.error(`could not start ${file}: ${error.message}`)
    process.exit(1)
  })
  child.on('exit', (code, signal) => {
    if (signal) {
      // End this process the same way (without the handler above, which would only pass it on).
      process.removeAllListeners(signal)
      process.kill(process.pid, signal)
    } else {
      process.exit(code)
    }
  })
}

module.exports = {
  SUPPORTED,
  currentPlatform,
  platformOfTriple,
  packageOf,
  toolsPackageOf,
  origin,
  missingBinaryError,
  serverBinary,
  cliBinary,
  runTool,
}
