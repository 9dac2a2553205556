const IK = require('../imagekit.js')
const ik = new IK({ publicKey: 'p', privateKey: 'private_key_test', urlEndpoint: 'https://ik.imagekit.io/demo' })
const o = () => ({ src: '/a.jpg', urlEndpoint: 'https://ik.imagekit.io/demo', transformation: [{ width: 300, height: 200, overlay: { type: 'text', text: 'Hi there!', transformation: [{ fontSize: 20 }] } }, { aiRemoveBackground: true, sharpen: 10 }] })
function run(name, f, N) { for (let i=0;i<N/4;i++) f(); const t=process.hrtime.bigint(); for (let i=0;i<N;i++) f(); console.log(name, (Number(process.hrtime.bigint()-t)/N).toFixed(0), 'ns/op') }
const native = require('../index.js')
let w
const orig = native.helperTransformation
native.helperTransformation = (wire, e) => { w = wire; return '' }
run('wire only', () => ik.helper.buildTransformationString(o().transformation), 200000)
console.log(JSON.stringify(w))
native.helperTransformation = orig
run('native only', () => native.helperTransformation(w, undefined), 200000)
run('native only flat', () => native.helperTransformation(w.slice(0), undefined), 200000)
