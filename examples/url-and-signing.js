'use strict'
// URL building and signing, offline: plain, chained and signed URLs, client-upload
// authentication parameters, pHash distance and webhook verification.
//
//   npm run build && node examples/url-and-signing.js

const crypto = require('node:crypto')
const ImageKit = require('..')

function main({ log = console.log } = {}) {
  const imagekit = new ImageKit({
    publicKey: 'public_key_example',
    privateKey: 'private_key_example',
    urlEndpoint: 'https://ik.imagekit.io/your_imagekit_id',
  })

  log('plain:   ', imagekit.url({ path: '/default-image.jpg' }))
  log('chained: ', imagekit.url({
    path: '/default-image.jpg',
    transformation: [{ height: 300, width: 400 }, { rotation: 90, effectGray: '-' }, { raw: 'l-text,i-Hello,fs-40,l-end' }],
  }))
  log('query:   ', imagekit.url({
    src: 'https://ik.imagekit.io/your_imagekit_id/default-image.jpg',
    transformation: [{ width: 300, format: 'webp' }],
    queryParameters: { v: '2' },
  }))
  log('signed:  ', imagekit.url({ path: '/private/report.png', signed: true }))
  log('expiring:', imagekit.url({ path: '/private/report.png', signed: true, expireSeconds: 300 }))

  log('auth:    ', imagekit.getAuthenticationParameters())
  log('auth:    ', imagekit.getAuthenticationParameters('my-token', 1700000000))

  log('pHash distance:', imagekit.pHashDistance('f06830ca9f1e3e90', 'f06830ca9f1e3e91'))
  const invalid = imagekit.pHashDistance('f06830ca9f1e3e90', 'not hex')
  log('pHash error (returned, not thrown):', invalid.message)

  // A webhook as ImageKit sends it: x-ik-signature is t=<ms>,v1=HMAC-SHA256(secret, `${t}.${body}`).
  const secret = 'whsec_example'
  const body = JSON.stringify({ type: 'video.transformation.accepted', id: 'evt_1', created_at: new Date(0).toISOString(), data: {} })
  const t = Date.now()
  const header = `t=${t},v1=${crypto.createHmac('sha256', secret).update(`${t}.${body}`).digest('hex')}`
  const { timestamp, event } = imagekit.verifyWebhookEvent(Buffer.from(body), header, secret)
  log('webhook: ', timestamp === t, event.type)
  try {
    imagekit.verifyWebhookEvent(body.replace('accepted', 'ready'), header, secret)
  } catch (e) {
    log('tampered webhook rejected:', e.message)
  }
}

module.exports = { main }

if (require.main === module) main()
