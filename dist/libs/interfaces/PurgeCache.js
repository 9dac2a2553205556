'use strict'
// Type declarations only (see PurgeCache.d.ts), as in v6.
Object.defineProperty(exports, '__esModule', { value: true })
