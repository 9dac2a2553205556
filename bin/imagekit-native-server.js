#!/usr/bin/env node
'use strict'
// `npx imagekit-native-server [flags]`: the local ImageKit server, from the tools' package
// for this platform (imagekit-native-tools-<platform>), or in a checkout the one cargo built:
// the same binary and flags as `cargo run -p imagekit-local-server` (`--help` lists them).
// Signals are passed on, and its exit status is this process's. Published in
// imagekit-native-tools, with platform.js (scripts/pack.js stages both).

require('../platform.js').runTool('server')
