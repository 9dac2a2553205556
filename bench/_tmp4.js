const IK = require('../imagekit.js')
const ik = new IK({ publicKey: 'p', privateKey: 'private_key_test', urlEndpoint: 'https://ik.imagekit.io/bench_id' })
const R = () => ({ src: '/products/shoe.jpg', urlEndpoint: 'https://ik.imagekit.io/bench_id', width: 400, transformation: [{ quality: 80 }] })
function run(name, f, N) { for (let i=0;i<N/4;i++) f(); const t=process.hrtime.bigint(); for (let i=0;i<N;i++) f(); console.log(name, (Number(process.hrtime.bigint()-t)/N).toFixed(0), 'ns/op') }
const native = require('../index.js')
let w
const orig = native.helperResponsive
run('full', () => ik.helper.getResponsiveImageAttributes(R()), 100000)
native.helperResponsive = (wire) => { w = wire; return 'w05:abcde' }
run('js only', () => ik.helper.getResponsiveImageAttributes(R()), 100000)
native.helperResponsive = orig
run('native only', () => native.helperResponsive(w, undefined, undefined), 100000)
require('fs').writeFileSync('/tmp/w4.json', JSON.stringify(w))
