#!/usr/bin/env node
'use strict'
// `npx imagekit-native-server [flags]`: the local ImageKit server, from the tools' package
// for this platform (imagekit-native-tools-<platform>), or in a checkout the one cargo built:
// the same binary and flags as `cargo run -p imagekit-local-server` (`--help` lists them).
// Signals are passed on, and its exit status is this process's. Published in
// imagekit-native-tools, with platform.js (scripts/pack.js stages both).

const { spawn } = require('child_process')
const { serverBinary } = require('../platform.js')

let binary
try {
  binary = serverBinary()
} catch (error) {
  console.error(error.message)
  process.exit(1)
}
const child = spawn(binary, process.argv.slice(2), { stdio: 'inherit' })
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => child.kill(signal))
}
child.on('error', (error) => {
  console.error(`could not start ${binary}: ${error.message}`)
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
