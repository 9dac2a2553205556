const native = require('../index.js')
function run(name, f, N) { for (let i=0;i<N/4;i++) f(); const t=process.hrtime.bigint(); for (let i=0;i<N;i++) f(); console.log(name, (Number(process.hrtime.bigint()-t)/N).toFixed(0), 'ns/op') }
const field = (s) => String.fromCharCode(s.length) + s
run('floor: 2 units in, empty out', () => native.helperTransformation('\u0001-', undefined), 1000000)
const raw = 'x'.repeat(250)
const w = field('1') + field('1') + field('k') + field('raw') + field('s' + raw)
run('floor: 260 units in, 250 chars out', () => native.helperTransformation(w, undefined), 1000000)
run('pHashDistance', () => native.pHashDistance('f00000000000000f', 'f00000000000000e'), 1000000)
