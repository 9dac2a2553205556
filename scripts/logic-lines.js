'use strict'
// Lines of logic in the Rust sources: `node scripts/logic-lines.js [root]` prints them for the
// binding (src/binding/) and the client's core (crates/imagekit/src/), and their ratio.
//
// A line of logic is a line that is not blank, not only a comment (`//`, `///`, `//!`, or its
// attribute form `#[doc = "..."]`), not a typings-only declaration (a `#[napi(...)]` attribute
// that only gives TypeScript types, or its `ts_...` line) and not inside a `#[cfg(test)]` module. Left out as declarations rather than logic: the binding's
// modules that exist only to generate typings (their first line says "Type-only
// definitions" or "TypeScript declarations"), and the core's table of MIME types (media/mime_db.rs, data).

const fs = require('node:fs')
const path = require('node:path')

// `#[doc = "..."]`, `#[napi(ts_type = "...")]`, and a `ts_args_type = "..."` line of a longer attribute.
const TYPINGS_LINE = /^(#\[doc = ".*"\]|#\[napi\(ts_type = ".*"\)\]|ts_(args_type|return_type|type) = ".*",?)$/

const TYPINGS_ONLY = /^\/\/! (Type-only definitions|TypeScript declarations)/

function rustFiles(dir) {
  if (!fs.existsSync(dir)) return []
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name)
    if (entry.isDirectory()) return rustFiles(full)
    return entry.name.endsWith('.rs') ? [full] : []
  })
}

/** Lines of logic in one file's text. */
function logicLines(text) {
  let count = 0
  let testDepth = null // brace depth at which a #[cfg(test)] module opened
  let depth = 0
  let pendingTest = false
  for (const raw of text.split('\n')) {
    const line = raw.trim()
    if (line === '#[cfg(test)]') pendingTest = true
    const opens = (line.match(/\{/g) || []).length
    const closes = (line.match(/\}/g) || []).length
    if (pendingTest && /^(pub(\([a-z]+\))? )?mod \w+ \{$/.test(line)) {
      testDepth = depth
      pendingTest = false
    } else if (line && line !== '#[cfg(test)]') {
      pendingTest = false
    }
    const inTest = testDepth !== null
    depth += opens - closes
    if (inTest && depth <= testDepth) testDepth = null
    if (inTest || line === '' || line.startsWith('//') || TYPINGS_LINE.test(line)) continue
    count++
  }
  return count
}

function count(files, skip) {
  let total = 0
  for (const file of files) {
    const text = fs.readFileSync(file, 'utf8')
    if (skip(file, text)) continue
    total += logicLines(text)
  }
  return total
}

function main(root) {
  const binding = count(rustFiles(path.join(root, 'src', 'binding')), (_, text) => TYPINGS_ONLY.test(text))
  let coreDir = path.join(root, 'crates', 'imagekit', 'src')
  let skipCore = (file) => file.endsWith(path.join('media', 'mime_db.rs'))
  if (!fs.existsSync(coreDir)) {
    // Before the core was a crate: every module of src/ but the binding.
    coreDir = path.join(root, 'src')
    skipCore = (file) => file.includes(`${path.sep}binding${path.sep}`) || file.endsWith(path.join('media', 'mime_db.rs'))
  }
  const core = count(rustFiles(coreDir), skipCore)
  console.log(`binding ${binding} lines of logic, core ${core}: the binding is ${(binding / core).toFixed(2)} of the core`)
}

main(process.argv[2] || path.join(__dirname, '..'))
