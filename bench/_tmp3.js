const IK = require('../imagekit.js')
const ik = new IK({ publicKey: 'p', privateKey: 'private_key_test', urlEndpoint: 'https://ik.imagekit.io/bench_id' })
const OVERLAY_MIX = () => ({
  src: '/products/shoe.jpg',
  urlEndpoint: 'https://ik.imagekit.io/bench_id',
  transformation: [
    { width: 600, height: 400, crop: 'at_max', aiRemoveBackground: true },
    { overlay: { type: 'text', text: 'Spring Sale', position: { x: 20, y: 20 }, transformation: [{ fontSize: 48, fontColor: 'FFFFFF' }] } },
    { overlay: { type: 'image', input: '/brand/logo.png', position: { focus: 'bottom_right' }, transformation: [{ width: 120 }] } },
    { sharpen: 10, quality: 80 },
  ],
})
function run(name, f, N) { for (let i=0;i<N/4;i++) f(); const t=process.hrtime.bigint(); for (let i=0;i<N;i++) f(); console.log(name, (Number(process.hrtime.bigint()-t)/N).toFixed(0), 'ns/op') }
const native = require('../index.js')
let w, k
const orig = native.helperBuildSrc
native.helperBuildSrc = (wire, key, e) => { w = wire; return '' }
run('object only', () => OVERLAY_MIX(), 200000)
run('wire only', () => ik.helper.buildSrc(OVERLAY_MIX()), 200000)
console.log(w.length)
native.helperBuildSrc = orig
run('native only', () => native.helperBuildSrc(w, undefined, undefined), 200000)
run('json', () => JSON.stringify(OVERLAY_MIX()), 200000)

require('fs').writeFileSync('/tmp/wire.json', JSON.stringify(w))
