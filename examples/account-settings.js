'use strict'
// The API areas v6 lacks, against the local ImageKit server (server/ crate, started here on a
// free port): a named transformation used in a URL, a folder renamed by a bulk job, an origin
// and a URL endpoint that uses it, a saved extension, and today's usage.
//
//   cargo build --release -p imagekit-local-server && npm run build && node examples/account-settings.js

const assert = require('node:assert/strict')

const ImageKit = require('..')
const { startServer } = require('../__test__/helpers/server.js')
const { jpeg, dimensions } = require('../__test__/helpers/images.js')

async function waitForJob(imagekit, jobId) {
  for (;;) {
    const job = await imagekit.getBulkJobStatus(jobId)
    if (job.status === 'Completed') return job
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

async function main({ log = console.log } = {}) {
  const server = await startServer({ args: ['--job-delay-ms', '20'] })
  try {
    const imagekit = new ImageKit(server.options)
    const uploaded = await imagekit.upload({ file: jpeg(64, 48), fileName: 'settings.jpg', folder: '/drafts', useUniqueFileName: false })
    log(`uploaded ${uploaded.filePath}`)

    const thumb = await imagekit.createNamedTransformation({ name: 'thumb', transformation: 'w-16,h-12' })
    const url = imagekit.url({ path: uploaded.filePath, transformation: [{ raw: 'n-thumb' }] })
    const response = await fetch(url)
    const size = dimensions(Buffer.from(await response.arrayBuffer()))
    assert.deepEqual([size.width, size.height], [16, 12])
    log(`named transformation ${thumb.name} (${thumb.transformation}): ${url} is ${size.width}x${size.height}`)

    const job = await imagekit.renameFolder({ folderPath: '/drafts', newFolderName: 'published' })
    await waitForJob(imagekit, job.jobId)
    const moved = await imagekit.listFiles({ path: '/published' })
    assert.deepEqual(moved.map((file) => file.filePath), ['/published/settings.jpg'])
    log(`renameFolder job ${job.jobId}: /drafts is now /published`)

    const origin = await imagekit.createOrigin({ type: 'WEB_FOLDER', name: 'Legacy site', baseUrl: 'https://example.com/images' })
    const endpoint = await imagekit.createUrlEndpoint({ description: 'Legacy', urlPrefix: 'legacy', origins: [origin.id] })
    log(`origin ${origin.id} (${origin.type}) behind URL endpoint /${endpoint.urlPrefix}`)

    const saved = await imagekit.createSavedExtension({
      name: 'Clothing tags',
      description: 'Tags clothing items',
      config: { name: 'ai-tasks', tasks: [{ type: 'select_tags', instruction: 'Which clothing items are visible?', vocabulary: ['shirt', 'dress', 'shoes'] }] },
    })
    log(`saved extension ${saved.id}: ${(await imagekit.listSavedExtensions()).length} saved`)

    const day = new Date().toISOString().slice(0, 10)
    const next = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10)
    const usage = await imagekit.getUsage({ startDate: day, endDate: next })
    assert.ok(usage.bandwidthBytes > 0)
    log(`usage today: ${usage.mediaLibraryStorageBytes} bytes stored, ${usage.bandwidthBytes} bytes delivered`)

    try {
      await imagekit.getOrigin('')
    } catch (error) {
      log(`a missing id: ${error.message}`)
    }
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
