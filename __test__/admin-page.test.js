'use strict'
// The local server's admin page (GET /__admin/) in a real browser: headless Chromium (Debian's
// `chromium` package, installed here with apt-get when missing; `--no-sandbox`, as CI runs as
// root) driven by playwright-core. An uploaded image's thumbnail must load through the server's
// own delivery, the request log must show the upload (its times on one line, without the page's
// own requests or a favicon), the root folder must say what it holds, each folder and file must
// have a link of its own that survives a reload, and no key, Authorization header or signature
// may appear anywhere on the page. A screenshot is saved in the test's temporary folder.

const test = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const { execFileSync } = require('node:child_process')

const ImageKit = require('..')
const { useServer } = require('./helpers/server.js')
const { png } = require('./helpers/images.js')

const CANDIDATES = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'].filter(Boolean)

/** The Chromium executable, installing Debian's package when it is missing and we may. */
function chromiumPath() {
  const found = () => CANDIDATES.find((p) => fs.existsSync(p))
  if (found()) return { path: found() }
  const root = typeof process.getuid === 'function' && process.getuid() === 0
  const aptGet = ['/usr/bin/apt-get', '/bin/apt-get'].find((p) => fs.existsSync(p))
  if (!root || !aptGet) {
    return { missing: `no Chromium at ${CANDIDATES.join(', ')}, and apt-get is ${aptGet ? 'not ours to run (not root)' : 'absent'}` }
  }
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }
  const apt = (args) => execFileSync(aptGet, args, { env, stdio: ['ignore', 'ignore', 'pipe'], timeout: 600_000 })
  try {
    apt(['install', '-y', '--no-install-recommends', 'chromium'])
  } catch {
    apt(['update'])
    apt(['install', '-y', '--no-install-recommends', 'chromium'])
  }
  return found() ? { path: found() } : { missing: 'apt-get installed chromium, yet no executable was found' }
}

const chromium = chromiumPath()
// Where a browser cannot be had, say so; in CI that is a failure, not a skip.
const skip = chromium.missing && !process.env.CI ? chromium.missing : false

const server = useServer()

