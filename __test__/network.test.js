'use strict'
// TLS, proxies and redirects as Node has them: a server whose CA is not trusted fails with a
// TLS code, and succeeds once NODE_EXTRA_CA_CERTS names that CA; HTTP_PROXY, HTTPS_PROXY
// (through a CONNECT tunnel) and NO_PROXY are honoured; a redirect to another origin carries
// neither the credentials nor a Referer. Each case runs in its own process, as the
// certificates and the proxy variables are read once per process. The CA and the server's
// certificate are made by the test (openssl).

const test = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const http = require('node:http')
const https = require('node:https')
const net = require('node:net')
const { execFileSync } = require('node:child_process')
const { runScript } = require('./helpers/child')

const ENTRY = path.join(__dirname, '..', 'imagekit.js')

/** A CA, and a certificate for 127.0.0.1 signed by it, in a fresh directory. */
function makeCertificates() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ik-tls-'))
  const file = (name) => path.join(dir, name)
  const openssl = (...args) => execFileSync('openssl', args, { stdio: 'pipe' })
  openssl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', file('ca.key'), '-out', file('ca.crt'), '-subj', '/CN=imagekit test CA', '-days', '2')
  openssl('req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', file('server.key'), '-out', file('server.csr'), '-subj', '/CN=127.0.0.1')
  fs.writeFileSync(file('san.ext'), 'subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature\nextendedKeyUsage=serverAuth\n')
  openssl('x509', '-req', '-in', file('server.csr'), '-CA', file('ca.crt'), '-CAkey', file('ca.key'), '-CAcreateserial', '-out', file('server.crt'), '-days', '2', '-extfile', file('san.ext'))
  return { dir, ca: file('ca.crt'), key: fs.readFileSync(file('server.key')), cert: fs.readFileSync(file('server.crt')) }
}

/** A server answering `{"ok":true}` and recording each request's headers. */
async function listen(server) {
  const seen = []
  server.on('request', (req, res) => {
    seen.push({ method: req.method, url: req.url, headers: req.headers })
    req.resume()
    res.setHeader('content-type', 'application/json')
    res.end('{"ok":true}')
  })
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  return { port: server.address().port, seen, close: () => new Promise((resolve) => server.close(resolve)) }
}

/** A forward proxy: absolute-form HTTP requests and CONNECT tunnels, both recorded. */
async function startProxy() {
  const seen = []
  const server = http.createServer((req, res) => {
    seen.push({ kind: 'http', url: req.url })
    const target = new URL(req.url)
    const forward = http.request({ host: target.hostname, port: target.port, path: target.pathname + target.search, method: req.method, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode, answer.headers)
      answer.pipe(res)
    })
    req.pipe(forward)
  })
  server.on('connect', (req, socket, head) => {
    seen.push({ kind: 'connect', url: req.url })
    const [host, port] = req.url.split(':')
    const upstream = net.connect(Number(port), host, () => {
      socket.write('HTTP/1.1 200 Connection Established\r\n\r\n')
      upstream.write(head)
      upstream.pipe(socket)
      socket.pipe(upstream)
    })
    upstream.on('error', () => socket.destroy())
    socket.on('error', () => upstream.destroy())
  })
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  return { url: `http://127.0.0.1:${server.address().port}`, seen, close: () => new Promise((resolve) => server.close(resolve)) }
}

/** Calls getFileDetails against `origin` in a fresh process; prints the outcome as JSON. */
function call(origin, env) {
  const script = `
    const ImageKit = require(${JSON.stringify(ENTRY)})
    const ik = new ImageKit({ publicKey: 'p', privateKey: 'private_key', urlEndpoint: 'https://ik.imagekit.io/demo', apiEndpoint: ${JSON.stringify(origin)}, timeout: 10000 })
    ik.getFileDetails('f1').then(
      (value) => console.log(JSON.stringify({ ok: true, value })),
      (e) => console.log(JSON.stringify({ ok: false, isError: e instanceof Error, code: e.code, message: e.message })))
  `
  // Only the variables each case sets: none inherited from the machine.
  const clean = { NODE_EXTRA_CA_CERTS: '', HTTP_PROXY: '', HTTPS_PROXY: '', NO_PROXY: '', http_proxy: '', https_proxy: '', no_proxy: '', ALL_PROXY: '', all_proxy: '' }
  return runScript(script, { ...clean, ...env }).then((child) => {
    assert.equal(child.status, 0, child.stderr)
    return JSON.parse(child.stdout)
  })
}

