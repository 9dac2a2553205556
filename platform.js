'use strict'
// Which platform package this process needs, and the error a user sees when it is missing.
// The main package carries no binary: each platform's addon and local server come in the
// package `imagekit-native-<platform>` (npm/<platform>/ in the repository), which npm
// installs from the main package's optionalDependencies (added when it is published).

const fs = require('fs')
const path = require('path')
const pkg = require('./package.json')

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

/** The platforms a package is built for (package.json's napi.targets). */
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

function packageOf(platform) {
  return `${pkg.name}-${platform}`
}

/** Whether the platform package is installed where this package can require it. */
function installed(name) {
  try {
    require.resolve(`${name}/package.json`)
    return true
  } catch {
    return false
  }
}

/**
 * The error thrown when the addon cannot be loaded: it names the platform, the package that
 * carries its binary, the supported platforms and the two fixes. `cause` is what the loader
 * tried (`error.cause` of napi-rs's loader error, one entry per candidate).
 */
function missingBinaryError(cause) {
  const platform = currentPlatform()
  const name = packageOf(platform)
  const fromSource =
    `build it from source with Rust: clone ${pkg.name}'s repository, run \`npm ci && npm run build\`, ` +
    'and set NAPI_RS_NATIVE_LIBRARY_PATH to the .node file it makes'
  let message
  if (!SUPPORTED.includes(platform)) {
    message =
      `${pkg.name} has no native binary for this platform (${platform}). ` +
      `Supported platforms: ${SUPPORTED.join(', ')}. To run here, ${fromSource}.`
  } else if (!installed(name)) {
    message =
      `${pkg.name} could not load its native binary for ${platform}: the package ${name} is not installed. ` +
      `Install it with \`npm install ${name}@${pkg.version}\` (npm leaves optional dependencies out with ` +
      '--omit=optional, or when the lock file was made on another platform: https://github.com/npm/cli/issues/4828), ' +
      `or ${fromSource}. Supported platforms: ${SUPPORTED.join(', ')}.`
  } else {
    message =
      `${pkg.name} could not load its native binary from ${name} (${platform}); see \`cause\`. ` +
      `Reinstall ${name}@${pkg.version}, or ${fromSource}. Supported platforms: ${SUPPORTED.join(', ')}.`
  }
  const error = new Error(message)
  error.code = 'ERR_IMAGEKIT_NO_BINARY'
  error.platform = platform
  error.package = name
  error.supportedPlatforms = SUPPORTED.slice()
  if (cause !== undefined) error.cause = cause
  return error
}

/**
 * The local server's binary: from the platform package, or, in the repository, the one
 * `cargo build --release -p imagekit-local-server` makes.
 */
function serverBinary() {
  const platform = currentPlatform()
  const file = process.platform === 'win32' ? 'imagekit-local-server.exe' : 'imagekit-local-server'
  const name = packageOf(platform)
  if (installed(name)) return path.join(path.dirname(require.resolve(`${name}/package.json`)), file)
  const built = path.join(__dirname, 'target', 'release', file)
  if (fs.existsSync(built)) return built
  throw missingBinaryError()
}

module.exports = { SUPPORTED, currentPlatform, platformOfTriple, packageOf, missingBinaryError, serverBinary }
