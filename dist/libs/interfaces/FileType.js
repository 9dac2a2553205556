'use strict'
// Type declarations only (see FileType.d.ts), as in v6.
Object.defineProperty(exports, '__esModule', { value: true })