test('TLS trusts NODE_EXTRA_CA_CERTS as Node does, and names an untrusted certificate', async (t) => {
  const certificates = makeCertificates()
  t.after(() => fs.rmSync(certificates.dir, { recursive: true, force: true }))
  const server = await listen(https.createServer({ key: certificates.key, cert: certificates.cert }))
  t.after(() => server.close())
  const origin = `https://127.0.0.1:${server.port}`

  const untrusted = await call(origin, {})
  assert.equal(untrusted.ok, false)
  assert.equal(untrusted.isError, true)
  assert.equal(untrusted.code, 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', untrusted.message)

  const trusted = await call(origin, { NODE_EXTRA_CA_CERTS: certificates.ca })
  assert.deepEqual(trusted, { ok: true, value: { ok: true } })
  assert.equal(server.seen.length, 1)

  // A file that cannot be read: as with Node, the calls go on without it.
  const missing = await call(origin, { NODE_EXTRA_CA_CERTS: path.join(certificates.dir, 'missing.pem') })
  assert.equal(missing.code, 'UNABLE_TO_VERIFY_LEAF_SIGNATURE')
})

test('HTTP_PROXY, HTTPS_PROXY (a CONNECT tunnel) and NO_PROXY are honoured', async (t) => {
  const certificates = makeCertificates()
  t.after(() => fs.rmSync(certificates.dir, { recursive: true, force: true }))
  const secure = await listen(https.createServer({ key: certificates.key, cert: certificates.cert }))
  const plain = await listen(http.createServer())
  const proxy = await startProxy()
  t.after(() => Promise.all([secure.close(), plain.close(), proxy.close()]))

  const viaHttp = await call(`http://127.0.0.1:${plain.port}`, { HTTP_PROXY: proxy.url })
  assert.deepEqual(viaHttp, { ok: true, value: { ok: true } })
  assert.deepEqual(proxy.seen.splice(0), [{ kind: 'http', url: `http://127.0.0.1:${plain.port}/v1/files/f1/details` }])
  assert.equal(plain.seen.at(-1).headers.authorization, `Basic ${Buffer.from('private_key:').toString('base64')}`)

  const viaTunnel = await call(`https://127.0.0.1:${secure.port}`, { HTTPS_PROXY: proxy.url, NODE_EXTRA_CA_CERTS: certificates.ca })
  assert.deepEqual(viaTunnel, { ok: true, value: { ok: true } })
  assert.deepEqual(proxy.seen.splice(0), [{ kind: 'connect', url: `127.0.0.1:${secure.port}` }])

  const direct = await call(`http://127.0.0.1:${plain.port}`, { HTTP_PROXY: proxy.url, NO_PROXY: '127.0.0.1' })
  assert.deepEqual(direct, { ok: true, value: { ok: true } })
  assert.deepEqual(proxy.seen, [], 'NO_PROXY bypasses the proxy')
})

test('a redirect to another origin carries neither the credentials nor a Referer', async (t) => {
  const target = await listen(http.createServer())
  const redirecting = http.createServer((req, res) => {
    if (req.url.startsWith('/v1/files/f1')) {
      res.writeHead(302, { location: `http://127.0.0.1:${target.port}/elsewhere` })
      return res.end()
    }
    res.end('{}')
  })
  await new Promise((resolve) => redirecting.listen(0, '127.0.0.1', resolve))
  t.after(() => Promise.all([target.close(), new Promise((resolve) => redirecting.close(resolve))]))
  const outcome = await call(`http://127.0.0.1:${redirecting.address().port}`, {})
  assert.deepEqual(outcome, { ok: true, value: { ok: true } })
  assert.equal(target.seen.length, 1)
  assert.equal(target.seen[0].url, '/elsewhere')
  assert.equal(target.seen[0].headers.authorization, undefined)
  assert.equal(target.seen[0].headers.referer, undefined)
})
