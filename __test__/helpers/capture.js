'use strict'
// A loopback HTTP server that records every request (method, raw URL, headers, body bytes) and
// answers each with a fixed JSON document, plus a multipart/form-data parser to compare uploads
// part by part.

const http = require('node:http')

/**
 * Starts a capture server. `respond(request)` may return `{ status, headers, body }` to
 * override the default answer (200, `{"ok":true}`).
 */
async function startCapture(respond = () => undefined) {
  const requests = []
  const waiters = []
  const server = http.createServer((req, res) => {
    const chunks = []
    req.on('data', (c) => chunks.push(c))
    req.on('end', () => {
      const captured = {
        method: req.method,
        url: req.url,
        headers: req.headers,
        body: Buffer.concat(chunks),
      }
      requests.push(captured)
      const answer = respond(captured) || {}
      const body = answer.body === undefined ? '{"ok":true}' : answer.body
      res.writeHead(answer.status || 200, { 'content-type': 'application/json', ...answer.headers })
      res.end(body)
      while (waiters.length && waiters[0].count <= requests.length) waiters.shift().resolve()
    })
  })
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  const origin = `http://127.0.0.1:${server.address().port}`
  return {
    origin,
    requests,
    /** Resolves once `count` requests have arrived in total. */
    waitFor(count) {
      if (requests.length >= count) return Promise.resolve()
      return new Promise((resolve) => {
        waiters.push({ count, resolve })
        waiters.sort((a, b) => a.count - b.count)
      })
    },
    /** Empties the log and returns what it held. */
    take() {
      return requests.splice(0, requests.length)
    },
    close() {
      server.closeAllConnections()
      return new Promise((resolve) => server.close(resolve))
    },
  }
}

/** `name="value"` pairs of a Content-Disposition header (values unquoted, never decoded). */
function dispositionParams(header) {
  const params = {}
  const re = /;\s*([^=;\s]+)="((?:[^"\\]|\\.)*)"/g
  let m
  while ((m = re.exec(header))) params[m[1]] = m[2]
  return { type: header.split(';')[0].trim(), params }
}

/**
 * Parses a multipart/form-data body into `[{ name, filename, contentType, headers, data }]`
 * in order. Throws on a malformed body, so a broken encoder fails the test.
 */
function parseMultipart(contentType, body) {
  const match = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType || '')
  if (!match) throw new Error(`no boundary in content-type ${contentType}`)
  const boundary = Buffer.from(`--${match[1] || match[2]}`)
  const parts = []
  let at = body.indexOf(boundary)
  if (at !== 0) throw new Error('multipart body does not start with the boundary')
  for (;;) {
    at += boundary.length
    if (body.subarray(at, at + 2).toString() === '--') break
    if (body.subarray(at, at + 2).toString() !== '\r\n') throw new Error('no CRLF after boundary')
    at += 2
    const headerEnd = body.indexOf('\r\n\r\n', at)
    if (headerEnd < 0) throw new Error('part headers never end')
    const headers = {}
    for (const line of body.subarray(at, headerEnd).toString('utf8').split('\r\n')) {
      const colon = line.indexOf(':')
      headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim()
    }
    const next = body.indexOf(Buffer.concat([Buffer.from('\r\n'), boundary]), headerEnd + 4)
    if (next < 0) throw new Error('part never ends')
    const disposition = dispositionParams(headers['content-disposition'] || '')
    parts.push({
      name: disposition.params.name,
      filename: disposition.params.filename,
      contentType: headers['content-type'],
      headers,
      data: body.subarray(headerEnd + 4, next),
    })
    at = next + 2
  }
  return parts
}

module.exports = { startCapture, parseMultipart }
