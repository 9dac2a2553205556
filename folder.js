'use strict'
// `imagekit.uploadFolder(localDir, options)`: a local folder into the media library (not in
// v6). The engine is the native core's (crates/imagekit/src/folder_upload/): it walks the
// folder, lists each remote folder, skips what is already there with the same size, and
// uploads the rest N at a time, each file streamed from disk, never storing one twice.
// Here: reading and checking the options, the callbacks, and the results as JavaScript
// values (a failed file's error as an `Error`).
const { fileURLToPath } = require('url')

/** The most uploads at once. */
const MAX_CONCURRENCY = 64
/** The options that are the engine's; every other one is an upload option for every file. */
const ENGINE = new Set(['folder', 'concurrency', 'include', 'exclude', 'overwrite', 'dryRun', 'signal', 'onProgress', 'onFile'])

function typeError(message) {
  const error = new TypeError(message)
  error.code = 'ERR_INVALID_ARG_TYPE'
  return error
}

function globs(value, name) {
  if (value === undefined) return []
  const list = typeof value === 'string' ? [value] : value
  if (!Array.isArray(list) || !list.every((glob) => typeof glob === 'string')) {
    throw typeError(`The "${name}" option must be a string or an array of strings`)
  }
  return list
}

function callback(value, name) {
  if (value !== undefined && typeof value !== 'function') throw typeError(`The "${name}" option must be a function`)
  return value
}

/** What the native half takes, from `uploadFolder`'s arguments. */
function job(localDir, options) {
  if (localDir instanceof URL) localDir = fileURLToPath(localDir)
  if (typeof localDir !== 'string' || localDir === '') throw typeError('The "localDir" argument must be a non-empty string or a file: URL')
  if (options === null || typeof options !== 'object') throw typeError('The "options" argument must be an object')
  const folder = options.folder === undefined ? '/' : options.folder
  if (typeof folder !== 'string') throw typeError('The "folder" option must be a string')
  const concurrency = options.concurrency === undefined ? 8 : options.concurrency
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > MAX_CONCURRENCY) {
    const error = new RangeError(`The "concurrency" option must be an integer from 1 to ${MAX_CONCURRENCY}. Received ${concurrency}`)
    error.code = 'ERR_OUT_OF_RANGE'
    throw error
  }
  const upload = {}
  for (const key of Object.keys(options)) if (!ENGINE.has(key)) upload[key] = options[key]
  return {
    localDir,
    folder,
    concurrency,
    include: globs(options.include, 'include'),
    exclude: globs(options.exclude, 'exclude'),
    overwrite: !!options.overwrite,
    dryRun: !!options.dryRun,
    upload: JSON.stringify(upload),
  }
}

/** A file's outcome with its error as an `Error` (`code`, and `status` when ImageKit answered). */
function fileResult(report) {
  if (report.error) {
    const { message, code, status } = report.error
    const error = new Error(message)
    error.code = code
    if (status !== undefined) error.status = status
    report.error = error
  }
  return report
}

/**
 * The sink the native half reports to: each file's outcome to `onFile`, and the totals to
 * `onProgress` at most every 100 ms and once more, last, just before the call settles. A
 * callback that throws is not called again; its exception becomes an unhandled rejection.
 */
function reporter(onFile, onProgress) {
  let open = true
  let previous = -Infinity
  let fileBroken = false
  let progressBroken = false
  return (reports, totals, last) => {
    if (!open) return
    if (last) open = false
    if (onFile && !fileBroken) {
      for (const report of reports) {
        try {
          onFile(fileResult(report))
        } catch (error) {
          fileBroken = true
          Promise.reject(error)
          break
        }
      }
    }
    if (onProgress && !progressBroken && totals) {
      const now = performance.now()
      if (!last && now - previous < 100) return
      previous = now
      try {
        onProgress(totals)
      } catch (error) {
        progressBroken = true
        Promise.reject(error)
      }
    }
  }
}

/** Adds `uploadFolder` to the prototype; `signalKey` is where `withOptions` keeps a signal. */
function install(ImageKit, native, signalKey) {
  Object.defineProperty(ImageKit.prototype, 'uploadFolder', {
    configurable: true,
    writable: true,
    value: function uploadFolder(localDir, options = {}) {
      try {
        const read = job(localDir, options)
        const onFile = callback(options.onFile, 'onFile')
        const onProgress = callback(options.onProgress, 'onProgress')
        const signal = options.signal !== undefined ? options.signal : this[signalKey]
        if (signal !== undefined && !(signal instanceof AbortSignal)) throw typeError('The "signal" option must be an AbortSignal')
        const sink = onFile || onProgress ? reporter(onFile, onProgress) : undefined
        return native.uploadFolder(this, this.options, JSON.stringify(read), sink, signal).then((summary) => {
          summary.failures = summary.failures.map(fileResult)
          return summary
        })
      } catch (error) {
        return Promise.reject(error)
      }
    },
  })
}

module.exports = { install }
