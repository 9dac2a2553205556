'use strict'
// Differential test of url(): seeded random option sets, each run through the reference
// (imagekit@6.0.0) and through this package; the URLs (or the errors) must be identical.

const test = require('node:test')
const assert = require('node:assert/strict')

const Reference = require('imagekit-reference')
const Ours = require('..')
const { Random, seedFromEnv, urlOptions, constructorOptions } = require('./support/random.js')
const { outcome, show } = require('./support/outcome.js')

const CASES = 20000
const SEED = seedFromEnv(0x1a2b3c4d)

const nowSecond = () => Math.floor(Date.now() / 1000)

/** Both calls, within one clock second so that `ik-t` (now + expireSeconds) agrees. */
function bothWithinOneSecond(ref, ours, options) {
  for (;;) {
    const before = nowSecond()
    const expected = outcome(() => ref.url(options))
    const actual = outcome(() => ours.url(options))
    if (nowSecond() === before) return { expected, actual }
  }
}

test(`url() equals the reference on ${CASES} seeded option sets (seed ${SEED})`, () => {
  console.log(`url() differential seed: ${SEED} (set IK_SEED to change)`)
  const r = new Random(SEED)
  const mismatches = []
  const tally = { urls: 0, errors: 0, signed: 0, constructorErrors: 0 }
  for (let i = 0; i < CASES; i++) {
    const init = constructorOptions(r)
    const options = urlOptions(r)
    const madeRef = outcome(() => new Reference(init))
    const madeOurs = outcome(() => new Ours(init))
    if (madeRef.threw || madeOurs.threw) {
      tally.constructorErrors++
      if (!madeRef.threw || !madeOurs.threw || JSON.stringify(madeRef.threw) !== JSON.stringify(madeOurs.threw)) {
        mismatches.push({ i, init, options, expected: madeRef, actual: madeOurs })
      }
      continue
    }
    const { expected, actual } = bothWithinOneSecond(madeRef.value, madeOurs.value, options)
    if (expected.threw) tally.errors++
    else tally.urls++
    if (options.signed === true) tally.signed++
    let same
    try {
      assert.deepStrictEqual(actual, expected)
      same = true
    } catch {
      same = false
    }
    if (!same) mismatches.push({ i, init, options, expected, actual })
  }
  console.log(`url() cases: ${JSON.stringify(tally)}, mismatches: ${mismatches.length}`)
  // The generator must reach both outcomes often, or the comparison proves little.
  assert.ok(tally.urls > CASES / 3, `too few URLs built: ${tally.urls}`)
  assert.ok(tally.errors > 100, `too few error cases: ${tally.errors}`)
  assert.ok(tally.signed > 1000, `too few signed cases: ${tally.signed}`)
  const report = mismatches
    .slice(0, 12)
    .map((m) => `#${m.i} init=${show(m.init)}\n  options=${show(m.options)}\n  reference=${show(m.expected)}\n  ours     =${show(m.actual)}`)
    .join('\n')
  assert.equal(mismatches.length, 0, `seed ${SEED}: ${mismatches.length} mismatches, first ones:\n${report}`)
})