test('the admin page shows the library, thumbnails and requests, and no secret', { skip, timeout: 120_000 }, async (t) => {
  assert.ok(chromium.path, chromium.missing)
  const ik = new ImageKit(server().options)
  const uploaded = await ik.upload({ file: png(120, 80), fileName: 'shown.png', folder: '/gallery', useUniqueFileName: false, tags: ['admin-page'] })
  await ik.upload({ file: png(60, 40), fileName: 'shown.png', folder: '/gallery', useUniqueFileName: false })
  // A client-side upload, as a browser sends it: its signature must not reach the page.
  const auth = ik.getAuthenticationParameters()
  const form = new FormData()
  for (const [key, value] of Object.entries({ file: 'aGVsbG8=', fileName: 'notes.txt', folder: '/gallery', publicKey: server().publicKey, ...auth })) {
    form.append(key, String(value))
  }
  const clientSide = await fetch(server().uploadEndpoint, { method: 'POST', body: form })
  assert.equal(clientSide.status, 200, await clientSide.clone().text())
  // A signed delivery URL: its ik-s must not reach the page either.
  const signedUrl = ik.url({ path: uploaded.filePath, signed: true, transformation: [{ width: 50 }] })
  const signature = new URL(signedUrl).searchParams.get('ik-s')
  assert.equal((await fetch(signedUrl)).status, 200)
  await ik.createCustomMetadataField({ name: 'shownField', label: 'Shown field', schema: { type: 'Text' } })
  await server().setFaults([{ method: 'GET', path: '/v1/never-called/*', status: 503 }])
  await server().setRateLimit(1000, 60_000)
  // A webhook endpoint nobody listens on (its query's token must not reach the page), and a
  // delivery to it.
  const { closedPort } = require('./helpers/server.js')
  await server().admin('POST', 'webhooks', [`http://127.0.0.1:${await closedPort()}/hook?token=hook-token-1234=file.created`])
  await ik.upload({ file: png(10, 10), fileName: 'hooked.png', folder: '/hooked' })

  const { chromium: launcher } = require('playwright-core')
  const browser = await launcher.launch({
    executablePath: chromium.path,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking'],
  })
  t.after(() => browser.close())
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } })
  const failures = []
  page.on('pageerror', (e) => failures.push(e.message))

  await page.goto(`${server().origin}/__admin/`)
  await page.waitForSelector('body[data-ready="true"]')
  // The root holds no file itself: it says where they are, and each folder how many it holds.
  const root = await (await fetch(`${server().origin}/__admin/library?folder=/`)).json()
  assert.equal(root.files.length, 0)
  const inGallery = root.folders.find((f) => f.path === '/gallery/').files
  assert.ok(inGallery >= 2, `files in /gallery/: ${inGallery}`)
  assert.match(await page.textContent('#folders'), new RegExp(`gallery/\\s*${inGallery} files`))
  const where = root.folders.length === 1 ? 'folder' : `${root.folders.length} folders`
  assert.match(await page.textContent('#files'), new RegExp(`No files directly in this folder: ${root.filesBelow} in the ${where} above`))
  await page.click('a.folder:text("gallery/")')
  await page.waitForFunction(() => location.hash === '#folder=%2Fgallery%2F')
  const thumb = `img.thumb[data-file-id="${uploaded.fileId}"]`
  await page.waitForSelector(thumb)
  const naturalWidth = await page.waitForFunction((selector) => {
    const img = document.querySelector(selector)
    return img && img.complete && img.naturalWidth > 0 && img.naturalWidth
  }, thumb)
  assert.ok((await naturalWidth.jsonValue()) > 0, 'the thumbnail loaded')
  const thumbSrc = await page.getAttribute(thumb, 'src')
  assert.ok(thumbSrc.startsWith(`${server().urlEndpoint}/tr:`), thumbSrc)

  // The file's details and both versions.
  await page.click(`.card[data-file-id="${uploaded.fileId}"]`)
  await page.waitForSelector('#details tr.version')
  assert.equal(await page.locator('#details tr.version').count(), 2)
  assert.match(await page.textContent('#details'), new RegExp(uploaded.fileId))

  // The file has a link of its own: a reload (or a new tab) opens the folder and the file again.
  const deepLink = page.url()
  assert.equal(new URL(deepLink).hash, `#folder=%2Fgallery%2F&file=${uploaded.fileId}`)
  await page.reload()
  await page.waitForSelector(`.card.selected[data-file-id="${uploaded.fileId}"]`)
  await page.waitForSelector('#details tr.version')
  assert.match(await page.textContent('#details'), new RegExp(uploaded.fileId))
  const other = await browser.newPage({ viewport: { width: 1280, height: 900 } })
  await other.goto(`${server().origin}/__admin/#folder=%2Fgallery%2F`)
  await other.waitForSelector(thumb)
  assert.equal(await other.locator('#details tr.version').count(), 0, 'a folder link opens no file')
  await other.goBack().catch(() => {})
  await other.close()

  // The request log shows the upload (it refreshes every 2 s).
  await page.waitForFunction(() => [...document.querySelectorAll('#log tr.request')].some((row) =>
    /POST/.test(row.textContent) && /\/api\/v1\/files\/upload/.test(row.textContent) && /200/.test(row.textContent)))
  const log = await page.textContent('#log')
  assert.match(log, /ik-s=…/, 'the signed URL is logged with its signature replaced')
  // Readable at a glance: each time on one line; the page's own requests and no favicon logged.
  const times = await page.evaluate(() => [...document.querySelectorAll('#log td.time')].map((cell) => {
    const range = document.createRange()
    range.selectNodeContents(cell)
    return { text: cell.textContent, lines: range.getClientRects().length }
  }))
  assert.ok(times.length > 0)
  for (const time of times) {
    assert.match(time.text, /^\d\d:\d\d:\d\d\.\d\d\d$/)
    assert.equal(time.lines, 1, `the time ${time.text} wraps`)
  }
  assert.doesNotMatch(log, /favicon/, 'the browser asked for a favicon and it was logged')
  assert.doesNotMatch(log, /__admin/, "the page's own requests are logged")
  assert.match(await page.textContent('#fields'), /shownField/)
  assert.match(await page.textContent('#faults'), /\/v1\/never-called\/\*/)
  assert.match(await page.textContent('#rate'), /1000 requests per 60000 ms/)
  await page.waitForSelector('#hooks tr.delivery')
  assert.match(await page.textContent('#hooks'), /file\.created/)
  assert.match(await page.textContent('#hook-endpoints'), /\/hook \(file\.created\)/)

  // No secret anywhere: not in the text, not in the markup.
  const everything = (await page.content()) + (await page.evaluate(() => document.body.innerText))
  const basic = Buffer.from(`${server().privateKey}:`).toString('base64')
  for (const [what, secret] of [['private key', server().privateKey], ['Authorization value', basic], ['upload signature', auth.signature], ['URL signature', signature], ['webhook secret', server().webhookSecret], ['webhook URL token', 'hook-token-1234']]) {
    assert.equal(everything.includes(secret), false, `the page shows the ${what}`)
  }
  assert.equal(/authorization/i.test(everything), false, 'the page shows an Authorization header')
  assert.deepEqual(failures, [], 'the page ran without errors')

  const shot = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'imagekit-admin-page-')), 'admin-page.png')
  await page.screenshot({ path: shot, fullPage: true })
  assert.ok(fs.statSync(shot).size > 10_000, 'a screenshot with content')
  t.diagnostic(`screenshot: ${shot}`)
  console.log(`admin page screenshot: ${shot}`)
})
