'use strict'
// The generated typings accept code written against imagekit@6.0.0 (and reject its mistakes:
// v6-usage.ts holds @ts-expect-error lines, which fail the check if they stop being errors).

const test = require('node:test')
const assert = require('node:assert/strict')
const { spawnSync } = require('node:child_process')
const path = require('node:path')

test('tsc --noEmit accepts v6-style usage of index.d.ts', () => {
  const tsc = require.resolve('typescript/bin/tsc')
  const project = path.join(__dirname, 'typings', 'tsconfig.json')
  const run = spawnSync(process.execPath, [tsc, '--noEmit', '-p', project], { encoding: 'utf8' })
  assert.equal(run.status, 0, `tsc failed:\n${run.stdout}${run.stderr}`)
})
