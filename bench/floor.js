'use strict'
// Where helper.buildSrc's time goes next to v7's, and the floor of a native call: an empty
// call, and a string in and out. Not a suite of `npm run bench` (it compares no targets);
// the figures for a profile of the synchronous methods.
//
//   node bench/floor.js
const path = require('path')
const root = path.join(__dirname, '..')
const IK = require(path.join(root, 'imagekit.js'))
const native = require(path.join(root, 'index.js'))
const V7 = require(path.join(root, 'node_modules/@imagekit/nodejs')).default
const ik = new IK({ publicKey: 'p', privateKey: 'private_key_bench', urlEndpoint: 'https://ik.imagekit.io/bench_id' })
const v7 = new V7({ privateKey: 'private_key_bench' })
const MIX = () => ({
  src: '/products/shoe.jpg', urlEndpoint: 'https://ik.imagekit.io/bench_id',
  transformation: [
    { width: 600, height: 400, crop: 'at_max', aiRemoveBackground: true },
    { overlay: { type: 'text', text: 'Spring Sale', position: { x: 20, y: 20 }, transformation: [{ fontSize: 48, fontColor: 'FFFFFF' }] } },
    { overlay: { type: 'image', input: '/brand/logo.png', position: { focus: 'bottom_right' }, transformation: [{ width: 120 }] } },
    { sharpen: 10, quality: 80 },
  ],
})
function ns(f, n = 300000) { for (let i = 0; i < n / 4; i++) f(); let best = Infinity; for (let r = 0; r < 3; r++) { const t = process.hrtime.bigint(); for (let i = 0; i < n; i++) f(); best = Math.min(best, Number(process.hrtime.bigint() - t) / n) } return best.toFixed(0) }
const field = (s) => String.fromCharCode(s.length) + s
const raw = 'x'.repeat(250)
const big = field('1') + field('1') + field('k' + 'raw') + field('s' + raw)
console.log('floor, 2 UTF-16 units in, empty string out:', ns(() => native.helperTransformation('\u0001-', undefined), 1000000), 'ns')
console.log('floor, 260 units in, 250 characters out:', ns(() => native.helperTransformation(big, undefined), 1000000), 'ns')
console.log('the options object alone (both pay it):', ns(MIX), 'ns')
console.log('v7 buildSrc, whole call:', ns(() => v7.helper.buildSrc(MIX())), 'ns')
console.log('ours, whole call:', ns(() => ik.helper.buildSrc(MIX())), 'ns')
let wire
const real = native.helperBuildSrc
native.helperBuildSrc = (w) => { wire = w; return '' }
console.log('ours, JavaScript half (options read into the wire), no native call:', ns(() => ik.helper.buildSrc(MIX())), 'ns; wire', wire.length, 'UTF-16 units')
native.helperBuildSrc = real
const flat = wire.slice()
console.log('ours, native half alone (that wire):', ns(() => real(flat, undefined, undefined)), 'ns')
