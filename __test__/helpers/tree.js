'use strict'
// Local folders to upload, for the folder-upload tests.

const fs = require('node:fs')
const path = require('node:path')

/** A new folder under `parent` holding `files` (relative path -> content); its path. */
function tree(parent, files) {
  const dir = fs.mkdtempSync(path.join(parent, 'tree-'))
  for (const [name, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true })
    fs.writeFileSync(path.join(dir, name), content)
  }
  return dir
}

module.exports = { tree }
