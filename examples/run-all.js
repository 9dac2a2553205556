'use strict'
// `npm run example`: runs every example in EXAMPLES in turn and stops at the first failure.
// An example is a module exporting `main({ log })` (sync or async).

const path = require('node:path')

const EXAMPLES = [
  'url-and-signing.js',
  'media-flow.js',
  'account-settings.js',
  'rust-client.js',
  'upload-folder.js',
]

async function runAll() {
  for (const file of EXAMPLES) {
    console.log(`\n== examples/${file}`)
    const { main } = require(path.join(__dirname, file))
    await main({ log: console.log })
  }
  console.log(`\n${EXAMPLES.length} examples ran`)
}

runAll().catch((e) => {
  console.error(e)
  process.exitCode = 1
})
