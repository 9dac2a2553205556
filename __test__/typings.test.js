'use strict'
// The generated typings accept code written against imagekit@6.0.0 (and reject its mistakes:
// v6-usage.ts holds @ts-expect-error lines, which fail the check if they stop being errors).

const test = require('node:test')
const assert = require('node:assert/strict')
const { spawnSync } = require('node:child_process')
const path = require('node:path')

test('tsc --noEmit accepts v6-style usage of index.d.ts', () => {
  const tsc = require.resolve('typescript/bin/tsc')
  const project = path.join(__dirname, 'typings', 'tsconfig.json')
  const run = spawnSync(process.execPath, [tsc, '--noEmit', '-p', project], { encoding: 'utf8' })
  assert.equal(run.status, 0, `tsc failed:\n${run.stdout}${run.stderr}`)
})

// url()'s options are v6's union: exactly one of `path` and `src`. The same program, whose
// @ts-expect-error lines fail the check if they stop being errors, is checked against v6's
// typings and against ours.
test('url() rejects neither and both of path and src, as v6 does', (t) => {
  const fs = require('node:fs')
  const os = require('node:os')
  const tsc = require.resolve('typescript/bin/tsc')
  const root = path.join(__dirname, '..')
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'imagekit-url-union-'))
  t.after(() => fs.rmSync(work, { recursive: true, force: true }))
  fs.writeFileSync(path.join(work, 'main.ts'), `
import ImageKit from "imagekit";
import type { UrlOptions } from "imagekit/dist/libs/interfaces";
import type { UrlOptionsPath, UrlOptionsSrc } from "imagekit/dist/libs/interfaces/UrlOptions";
const imagekit = new ImageKit({ publicKey: "p", privateKey: "k", urlEndpoint: "https://ik.imagekit.io/demo" });
// @ts-expect-error: neither path nor src
imagekit.url({});
// @ts-expect-error: both path and src
imagekit.url({ path: "/a.jpg", src: "https://ik.imagekit.io/demo/a.jpg" });
// @ts-expect-error: only the common options
imagekit.url({ signed: true, expireSeconds: 10 });
const byPath: UrlOptionsPath = { path: "/a.jpg", transformation: [{ width: 100 }] };
const bySrc: UrlOptionsSrc = { src: "https://ik.imagekit.io/demo/a.jpg", signed: true };
const either: UrlOptions[] = [byPath, bySrc];
for (const options of either) imagekit.url(options);
`)
  const against = {
    v6: path.join(root, 'node_modules', 'imagekit-reference'),
    ours: root,
  }
  for (const [name, dir] of Object.entries(against)) {
    const config = path.join(work, `tsconfig.${name}.json`)
    fs.writeFileSync(config, JSON.stringify({
      compilerOptions: {
        strict: true, esModuleInterop: true, module: 'commonjs', moduleResolution: 'node', target: 'es2020',
        noEmit: true, types: ['node'], typeRoots: [path.join(root, 'node_modules', '@types')], baseUrl: work,
        paths: { imagekit: [dir], 'imagekit/*': [path.join(dir, '*')] },
      },
      files: ['main.ts'],
    }))
    const run = spawnSync(process.execPath, [tsc, '-p', config], { encoding: 'utf8' })
    assert.equal(run.status, 0, `tsc against ${name}'s typings:\n${run.stdout}${run.stderr}`)
  }
})
