'use strict'
// Every upload the local server refuses early is answered, and the client reads the answer:
// the server reads (and drops) what the client is still sending instead of closing on it, which
// would make the kernel reset the connection and the client see `fetch failed`. Each refusal is
// sent as Node's fetch sends a FormData body (streamed, chunked: no Content-Length) and as the
// same bytes with a Content-Length, and each must come back as ImageKit's JSON error.

const test = require('node:test')
const assert = require('node:assert/strict')
const crypto = require('node:crypto')

const { useServer } = require('./helpers/server.js')

const MAX_UPLOAD = 1 << 20
const server = useServer({ args: ['--max-upload-bytes', String(MAX_UPLOAD)] })

function basic(key) {
  return 'Basic ' + Buffer.from(`${key}:`).toString('base64')
}

/** The two ways a body goes out: streamed (chunked), and whole with its Content-Length. */
async function sendBoth(url, { form, headers = {} }) {
  const answers = {}
  const streamed = form()
  answers.chunked = await send(url, { method: 'POST', headers, body: streamed, duplex: 'half' })
  const whole = new Response(form())
  const bytes = Buffer.from(await whole.arrayBuffer())
  answers.length = await send(url, {
    method: 'POST',
    headers: { ...headers, 'content-type': whole.headers.get('content-type') },
    body: bytes,
  })
  return answers
}

async function send(url, init) {
  try {
    const response = await fetch(url, init)
    return { status: response.status, body: await response.json() }
  } catch (error) {
    // What the reset looked like before: the answer lost.
    return { status: 'fetch failed', body: String(error.cause || error) }
  }
}

function assertRefused(answers, status, message) {
  for (const [how, answer] of Object.entries(answers)) {
    assert.equal(answer.status, status, `${how}: ${JSON.stringify(answer.body)}`)
    assert.match(answer.body.message, message, how)
    assert.equal(answer.body.help, 'For support kindly contact us at support@imagekit.io .', how)
  }
}

function bigFile(bytes) {
  return new Blob([crypto.randomBytes(bytes)])
}

test('too many form fields: 400 after the 256th, the rest (200,000 fields) read and dropped', async () => {
  const { uploadEndpoint, privateKey } = server()
  const answers = await sendBoth(uploadEndpoint, {
    headers: { authorization: basic(privateKey) },
    form: () => {
      const form = new FormData()
      form.append('fileName', 'fields.txt')
      for (let i = 0; i < 200_000; i++) form.append(`field${i}`, 'x')
      form.append('file', new Blob(['hello']), 'fields.txt')
      return form
    },
  })
  assertRefused(answers, 400, /Too many form fields/)
})

test('a file over --max-upload-bytes: 413 while the client still sends the rest', async () => {
  const { uploadEndpoint, privateKey } = server()
  const answers = await sendBoth(uploadEndpoint, {
    headers: { authorization: basic(privateKey) },
    form: () => {
      const form = new FormData()
      form.append('fileName', 'big.bin')
      form.append('file', bigFile(24 * MAX_UPLOAD), 'big.bin')
      return form
    },
  })
  assertRefused(answers, 413, /larger than the 1048576 bytes/)
})

test('form fields over 8 MiB together: 413, the rest drained', async () => {
  const { uploadEndpoint, privateKey } = server()
  const answers = await sendBoth(uploadEndpoint, {
    headers: { authorization: basic(privateKey) },
    form: () => {
      const form = new FormData()
      form.append('fileName', 'notes.txt')
      // Each text field may hold 1 MiB; together they may hold 8.
      for (let i = 0; i < 12; i++) form.append(`note${i}`, 'x'.repeat(1000 << 10))
      form.append('file', new Blob(['notes']), 'notes.txt')
      return form
    },
  })
  assertRefused(answers, 413, /form fields hold more than the 8388608 bytes/)
})

test('a wrong private key: 403 before the body is read, then the body is drained', async () => {
  const { uploadEndpoint } = server()
  const answers = await sendBoth(uploadEndpoint, {
    headers: { authorization: basic('not_the_key') },
    form: () => {
      const form = new FormData()
      form.append('fileName', 'denied.bin')
      form.append('file', bigFile(16 << 20), 'denied.bin')
      return form
    },
  })
  assertRefused(answers, 403, /cannot be authenticated/)
})

test('a wrong client-side signature: 400 once the fields are read, the file drained', async () => {
  const { uploadEndpoint, publicKey } = server()
  let token = 0
  const answers = await sendBoth(uploadEndpoint, {
    form: () => {
      const form = new FormData()
      form.append('publicKey', publicKey)
      form.append('signature', 'f'.repeat(40))
      form.append('expire', String(Math.floor(Date.now() / 1000) + 600))
      form.append('token', `refusal-token-${token++}`)
      form.append('fileName', 'signed.bin')
      form.append('file', bigFile(MAX_UPLOAD / 2), 'signed.bin')
      // What follows the refusal: the client is still sending.
      for (let i = 0; i < 64; i++) form.append(`after${i}`, 'y'.repeat(64 << 10))
      return form
    },
  })
  assertRefused(answers, 400, /Invalid signature/)
})

test('over the rate limit: 429 with its headers, the body drained', async (t) => {
  const s = server()
  await s.setRateLimit(1, 60_000)
  t.after(() => s.clearRateLimit())
  const first = await fetch(`${s.apiEndpoint}/v1/files?limit=1`, { headers: { authorization: basic(s.privateKey) } })
  assert.equal(first.status, 200)
  await first.arrayBuffer()
  const answers = await sendBoth(s.uploadEndpoint, {
    headers: { authorization: basic(s.privateKey) },
    form: () => {
      const form = new FormData()
      form.append('fileName', 'limited.bin')
      form.append('file', bigFile(MAX_UPLOAD / 2), 'limited.bin')
      return form
    },
  })
  assertRefused(answers, 429, /Too many requests/)
})

test('after a refusal the server still serves: a good upload on the same server succeeds', async () => {
  const { uploadEndpoint, privateKey } = server()
  const form = new FormData()
  form.append('fileName', 'fine.txt')
  form.append('useUniqueFileName', 'false')
  form.append('file', new Blob(['fine']), 'fine.txt')
  const response = await fetch(uploadEndpoint, { method: 'POST', headers: { authorization: basic(privateKey) }, body: form })
  assert.equal(response.status, 200)
  assert.equal((await response.json()).name, 'fine.txt')
})
