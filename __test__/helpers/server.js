'use strict'
// Starts the local ImageKit server (server/ crate) for a test file: an ephemeral port, the
// endpoints and keys from the first line it prints, the admin API for faults and rate limits,
// and a stop() that waits for the process to end. `--exit-on-stdin-close` ends the server
// even when this process dies without cleaning up: its stdin is our pipe.

const { spawn } = require('node:child_process')
const path = require('node:path')
const fs = require('node:fs')
const net = require('node:net')
const readline = require('node:readline')

const ROOT = path.resolve(__dirname, '..', '..')
const BINARY = path.join(ROOT, 'target', 'release', 'imagekit-local-server')

const PUBLIC_KEY = 'public_test_key'
const PRIVATE_KEY = 'private_test_key_a8f3c'

/**
 * Starts a server. `args` are extra flags (e.g. `['--job-delay-ms', '0']`); `command`, `env`
 * and `cwd` start it another way (an installed package's bin, say).
 * Resolves to `{ apiEndpoint, uploadEndpoint, urlEndpoint, publicKey, privateKey, origin,
 * options, admin, setFaults, clearFaults, setRateLimit, reset, stop }`.
 */
async function startServer({ args = [], publicKey = PUBLIC_KEY, privateKey = PRIVATE_KEY, command, env, cwd } = {}) {
  // `command`: how to start it instead of the built binary, e.g. an installed package's bin.
  if (!command && !fs.existsSync(BINARY)) {
    throw new Error(`${BINARY} is missing: run cargo build --release -p imagekit-local-server`)
  }
  const [program, ...before] = command || [BINARY]
  const child = spawn(
    program,
    [...before, '--port', '0', '--exit-on-stdin-close', '--public-key', publicKey, '--private-key', privateKey, ...args],
    { stdio: ['pipe', 'pipe', 'pipe'], env, cwd },
  )
  let stderr = ''
  child.stderr.on('data', (d) => {
    stderr += d
  })
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })))

  const lines = readline.createInterface({ input: child.stdout })
  const first = await new Promise((resolve, reject) => {
    lines.once('line', resolve)
    child.once('error', reject)
    exited.then(({ code, signal }) => reject(new Error(`server exited (${code ?? signal}) before it started: ${stderr}`)))
  })
  // Keep draining stdout so the server never blocks on a full pipe.
  lines.on('line', () => {})
  const endpoints = JSON.parse(first)
  const origin = new URL(endpoints.apiEndpoint).origin

  async function admin(method, route, body) {
    // The admin API takes changes as JSON only (so a cross-site form cannot make them).
    const changes = method !== 'GET' && method !== 'HEAD'
    const response = await fetch(`${origin}/__admin/${route}`, {
      method,
      headers: changes ? { 'content-type': 'application/json' } : {},
      body: body === undefined ? undefined : JSON.stringify(body),
    })
    const text = await response.text()
    if (!response.ok) throw new Error(`admin ${method} ${route}: ${response.status} ${text}`)
    return text ? JSON.parse(text) : undefined
  }

  let stopping
  return {
    ...endpoints,
    origin,
    /** Options for `new ImageKit(...)` pointing at this server. */
    options: {
      publicKey: endpoints.publicKey,
      privateKey: endpoints.privateKey,
      urlEndpoint: endpoints.urlEndpoint,
      uploadEndpoint: endpoints.uploadEndpoint,
      apiEndpoint: endpoints.apiEndpoint,
    },
    process: child,
    admin,
    setFaults: (rules) => admin('POST', 'faults', { rules }),
    clearFaults: () => admin('DELETE', 'faults'),
    setRateLimit: (limit, intervalMs) => admin('POST', 'rate-limit', { limit, intervalMs }),
    clearRateLimit: () => admin('DELETE', 'rate-limit'),
    reset: () => admin('POST', 'reset'),
    /** Closes stdin (the server's cue to shut down), then SIGKILLs it if it lingers. */
    stop() {
      if (!stopping) {
        stopping = (async () => {
          if (child.exitCode === null && child.signalCode === null) {
            child.stdin.end()
            const timer = setTimeout(() => child.kill('SIGKILL'), 3000)
            await exited
            clearTimeout(timer)
          }
          lines.close()
        })()
      }
      return stopping
    },
  }
}

/** Registers before/after hooks of node:test around one server; returns a getter for it. */
function useServer(options) {
  const { before, after } = require('node:test')
  let server
  before(async () => {
    server = await startServer(options)
  })
  after(() => server && server.stop())
  return () => server
}

/** A loopback port with nothing listening on it (bound, then closed). */
async function closedPort() {
  const listener = net.createServer()
  await new Promise((resolve) => listener.listen(0, '127.0.0.1', resolve))
  const { port } = listener.address()
  await new Promise((resolve) => listener.close(resolve))
  return port
}

module.exports = { startServer, useServer, closedPort, BINARY, PUBLIC_KEY, PRIVATE_KEY }
