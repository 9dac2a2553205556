'use strict'
// `npm run bench`: every benchmark suite, this package side by side with imagekit@6.0.0.
//
//   node bench/index.js               all suites
//   node bench/index.js sync          only the named suites (sync, http, folder)
//   node bench/index.js --quick       shorter runs, for a smoke test
//
// A suite is a row of SUITES: a name and an (async) function printing its own table.

const SUITES = [
  { name: 'sync', about: 'url(), getAuthenticationParameters, verifyWebhookEvent, helper, webhooks', run: (o) => require('./sync.js').runSyncBench(o) },
  { name: 'http', about: 'upload and the media API against the local server', run: (o) => require('./http.js').runHttpBench(o) },
  { name: 'folder', about: 'a folder into the library: the command and uploadFolder against v6 loops', run: (o) => require('./folder.js').runFolderBench(o) },
]

async function main(argv) {
  const quick = argv.includes('--quick')
  const names = argv.filter((a) => !a.startsWith('--'))
  const unknown = names.filter((n) => !SUITES.some((s) => s.name === n))
  if (unknown.length) throw new Error(`unknown suite(s) ${unknown.join(', ')}; known: ${SUITES.map((s) => s.name).join(', ')}`)
  const selected = names.length ? SUITES.filter((s) => names.includes(s.name)) : SUITES
  console.log(`node ${process.version}, ${require('node:os').cpus().length} CPUs${quick ? ', quick' : ''}`)
  let failed = 0
  for (const suite of selected) {
    console.log(`\n== ${suite.name}: ${suite.about}`)
    try {
      await suite.run({ quick, log: console.log })
    } catch (e) {
      // One broken suite should not hide the others' figures.
      failed++
      console.error(`suite ${suite.name} failed: ${e && e.stack}`)
    }
  }
  if (failed) process.exitCode = 1
}

main(process.argv.slice(2)).catch((e) => {
  console.error(e)
  process.exitCode = 1
})
