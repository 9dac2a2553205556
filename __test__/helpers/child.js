'use strict'
// Running a script in a fresh Node process (for what is read once per process: the trusted
// certificates, the proxy variables, an unhandled rejection's exit), asynchronously, so a
// server in the test's own process keeps answering.

const { spawn } = require('node:child_process')

/** Runs `script` with `env` added; resolves with `{ status, signal, stdout, stderr }`. */
function runScript(script, env = {}, { timeout = 20000 } = {}) {
  const child = spawn(process.execPath, ['-e', script], { env: { ...process.env, ...env }, timeout })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (d) => (stdout += d))
  child.stderr.on('data', (d) => (stderr += d))
  return new Promise((resolve) => child.on('close', (status, signal) => resolve({ status, signal, stdout, stderr })))
}

module.exports = { runScript }
