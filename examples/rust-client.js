'use strict'
// The client's core used from Rust, without Node: runs the `imagekit` crate's example
// (crates/imagekit/examples/media_flow.rs) against the local ImageKit server started here.
//
//   cargo build --release -p imagekit-local-server && node examples/rust-client.js

const { execFileSync } = require('node:child_process')
const path = require('node:path')

const { startServer } = require('../__test__/helpers/server.js')

async function main({ log = console.log } = {}) {
  const server = await startServer()
  try {
    const { publicKey, privateKey, urlEndpoint, apiEndpoint, uploadEndpoint } = server.options
    const output = execFileSync('cargo', ['run', '--quiet', '--release', '-p', 'imagekit', '--example', 'media_flow'], {
      cwd: path.join(__dirname, '..'),
      env: {
        ...process.env,
        IMAGEKIT_PUBLIC_KEY: publicKey,
        IMAGEKIT_PRIVATE_KEY: privateKey,
        IMAGEKIT_URL_ENDPOINT: urlEndpoint,
        IMAGEKIT_API_ENDPOINT: apiEndpoint,
        IMAGEKIT_UPLOAD_ENDPOINT: uploadEndpoint,
      },
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    })
    for (const line of output.trimEnd().split('\n')) log(line)
  } finally {
    await server.stop()
  }
}

module.exports = { main }

if (require.main === module) {
  main().catch((e) => {
    console.error(e)
    process.exitCode = 1
  })
}
