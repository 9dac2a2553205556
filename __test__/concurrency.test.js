'use strict'
// 1,000 calls in flight at once (uploads, getFileDetails, listFiles, in promise and callback
// style) against the local server: every one settles, with the right result.

const test = require('node:test')
const assert = require('node:assert/strict')

const ImageKit = require('..')
const { useServer } = require('./helpers/server.js')
const { png } = require('./helpers/images.js')

const server = useServer()

test('1,000 concurrent calls all complete correctly', async () => {
  const ik = new ImageKit(server().options)
  const seeds = []
  for (let i = 0; i < 10; i++) seeds.push(await ik.upload({ file: png(8, 8), fileName: `seed-${i}.png`, folder: '/concurrency', useUniqueFileName: false }))

  const started = Date.now()
  const calls = []
  for (let i = 0; i < 1000; i++) {
    const kind = i % 10
    if (kind < 3) {
      const name = `c-${i}.png`
      const image = png(4 + (i % 5), 4)
      calls.push(
        ik.upload({ file: image, fileName: name, folder: '/concurrency/uploads', useUniqueFileName: false, tags: [`n${i}`] }).then((r) => {
          assert.equal(r.name, name)
          assert.equal(r.size, image.length)
          assert.equal(r.width, 4 + (i % 5))
          return 'upload'
        }),
      )
    } else if (kind < 7) {
      const seed = seeds[i % seeds.length]
      const check = (r) => {
        assert.equal(r.fileId, seed.fileId)
        assert.equal(r.name, seed.name)
        assert.equal(r.$ResponseMetadata.statusCode, 200)
        return 'details'
      }
      calls.push(
        kind === 6
          ? new Promise((resolve, reject) => {
              ik.getFileDetails(seed.fileId, (error, r) => (error ? reject(error) : resolve(check(r))))
            })
          : ik.getFileDetails(seed.fileId).then(check),
      )
    } else {
      calls.push(
        ik.listFiles({ path: '/concurrency', fileType: 'image', limit: 5 }).then((r) => {
          assert.ok(Array.isArray(r))
          assert.ok(r.length >= 1 && r.length <= 5)
          return 'list'
        }),
      )
    }
  }
  const outcomes = await Promise.allSettled(calls)
  const elapsed = Date.now() - started
  const failures = outcomes.filter((o) => o.status === 'rejected')
  assert.equal(failures.length, 0, `failures: ${failures.slice(0, 3).map((f) => require('node:util').inspect(f.reason)).join('\n')}`)
  const counts = {}
  for (const o of outcomes) counts[o.value] = (counts[o.value] || 0) + 1
  assert.deepEqual(counts, { upload: 300, details: 400, list: 300 })
  console.log(`1000 concurrent calls settled in ${elapsed} ms`)

  // Every upload was stored once.
  const stored = await ik.listFiles({ path: '/concurrency/uploads', limit: 1000 })
  assert.equal(stored.length, 300)
})
