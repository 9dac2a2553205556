'use strict'
// What the benchmark suites share: the local server they run against, their tables, and the
// entry of a suite run on its own (whose large cases run in child processes of the same file).

const { spawn, execFileSync } = require('node:child_process')
const path = require('node:path')
const readline = require('node:readline')

const root = path.join(__dirname, '..')

/**
 * Builds the release binaries (`packages`: the local server and any other) and starts the
 * server on a free port, in memory: its endpoints and keys, with `reset()` (everything it
 * holds deleted) and `stop()`. `IMAGEKIT_BENCH_SERVER=<path>` runs that server binary instead
 * of the one built here (to compare two builds of the server under the same clients).
 */
async function startServer(packages = ['imagekit-local-server']) {
  const given = process.env.IMAGEKIT_BENCH_SERVER
  const build = given ? packages.filter((p) => p !== 'imagekit-local-server') : packages
  if (build.length) {
    execFileSync('cargo', ['build', '--release', '--quiet', ...build.flatMap((p) => ['-p', p])], { cwd: root, stdio: 'inherit' })
  }
  const binary = given ? path.resolve(given) : path.join(root, 'target', 'release', 'imagekit-local-server')
  const child = spawn(binary, ['--port', '0', '--exit-on-stdin-close'], { stdio: ['pipe', 'pipe', 'inherit'] })
  const lines = readline.createInterface({ input: child.stdout })[Symbol.asyncIterator]()
  const first = await lines.next()
  if (first.done) throw new Error('the local server exited before printing its endpoints')
  child.stdout.resume()
  const server = JSON.parse(first.value)
  const origin = new URL(server.apiEndpoint).origin
  server.reset = async () => {
    const response = await fetch(`${origin}/__admin/reset`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })
    if (!response.ok) throw new Error(`reset: ${response.status}`)
  }
  server.stop = () =>
    new Promise((resolve) => {
      child.once('exit', resolve)
      child.stdin.end()
    })
  return server
}

/** Logs `rows` (arrays of cells) under `header`, in aligned columns. */
function printTable(log, header, rows) {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => String(row[i]).length)))
  const line = (cells) => cells.map((c, i) => String(c).padEnd(widths[i])).join(' | ')
  log(line(header))
  log(widths.map((w) => '-'.repeat(w)).join('-|-'))
  for (const row of rows) log(line(row))
}

/**
 * A suite's file run as a script: `--child ...` runs `child(args)` (a measured case in a process
 * of its own), anything else `run({ quick })`. A failure exits 1.
 */
function suiteMain(module, run, child) {
  if (require.main !== module) return
  const args = process.argv.slice(2)
  const work = args[0] === '--child' ? child(args.slice(1)) : run({ quick: args.includes('--quick') })
  Promise.resolve(work).catch((e) => {
    console.error(e)
    process.exit(1)
  })
}

module.exports = { startServer, printTable, suiteMain }
