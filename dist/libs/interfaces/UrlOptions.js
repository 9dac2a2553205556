'use strict'
// Type declarations only (see UrlOptions.d.ts), as in v6.
Object.defineProperty(exports, '__esModule', { value: true })
