'use strict'
// Small test images made in JavaScript: no binary fixtures. `png()` writes a true-colour PNG
// (zlib from Node); `jpeg()` writes a baseline JPEG whose 8×8 blocks are flat colours, which
// needs only DC coefficients and so only two tiny Huffman tables.

const zlib = require('node:zlib')

/** `pixel(x, y) → [r, g, b]`; the default is a diagonal gradient, so images are not flat. */
const gradient = (width, height) => (x, y) => [
  Math.round((255 * x) / Math.max(1, width - 1)),
  Math.round((255 * y) / Math.max(1, height - 1)),
  Math.round((255 * (x + y)) / Math.max(1, width + height - 2)),
]

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
  return c >>> 0
})

function crc32(bytes) {
  let c = 0xffffffff
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8)
  return (c ^ 0xffffffff) >>> 0
}

function pngChunk(type, data) {
  const head = Buffer.alloc(8)
  head.writeUInt32BE(data.length, 0)
  head.write(type, 4, 'latin1')
  const crc = Buffer.alloc(4)
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0)
  return Buffer.concat([head, data, crc])
}

/** A `width`×`height` RGB PNG. */
function png(width = 16, height = 16, pixel = gradient(width, height)) {
  const raw = Buffer.alloc((width * 3 + 1) * height)
  let o = 0
  for (let y = 0; y < height; y++) {
    raw[o++] = 0 // filter: none
    for (let x = 0; x < width; x++) {
      const [r, g, b] = pixel(x, y)
      raw[o++] = r
      raw[o++] = g
      raw[o++] = b
    }
  }
  const ihdr = Buffer.alloc(13)
  ihdr.writeUInt32BE(width, 0)
  ihdr.writeUInt32BE(height, 4)
  ihdr.set([8, 2, 0, 0, 0], 8) // 8 bits, truecolour, deflate, no filter, no interlace
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', ihdr),
    pngChunk('IDAT', zlib.deflateSync(raw)),
    pngChunk('IEND', Buffer.alloc(0)),
  ])
}

/** Writes bits MSB first, stuffing a zero after every 0xFF as JPEG entropy data requires. */
class BitWriter {
  constructor() {
    this.bytes = []
    this.acc = 0
    this.n = 0
  }
  write(value, length) {
    for (let i = length - 1; i >= 0; i--) {
      this.acc = (this.acc << 1) | ((value >> i) & 1)
      if (++this.n === 8) this.flushByte()
    }
  }
  flushByte() {
    this.bytes.push(this.acc)
    if (this.acc === 0xff) this.bytes.push(0)
    this.acc = 0
    this.n = 0
  }
  finish() {
    while (this.n !== 0) this.write(1, 1)
    return Buffer.from(this.bytes)
  }
}

const segment = (marker, body) => {
  const head = Buffer.from([0xff, marker, 0, 0])
  head.writeUInt16BE(body.length + 2, 2)
  return Buffer.concat([head, Buffer.from(body)])
}

/**
 * A `width`×`height` baseline JPEG, colour 4:4:4, quantisation 1. Each 8×8 block takes the
 * colour of its top-left pixel. DC table: categories 0–11, all 4-bit codes (0000…1011). AC
 * table: end-of-block only, the 1-bit code 0.
 */
function jpeg(width = 16, height = 16, pixel = gradient(width, height)) {
  const bw = new BitWriter()
  const previous = [0, 0, 0]
  for (let by = 0; by < Math.ceil(height / 8); by++) {
    for (let bx = 0; bx < Math.ceil(width / 8); bx++) {
      const [r, g, b] = pixel(Math.min(bx * 8, width - 1), Math.min(by * 8, height - 1))
      const ycc = [
        0.299 * r + 0.587 * g + 0.114 * b,
        -0.168736 * r - 0.331264 * g + 0.5 * b + 128,
        0.5 * r - 0.418688 * g - 0.081312 * b + 128,
      ]
      ycc.forEach((value, c) => {
        const dc = 8 * (Math.round(Math.min(255, Math.max(0, value))) - 128)
        const diff = dc - previous[c]
        previous[c] = dc
        const category = diff === 0 ? 0 : Math.floor(Math.log2(Math.abs(diff))) + 1
        bw.write(category, 4)
        if (category > 0) bw.write(diff >= 0 ? diff : diff + (1 << category) - 1, category)
        bw.write(0, 1) // end of block
      })
    }
  }
  const dcCounts = [0, 0, 0, 12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]
  const acCounts = [1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]
  return Buffer.concat([
    Buffer.from([0xff, 0xd8]),
    segment(0xe0, [0x4a, 0x46, 0x49, 0x46, 0, 1, 1, 0, 0, 1, 0, 1, 0, 0]),
    segment(0xdb, [0, ...new Array(64).fill(1)]),
    segment(0xc0, [8, height >> 8, height & 0xff, width >> 8, width & 0xff, 3, 1, 0x11, 0, 2, 0x11, 0, 3, 0x11, 0]),
    segment(0xc4, [0x00, ...dcCounts, ...Array.from({ length: 12 }, (_, i) => i), 0x10, ...acCounts, 0x00]),
    segment(0xda, [3, 1, 0x00, 2, 0x00, 3, 0x00, 0, 63, 0]),
    bw.finish(),
    Buffer.from([0xff, 0xd9]),
  ])
}

/** Width and height read back from PNG or JPEG bytes (to check what the server sends). */
function dimensions(bytes) {
  if (bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) {
    return { format: 'png', width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) }
  }
  if (bytes[0] === 0xff && bytes[1] === 0xd8) {
    let o = 2
    while (o + 9 < bytes.length) {
      const marker = bytes[o + 1]
      const length = bytes.readUInt16BE(o + 2)
      if (marker >= 0xc0 && marker <= 0xc2) {
        return { format: 'jpg', width: bytes.readUInt16BE(o + 7), height: bytes.readUInt16BE(o + 5) }
      }
      o += 2 + length
    }
  }
  return undefined
}

module.exports = { png, jpeg, dimensions, gradient }
