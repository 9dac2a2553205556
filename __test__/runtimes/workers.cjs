'use strict'
// The smoke of smoke.cjs three times at once in one process: on the main thread and in two
// worker_threads, each of which loads the addon itself. Every run must succeed, each worker
// must then exit by itself with code 0 (its addon instance torn down while the process and
// the other instances live on), and the process must exit 0 on its own: no process.exit()
// here, so a crash or a hang at teardown shows as such. Same IK_SERVER / IK_MODULE as smoke.cjs.

const { Worker } = require('node:worker_threads')
const path = require('node:path')

const SMOKE = path.join(__dirname, 'smoke.cjs')
const { main, describe } = require(SMOKE)
const WORKER = `
const { parentPort, workerData } = require('node:worker_threads')
const { main, describe } = require(workerData.smoke)
main({ label: workerData.label }).then(
  (summary) => parentPort.postMessage({ summary }),
  (error) => parentPort.postMessage({ error: describe(error) }),
)
`

/** Runs the smoke in a worker; resolves with its summary and exit code once it has exited. */
function inWorker(label) {
  return new Promise((resolve, reject) => {
    const worker = new Worker(WORKER, { eval: true, workerData: { smoke: SMOKE, label } })
    let summary
    let failure
    worker.on('message', (message) => {
      summary = message.summary
      if (message.error) failure = message.error
    })
    worker.on('error', (error) => {
      failure = error
    })
    worker.on('exit', (code) => {
      if (failure) reject(new Error(`${label}: ${describe(failure)}`))
      else if (code !== 0 || !summary) reject(new Error(`${label} exited with code ${code} (summary: ${JSON.stringify(summary)})`))
      else resolve({ ...summary, exitCode: code })
    })
  })
}

async function run() {
  const results = await Promise.allSettled([
    main({ label: 'main-thread' }).catch((error) => {
      throw new Error(`main-thread: ${describe(error)}`)
    }),
    inWorker('worker-1'),
    inWorker('worker-2'),
  ])
  const failures = results.filter((r) => r.status === 'rejected').map((r) => describe(r.reason))
  if (failures.length > 0) {
    console.error(`imagekit smoke in worker_threads failed:\n${failures.join('\n')}`)
    process.exitCode = 1
    return
  }
  console.log(JSON.stringify({ ok: true, runs: results.map((r) => r.value) }))
}

run()
