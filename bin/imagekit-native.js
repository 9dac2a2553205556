#!/usr/bin/env node
'use strict'
// `npx imagekit-native upload <dir> [flags]`: the command line, a Rust program on the SDK's
// core (no Node needed by it), from the tools' package for this platform
// (imagekit-native-tools-<platform>), or in a checkout the one cargo built
// (`cargo build --release -p imagekit-native-cli`). `--help` lists its commands and flags.
// Signals are passed on, and its exit status is this process's. Published in the SDK.

require('../platform.js').runTool('cli')
