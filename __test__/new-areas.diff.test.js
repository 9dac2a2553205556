'use strict'
// Differential test of the API areas v6 lacks: for every new method, this package and the
// newer official SDK (@imagekit/nodejs 7.11, its equivalent call) send their request to one
// capture server, and method, path, query and JSON body must be equal. Ids that need
// encoding travel as one percent-encoded path segment in both.

const test = require('node:test')
const assert = require('node:assert/strict')

const Ours = require('..')
const { ImageKit: V7 } = require('@imagekit/nodejs')
const { startCapture } = require('./helpers/capture.js')

const PRIVATE_KEY = 'private_new_areas_key'

let capture
let ours
let v7

test.before(async () => {
  capture = await startCapture((request) =>
    request.method === 'DELETE' ? { status: 204, body: '' } : { body: request.url.endsWith('s') ? '[]' : '{}' },
  )
  ours = new Ours({ publicKey: 'public_key', privateKey: PRIVATE_KEY, urlEndpoint: 'https://ik.imagekit.io/demo', apiEndpoint: capture.origin })
  v7 = new V7({ privateKey: PRIVATE_KEY, baseURL: capture.origin, maxRetries: 0 })
})

test.after(() => capture.close())

/** The parts of a captured request both SDKs must agree on. */
function shape(request) {
  const url = new URL(request.url, capture.origin)
  const query = [...url.searchParams].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
  const auth = Buffer.from((request.headers.authorization || '').replace(/^Basic /, ''), 'base64').toString()
  return {
    method: request.method,
    // As sent, not as a URL parser would normalise it.
    path: request.url.split('?')[0],
    query,
    body: request.body.length ? JSON.parse(request.body.toString()) : undefined,
    user: auth.split(':')[0],
  }
}

async function sameRequest(name, callOurs, callV7) {
  capture.take()
  await callOurs()
  const [mine] = capture.take()
  await callV7()
  const [theirs] = capture.take()
  assert.ok(mine && theirs, `${name}: both sent a request`)
  assert.deepEqual(shape(mine), shape(theirs), name)
  return shape(mine)
}

const ODD_IDS = ['6bZ9x2ZUx', 'id with space', 'a/b?c#d', 'ü-é', "x!'()*~"]

const RESOURCES = [
  {
    name: 'SavedExtension',
    v7: () => v7.savedExtensions,
    create: {
      name: 'Fashion Item Categorization',
      description: 'Categorizes clothing',
      config: { name: 'ai-tasks', tasks: [{ type: 'select_tags', instruction: 'Which clothes?', vocabulary: ['shirt', 'dress'], max_selections: 2 }] },
    },
    update: { description: 'New description', config: { name: 'remove-bg', options: { add_shadow: true } } },
  },
  {
    name: 'NamedTransformation',
    v7: () => v7.namedTransformations,
    create: { name: 'small_thumbnail', transformation: 'w-150,h-150,fo-center', enabled: true },
    update: { transformation: 'w-200,h-200', enabled: false },
  },
  {
    name: 'Origin',
    v7: () => v7.accounts.origins,
    create: { type: 'S3', name: 'Product images', bucket: 'products', accessKey: 'AKIA', secretKey: 's3cr3t', prefix: 'raw', includeCanonicalHeader: false },
    update: { type: 'WEB_FOLDER', name: 'Site', baseUrl: 'https://example.com/images', forwardHostHeaderToOrigin: true },
  },
  {
    name: 'UrlEndpoint',
    v7: () => v7.accounts.urlEndpoints,
    create: { description: 'Shop', urlPrefix: 'shop', origins: ['origin1'], urlRewriter: { type: 'CLOUDINARY', preserveAssetDeliveryTypes: true } },
    update: { description: 'Shop, renamed', urlPrefix: 'store', origins: [] },
  },
]

for (const resource of RESOURCES) {
  const plural = resource.name === 'UrlEndpoint' ? 'UrlEndpoints' : `${resource.name}s`
  test(`${resource.name}: list, create, get, update and delete send v7's requests`, async () => {
    const v7Resource = resource.v7()
    const list = await sameRequest(`list${plural}`, () => ours[`list${plural}`](), () => v7Resource.list())
    assert.equal(list.method, 'GET')
    const create = await sameRequest(
      `create${resource.name}`,
      () => ours[`create${resource.name}`](resource.create),
      () => v7Resource.create(resource.create),
    )
    assert.deepEqual(create.body, resource.create)
    for (const id of ODD_IDS) {
      await sameRequest(`get${resource.name}(${id})`, () => ours[`get${resource.name}`](id), () => v7Resource.get(id))
      const update = await sameRequest(
        `update${resource.name}(${id})`,
        () => ours[`update${resource.name}`](id, resource.update),
        () => v7Resource.update(id, resource.update),
      )
      assert.deepEqual(update.body, resource.update)
      const removed = await sameRequest(`delete${resource.name}(${id})`, () => ours[`delete${resource.name}`](id), () => v7Resource.delete(id))
      assert.equal(removed.method, 'DELETE')
      assert.equal(removed.body, undefined)
    }
  })
}

test('renameFolder sends v7 folders.rename', async () => {
  for (const options of [
    { folderPath: '/products/summer', newFolderName: 'summer-2026' },
    { folderPath: '/products/summer', newFolderName: 'summer 2026', purgeCache: true },
  ]) {
    const sent = await sameRequest('renameFolder', () => ours.renameFolder(options), () => v7.folders.rename(options))
    assert.deepEqual(sent.body, options)
    assert.equal(sent.path, '/v1/bulkJobs/renameFolder')
  }
})

test('getUsage and getUsageAnalytics send v7 accounts.usage and accounts.usageAnalytics', async () => {
  const range = { startDate: '2026-11-01', endDate: '2026-12-01' }
  const usage = await sameRequest('getUsage', () => ours.getUsage(range), () => v7.accounts.usage.get(range))
  assert.deepEqual(usage.query, [['endDate', '2026-12-01'], ['startDate', '2026-11-01']])
  await sameRequest('getUsageAnalytics', () => ours.getUsageAnalytics(range), () => v7.accounts.usageAnalytics.get(range))
})

test('callback mode sends the same request as the promise', async () => {
  capture.take()
  await new Promise((resolve, reject) => ours.getNamedTransformation('t1', (error) => (error ? reject(error) : resolve())))
  await ours.getNamedTransformation('t1')
  const [byCallback, byPromise] = capture.take()
  assert.deepEqual(shape(byCallback), shape(byPromise))
})
