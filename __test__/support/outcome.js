'use strict'
// What a call produced, in a form two implementations can be compared by: the return value,
// or the thrown error's constructor, message, `code` and `input`.

const { inspect } = require('node:util')

function describeError(e) {
  if (e === null || (typeof e !== 'object' && typeof e !== 'function')) return { thrown: e }
  return {
    error: e.constructor && e.constructor.name,
    message: e.message,
    code: e.code,
    input: e.input,
  }
}

/** Runs `fn`, returning `{ value }` or `{ threw }`. */
function outcome(fn) {
  try {
    return { value: fn() }
  } catch (e) {
    return { threw: describeError(e) }
  }
}

/** A readable form of anything (symbols, bigints, lone surrogates) for failure messages. */
function show(value) {
  return inspect(value, { depth: 6, breakLength: Infinity, maxStringLength: 300 })
}

module.exports = { outcome, describeError, show }
