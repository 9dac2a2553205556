'use strict'
// Runs one command against a fresh local ImageKit server, for .github/workflows/release.yml:
// starts the server binary given (`--port 0 --exit-on-stdin-close`), reads the JSON line it
// prints first, runs the command with IK_SERVER set to that line, then closes the server's
// stdin and checks that it shut down cleanly. Exits with the command's status (1 when the
// server misbehaves).
//
//   node .github/scripts/smoke.js ./imagekit-local-server node __test__/runtimes/smoke.cjs
//   node .github/scripts/smoke.js ./imagekit-local-server deno run -A __test__/runtimes/smoke.cjs
//   bun  .github/scripts/smoke.js ./imagekit-local-server bun __test__/runtimes/smoke.cjs
//
// Plain CommonJS and node: built-ins only, so it runs under Node 18+ and under Bun (the musl
// Bun image has no Node). On Windows `./imagekit-local-server` also finds the `.exe`.
// Downloaded workflow artifacts lose the executable bit; it is restored here when possible.

const { spawn } = require('node:child_process')
const fs = require('node:fs')
const path = require('node:path')
const readline = require('node:readline')

const STARTUP_TIMEOUT_MS = 60 * 1000
const RUN_TIMEOUT_MS = Number(process.env.SMOKE_TIMEOUT_MS) || 10 * 60 * 1000
const SHUTDOWN_TIMEOUT_MS = 15 * 1000
const ENDPOINT_KEYS = ['apiEndpoint', 'uploadEndpoint', 'urlEndpoint', 'publicKey', 'privateKey']

function log(message) {
  console.error(`[smoke] ${message}`)
}

function resolveServer(given) {
  const resolved = path.resolve(given)
  if (fs.existsSync(resolved)) return resolved
  if (process.platform === 'win32' && !resolved.endsWith('.exe') && fs.existsSync(`${resolved}.exe`)) return `${resolved}.exe`
  throw new Error(`the server binary ${resolved} does not exist`)
}

function makeExecutable(file) {
  if (process.platform === 'win32') return
  try {
    fs.accessSync(file, fs.constants.X_OK)
  } catch {
    fs.chmodSync(file, 0o755)
  }
}

/** Resolves with `{ code, signal }` once `child` has exited (or failed to start: code null). */
function exitOf(child) {
  return new Promise((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }))
    child.once('error', (error) => resolve({ code: null, signal: null, error }))
  })
}

function describe({ code, signal, error }) {
  if (error) return `failed to start: ${error.message}`
  return signal ? `was killed by ${signal}` : `exited with code ${code}`
}

function withTimeout(promise, ms, onTimeout) {
  let timer
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise((resolve) => {
      timer = setTimeout(() => resolve(onTimeout()), ms)
    }),
  ])
}

async function main() {
  const [serverArg, ...command] = process.argv.slice(2)
  if (!serverArg || command.length === 0) {
    throw new Error('usage: smoke.js <server-binary> <command> [args...]')
  }
  const server = resolveServer(serverArg)
  makeExecutable(server)

  log(`starting ${server}`)
  const child = spawn(server, ['--port', '0', '--exit-on-stdin-close'], { stdio: ['pipe', 'pipe', 'inherit'] })
  const serverExit = exitOf(child)
  const lines = readline.createInterface({ input: child.stdout })
  const firstLine = new Promise((resolve) => lines.once('line', resolve))
  // Keep draining stdout so the server never blocks on a full pipe.
  lines.on('line', () => {})

  const started = await withTimeout(
    Promise.race([firstLine.then((line) => ({ line })), serverExit.then((exit) => ({ exit }))]),
    STARTUP_TIMEOUT_MS,
    () => ({ timeout: true }),
  )
  if (!started.line) {
    child.kill('SIGKILL')
    if (started.timeout) throw new Error(`the server printed nothing within ${STARTUP_TIMEOUT_MS} ms`)
    throw new Error(`the server ${describe(started.exit)} before it printed its endpoints`)
  }
  let endpoints
  try {
    endpoints = JSON.parse(started.line)
  } catch {
    child.kill('SIGKILL')
    throw new Error(`the server's first line is not JSON: ${started.line}`)
  }
  const missing = ENDPOINT_KEYS.filter((key) => typeof endpoints[key] !== 'string')
  if (missing.length > 0) {
    child.kill('SIGKILL')
    throw new Error(`the server's first line lacks ${missing.join(', ')}: ${started.line}`)
  }
  log(`server up at ${endpoints.apiEndpoint}; running: ${command.join(' ')}`)

  const run = spawn(command[0], command.slice(1), {
    stdio: 'inherit',
    env: Object.assign({}, process.env, { IK_SERVER: started.line }),
  })
  const ran = await withTimeout(exitOf(run), RUN_TIMEOUT_MS, () => {
    run.kill('SIGKILL')
    return { timeout: true }
  })

  let status
  if (ran.timeout) {
    log(`${command[0]} did not finish within ${RUN_TIMEOUT_MS} ms`)
    status = 1
  } else if (ran.code === 0) {
    status = 0
  } else {
    log(`${command[0]} ${describe(ran)}`)
    status = ran.code || 1
  }

  // Closing stdin is the server's cue to stop; it must then exit 0 by itself.
  child.stdin.end()
  const stopped = await withTimeout(serverExit, SHUTDOWN_TIMEOUT_MS, () => {
    child.kill('SIGKILL')
    return { timeout: true }
  })
  if (stopped.timeout) {
    log(`the server was still running ${SHUTDOWN_TIMEOUT_MS} ms after its stdin closed`)
    status = status || 1
  } else if (stopped.code !== 0) {
    log(`the server ${describe(stopped)} after its stdin closed`)
    status = status || 1
  }
  return status
}

main().then(
  (status) => {
    process.exitCode = status
  },
  (error) => {
    log(error && error.message ? error.message : String(error))
    process.exitCode = 1
  },
)
