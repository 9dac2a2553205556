'use strict'
// The packages as users get them: the four tarballs `npm run pack` writes (scripts/pack.js:
// the SDK, its platform package with the addon, the tools package and its platform package
// with the local server), installed into fresh projects whose PATH has no cargo, with nothing
// from the registry. The production install (the SDK and its addon) holds no server and
// stays within 6 MB on disk. In a project with the tools as dev dependencies: a v6
// TypeScript program (type-checked under `tsc --strict` against v6's typings and ours) and a
// program importing the types of all 24 of v6's interface paths, require and ESM import, the
// local server started with the tools' bin, and the runtime smoke script against it. Without
// a platform package: the error naming the platform, the package and the fix that works for
// where the package came from (a tarball: the pack command; npm: installing the platform
// package). Needs `npm run build` and the release server first.

const { test } = require('node:test')
const assert = require('node:assert/strict')
const { execFileSync, spawnSync } = require('node:child_process')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const { startServer } = require('./helpers/server')

const root = path.join(__dirname, '..')
const reference = path.join(root, 'node_modules', 'imagekit-reference')
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm'

/** What a v6 user writes: type imports from v6's paths, callbacks and promises, narrowing. */
const PROGRAM = `
import ImageKit from "imagekit";
import type {
  FileObject,
  FolderObject,
  IKCallback,
  ListFileOptions,
  ListFileResponse,
  UploadOptions,
  UploadResponse,
  FileMetadataResponse,
  FileDetailsOptions,
  CreateFolderOptions,
  UrlOptions,
  FileType,
} from "imagekit/dist/libs/interfaces";
import IKResponse from "imagekit/dist/libs/interfaces/IKResponse";

const PIXEL_PNG_BASE64 = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=";
const config = JSON.parse(process.env.IK_SERVER as string);
// Not a literal, so v6's ImageKitOptions (which has no apiEndpoint) accepts it too.
const options = {
  publicKey: config.publicKey as string,
  privateKey: config.privateKey as string,
  urlEndpoint: config.urlEndpoint as string,
  uploadEndpoint: config.uploadEndpoint as string,
  apiEndpoint: config.apiEndpoint as string,
};
const imagekit = new ImageKit(options);

function check(condition: unknown, what: string): void {
  if (!condition) throw new Error("check failed: " + what);
}

function uploadWithCallback(file: UploadOptions): Promise<IKResponse<UploadResponse>> {
  return new Promise((resolve, reject) => {
    imagekit.upload(file, (error, result) => {
      if (error) reject(error);
      else if (result) resolve(result);
    });
  });
}

async function main(): Promise<void> {
  const urlOptions: UrlOptions = { path: "/default-image.jpg", transformation: [{ height: 300, width: 400 }] };
  const url: string = imagekit.url(urlOptions);
  check(url.startsWith(options.urlEndpoint) && url.includes("tr:h-300,w-400"), "url(): " + url);

  const uploaded: IKResponse<UploadResponse> = await imagekit.upload({
    file: Buffer.from("hello from a v6 program"),
    fileName: "pack-test.txt",
    folder: "/pack-test",
    tags: ["pack", "v6"],
  });
  check(uploaded.$ResponseMetadata.statusCode === 200, "upload status");
  check(uploaded.size === 23, "upload size " + uploaded.size);
  const fileType: FileType = uploaded.fileType;

  const second = await uploadWithCallback({
    file: PIXEL_PNG_BASE64,
    fileName: "pixel.png",
    folder: "/pack-test",
  });
  check(second.name.endsWith(".png") && second.fileType === "image", "callback upload");

  const details: FileObject = await imagekit.getFileDetails(uploaded.fileId);
  check(details.fileId === uploaded.fileId && details.type === "file", "getFileDetails");
  check(details.tags !== null && details.tags !== undefined && details.tags.includes("pack"), "tags");

  const update: FileDetailsOptions = { tags: ["pack", "updated"] };
  const updated = await new Promise<IKResponse<FileObject>>((resolve, reject) => {
    const callback: IKCallback<IKResponse<FileObject>> = (error, result) => {
      if (error) reject(error);
      else if (result) resolve(result);
    };
    imagekit.updateFileDetails(uploaded.fileId, update, callback);
  });
  check(updated.tags !== undefined && updated.tags !== null && updated.tags.includes("updated"), "updateFileDetails");

  const folder: CreateFolderOptions = { folderName: "inner", parentFolderPath: "/pack-test" };
  await imagekit.createFolder(folder);

  const listOptions: ListFileOptions = { path: "/pack-test", includeFolder: true };
  const items: IKResponse<ListFileResponse> = await imagekit.listFiles(listOptions);
  const files: FileObject[] = [];
  const folders: FolderObject[] = [];
  for (const item of items) {
    if (item.type === "folder") folders.push(item);
    else files.push(item);
  }
  check(items.$ResponseMetadata.statusCode === 200, "listFiles status");
  check(files.length === 2 && folders.length === 1 && folders[0].folderPath.endsWith("inner"), "listFiles narrowing");

  const metadata: IKResponse<FileMetadataResponse> = await imagekit.getFileMetadata(second.fileId);
  check(metadata.width === 1 && metadata.height === 1 && imagekit.pHashDistance(metadata.pHash, metadata.pHash) === 0, "getFileMetadata");

  let missing: IKResponse<Error> | undefined;
  try {
    await imagekit.getFileDetails("no-such-file");
  } catch (error) {
    missing = error as IKResponse<Error>;
  }
  check(missing !== undefined && missing.$ResponseMetadata !== undefined && missing.$ResponseMetadata.statusCode === 404, "404");

  const auth = imagekit.getAuthenticationParameters("token", 1700000000);
  check(auth.signature.length === 40, "getAuthenticationParameters");

  await imagekit.deleteFile(second.fileId);
  console.log(JSON.stringify({ ok: true, fileType, files: files.length, folders: folders.length }));
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
`

const pkg = require('../package.json')
const { currentPlatform, packageOf, toolsPackageOf, SUPPORTED } = require('../platform.js')
const { packAll, installLines } = require('../scripts/pack.js')
const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc')
const SMOKE = path.join(__dirname, 'runtimes', 'smoke.cjs')

function run(command, args, options) {
  return execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], ...options })
}

/** This environment without Rust: no PATH entry holding cargo or rustc, no loader override. */
function withoutRust() {
  const env = { ...process.env }
  env.PATH = process.env.PATH.split(path.delimiter)
    .filter((dir) => !['cargo', 'rustc'].some((tool) => fs.existsSync(path.join(dir, tool))))
    .join(path.delimiter)
  for (const name of ['NODE_PATH', 'NAPI_RS_NATIVE_LIBRARY_PATH', 'HTTP_PROXY', 'HTTPS_PROXY', 'http_proxy', 'https_proxy']) delete env[name]
  return env
}

function writeJson(file, value) {
  fs.writeFileSync(file, JSON.stringify(value, null, 2))
}

/** A fresh project, with each `npm install` line given run in it. */
function project(work, name, installs, env) {
  const dir = path.join(work, name)
  fs.mkdirSync(dir)
  writeJson(path.join(dir, 'package.json'), { name: `v6-user-${name}`, private: true })
  for (const line of installs) {
    const [command, verb, ...args] = line.split(' ')
    assert.deepEqual([command, verb], ['npm', 'install'], line)
    run(npm, ['install', '--offline', '--no-audit', '--no-fund', ...args], { cwd: dir, env })
  }
  return dir
}

/** Bytes on disk under `dir` (du's measure: whole blocks), and every file's path in it. */
function disk(dir) {
  const usage = Number(run('du', ['-sk', dir]).split('\t')[0]) * 1024
  const files = []
  const walk = (d) => {
    for (const entry of fs.readdirSync(d, { withFileTypes: true })) {
      const full = path.join(d, entry.name)
      if (entry.isDirectory()) walk(full)
      else files.push(path.relative(dir, full))
    }
  }
  walk(dir)
  return { usage, files }
}

/** Whether an ELF64 file (little-endian, as on x64 and arm64 Linux) still has its symbol table. */
function hasSymbolTable(file) {
  const elf = fs.readFileSync(file)
  assert.equal(elf.toString('latin1', 0, 4), '\x7fELF', `${file} is not ELF`)
  assert.deepEqual([elf[4], elf[5]], [2, 1], `${file} is not ELF64 little-endian`)
  const offset = Number(elf.readBigUInt64LE(0x28))
  const size = elf.readUInt16LE(0x3a)
  const count = elf.readUInt16LE(0x3c)
  const SHT_SYMTAB = 2
  return Array.from({ length: count }, (_, i) => elf.readUInt32LE(offset + i * size + 4)).includes(SHT_SYMTAB)
}

/** Rewrites an installed package's manifest as npm's registry copy has it: listing its platform packages. */
function asPublished(dir, platformPackage) {
  const file = path.join(dir, 'package.json')
  const manifest = JSON.parse(fs.readFileSync(file, 'utf8'))
  manifest.optionalDependencies = { [platformPackage]: manifest.version }
  writeJson(file, manifest)
}

function tsconfig(extra, files) {
  return {
    compilerOptions: {
      strict: true,
      esModuleInterop: true,
      module: 'commonjs',
      moduleResolution: 'node',
      target: 'es2020',
      types: ['node'],
      typeRoots: [path.join(root, 'node_modules', '@types')],
      outDir: 'out',
      ...extra,
    },
    files,
  }
}

function typeCheck(cwd, config, against) {
  try {
    run(process.execPath, [tsc, '-p', config], { cwd })
  } catch (e) {
    assert.fail(`tsc --strict against ${against} failed:\n${e.stdout}${e.stderr}`)
  }
}

/** The names each of v6's interface files exports, read with the TypeScript checker. */
function v6InterfaceExports() {
  const ts = require('typescript')
  const dir = path.join(reference, 'dist', 'libs', 'interfaces')
  const files = fs.readdirSync(dir).filter((f) => f.endsWith('.d.ts')).map((f) => path.join(dir, f))
  const program = ts.createProgram(files, { strict: true, noEmit: true })
  const checker = program.getTypeChecker()
  return Object.fromEntries(files.map((file) => {
    const symbol = checker.getSymbolAtLocation(program.getSourceFile(file))
    return [path.basename(file, '.d.ts'), checker.getExportsOfModule(symbol).map((s) => s.name)]
  }))
}

/** A program that imports every name from every one of v6's interface paths. */
function typesProgram(exports) {
  const lines = []
  const uses = []
  for (const [file, names] of Object.entries(exports)) {
    const alias = (name) => `${file.replace(/\W/g, '_')}_${name}`
    const named = names.filter((n) => n !== 'default')
    if (named.length) {
      lines.push(`import type { ${named.map((n) => `${n} as ${alias(n)}`).join(', ')} } from "imagekit/dist/libs/interfaces/${file}";`)
      uses.push(...named.map((n) => (/^(IKCallback)$/.test(n) ? `${alias(n)}<unknown>` : alias(n))))
    }
    if (names.includes('default')) {
      lines.push(`import ${alias('default')} from "imagekit/dist/libs/interfaces/${file}";`)
      uses.push(`${alias('default')}<{ a: 1 }>`)
    }
  }
  return `${lines.join('\n')}\nexport type Every = [\n  ${uses.join(',\n  ')},\n];\n`
}

test('installed from its tarballs without Rust: v6 programs, every type path, require, ESM, the server', { timeout: 240_000 }, async (t) => {
  const env = withoutRust()
  assert.equal(spawnSync('cargo', ['--version'], { env }).error?.code, 'ENOENT', 'no cargo on the PATH of the projects')
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'imagekit-install-'))
  t.after(() => fs.rmSync(work, { recursive: true, force: true }))
  const platform = currentPlatform()

  // The SDK carries no binary, and one bin (the command line's launcher); its platform package
  // only the addon; the tools package no binary; its platform package only the server and
  // the command line.
  const packed = packAll(path.join(work, 'packed'))
  const { main } = packed
  assert.ok(!main.files.some((f) => f.endsWith('.node') || f.includes('imagekit-local-server')), `no binary in the main package: ${main.files}`)
  assert.deepEqual(main.files.filter((f) => f.startsWith('bin/')), ['bin/imagekit-native.js'], 'the main package has one bin')
  const exports = v6InterfaceExports()
  assert.equal(Object.keys(exports).length, 24)
  for (const file of ['imagekit.js', 'imagekit.d.ts', 'index.js', 'index.d.ts', 'platform.js', 'package.json']) {
    assert.ok(main.files.includes(file), `${file} is packed`)
  }
  for (const file of Object.keys(exports)) {
    for (const ext of ['.d.ts', '.js']) assert.ok(main.files.includes(`dist/libs/interfaces/${file}${ext}`), `${file}${ext} is packed`)
  }
  assert.deepEqual(packed.platform.files, [`imagekit.${platform}.node`, 'README.md', 'package.json'].sort())
  assert.deepEqual(packed.tools.files, ['README.md', 'bin/imagekit-native-server.js', 'package.json', 'platform.js'])
  assert.deepEqual(packed.toolsPlatform.files, ['README.md', 'imagekit-local-server', 'imagekit-native', 'package.json'])
  const [sdkLine, toolsLine] = installLines(packed)

  // The production install: the SDK and its addon, nothing else, within 6 MB.
  const production = project(work, 'production', [sdkLine], env)
  const installed = disk(path.join(production, 'node_modules'))
  assert.ok(installed.usage <= 6_000_000, `the production install takes ${installed.usage} bytes on disk (du), more than 6 MB`)
  t.diagnostic(`production install: ${installed.usage} bytes (${(installed.usage / 1024 / 1024).toFixed(2)} MiB) on disk (du -sk)`)
  if (process.platform === 'linux') {
    const addon = path.join(production, 'node_modules', packageOf(platform), `imagekit.${platform}.node`)
    assert.equal(hasSymbolTable(addon), false, 'the addon is stripped')
  }
  assert.deepEqual(installed.files.filter((f) => /imagekit-local-server|imagekit-native-server/.test(f)), [], 'no server in production')
  assert.deepEqual(installed.files.filter((f) => /(^|\/)\.bin\//.test(f)), ['.bin/imagekit-native'], "the SDK's one bin")
  // Its command line needs the tools, and says so.
  const noTools = spawnSync(process.execPath, [path.join(production, 'node_modules', '.bin', 'imagekit-native'), 'upload', '.'], { cwd: production, env, encoding: 'utf8' })
  assert.equal(noTools.status, 1)
  for (const part of ['imagekit-native-tools', `npm install --save-dev imagekit-native-tools@${pkg.version}`, `npx -p imagekit-native@${pkg.version} -p imagekit-native-tools@${pkg.version} imagekit-native upload`]) {
    assert.ok(noTools.stderr.includes(part), `without the tools, imagekit-native names ${part}:\n${noTools.stderr}`)
  }
  assert.deepEqual(fs.readdirSync(path.join(production, 'node_modules')).sort(), ['.bin', '.package-lock.json', 'imagekit', packageOf(platform)].sort())

  // A project with the tools as dev dependencies.
  const dir = project(work, 'with-platform', [sdkLine, toolsLine], env)
  assert.equal(require(path.join(dir, 'node_modules', 'imagekit', 'package.json')).name, pkg.name, 'installed under the alias')
  const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'))
  assert.deepEqual(Object.keys(manifest.devDependencies).sort(), ['imagekit-native-tools', toolsPackageOf(platform)])
  if (process.platform === 'linux') {
    const server = path.join(dir, 'node_modules', toolsPackageOf(platform), 'imagekit-local-server')
    assert.equal(hasSymbolTable(server), false, 'the server is stripped')
    const cli = path.join(dir, 'node_modules', toolsPackageOf(platform), 'imagekit-native')
    assert.equal(hasSymbolTable(cli), false, 'the command line is stripped')
    assert.equal(hasSymbolTable(process.execPath), true, 'the check finds a symbol table where there is one')
  }

  // Module resolution as v6 users have it: no exports map, every subpath resolves.
  fs.writeFileSync(path.join(dir, 'check.js'), `
const ImageKit = require('imagekit')
const resolved = ['imagekit/package.json', ${Object.keys(exports).map((f) => `'imagekit/dist/libs/interfaces/${f}'`).join(', ')}].map((p) => require(p) && p)
const ik = new ImageKit({ publicKey: 'p', privateKey: 'k', urlEndpoint: 'https://ik.imagekit.io/demo' })
console.log(JSON.stringify({ same: ImageKit === ImageKit.default, url: ik.url({ path: '/a.jpg', transformation: [{ width: 100 }] }), resolved: resolved.length }))
`)
  fs.writeFileSync(path.join(dir, 'check.mjs'), `
import ImageKit from 'imagekit'
import * as interfaces from 'imagekit/dist/libs/interfaces/index.js'
const ik = new ImageKit({ publicKey: 'p', privateKey: 'k', urlEndpoint: 'https://ik.imagekit.io/demo' })
console.log(JSON.stringify({ url: ik.url({ path: '/a.jpg', transformation: [{ width: 100 }] }), interfaces: typeof interfaces }))
`)
  const url = 'https://ik.imagekit.io/demo/tr:w-100/a.jpg'
  assert.deepEqual(JSON.parse(run(process.execPath, ['check.js'], { cwd: dir, env })), { same: true, url, resolved: 25 })
  assert.deepEqual(JSON.parse(run(process.execPath, ['check.mjs'], { cwd: dir, env })), { url, interfaces: 'object' })

  // TypeScript: the v6 program and the program importing every type path, checked against
  // v6's own typings and against the installed package's, then compiled and run.
  fs.writeFileSync(path.join(dir, 'main.ts'), PROGRAM)
  fs.writeFileSync(path.join(dir, 'types.ts'), typesProgram(exports))
  writeJson(path.join(dir, 'tsconfig.v6.json'), tsconfig({
    noEmit: true,
    baseUrl: '.',
    paths: { imagekit: [path.join(reference, 'dist', 'index.d.ts')], 'imagekit/*': [path.join(reference, '*')] },
  }, ['main.ts', 'types.ts']))
  typeCheck(dir, 'tsconfig.v6.json', 'v6 typings')
  writeJson(path.join(dir, 'tsconfig.json'), tsconfig({}, ['main.ts', 'types.ts']))
  typeCheck(dir, 'tsconfig.json', 'the installed package')
  // The same without an exports map under the newer resolutions.
  for (const [name, options] of Object.entries({
    node16: { module: 'node16', moduleResolution: 'node16' },
    bundler: { module: 'esnext', moduleResolution: 'bundler' },
  })) {
    writeJson(path.join(dir, `tsconfig.${name}.json`), tsconfig({ noEmit: true, ...options }, ['main.ts', 'types.ts']))
    typeCheck(dir, `tsconfig.${name}.json`, `the installed package (moduleResolution ${name})`)
  }

  // The local server through the tools' bin.
  const bin = path.join(dir, 'node_modules', '.bin', 'imagekit-native-server')
  const server = await startServer({ command: [process.execPath, bin], env, cwd: dir })
  try {
    const serverEnv = { ...env, IK_SERVER: JSON.stringify(server.options) }
    const output = run(process.execPath, [path.join(dir, 'out', 'main.js')], { cwd: dir, env: serverEnv, timeout: 60_000 })
    assert.deepEqual(JSON.parse(output.trim().split('\n').pop()), { ok: true, fileType: 'non-image', files: 2, folders: 1 })
    const smoke = spawnSync(process.execPath, [SMOKE], {
      cwd: dir,
      env: { ...serverEnv, IK_MODULE: path.join(dir, 'node_modules', 'imagekit') },
      encoding: 'utf8',
      timeout: 60_000,
    })
    assert.equal(smoke.status, 0, `the smoke script against the installed package:\n${smoke.stdout}${smoke.stderr}`)

    // The command line through the SDK's bin, from the tools' binary.
    const folder = path.join(dir, 'to-upload')
    fs.mkdirSync(path.join(folder, 'sub'), { recursive: true })
    fs.writeFileSync(path.join(folder, 'a.txt'), 'a')
    fs.writeFileSync(path.join(folder, 'sub', 'b c.txt'), 'bc')
    const upload = spawnSync(
      process.execPath,
      [path.join(dir, 'node_modules', '.bin', 'imagekit-native'), 'upload', folder, '--folder', '/packed', '--json', '--api-endpoint', server.apiEndpoint, '--upload-endpoint', server.uploadEndpoint],
      { cwd: dir, env: { ...env, IMAGEKIT_PRIVATE_KEY: server.privateKey }, encoding: 'utf8', timeout: 60_000 },
    )
    assert.equal(upload.status, 0, `imagekit-native upload:\n${upload.stdout}${upload.stderr}`)
    const summary = JSON.parse(upload.stdout.trim().split('\n').pop())
    assert.deepEqual([summary.type, summary.uploaded, summary.failed], ['summary', 2, 0])
  } finally {
    await server.stop()
  }

  // Without the platform packages: loading fails with the platform, the package and the fix
  // for a tarball (the pack command); in a package from npm, installing the platform package.
  const sdkOnly = sdkLine.split(' ').slice(0, 3).join(' ') // npm install imagekit@file:<main>
  const toolsOnly = toolsLine.split(' ').slice(0, 4).join(' ') // npm install --save-dev <tools>
  const bare = project(work, 'without-platform', [sdkOnly, toolsOnly], env)
  const expectMissing = (text, how, name, fix) => {
    for (const part of [platform, name, fix, ...SUPPORTED]) {
      assert.ok(text.includes(part), `${how} names ${part}:\n${text}`)
    }
  }
  fs.writeFileSync(path.join(bare, 'load.js'), `
try { require('imagekit'); console.log('{}') } catch (e) {
  console.log(JSON.stringify({ message: e.message, code: e.code, platform: e.platform, package: e.package, supported: e.supportedPlatforms, causes: Array.isArray(e.cause) || e.cause instanceof Error }))
}`)
  fs.writeFileSync(path.join(bare, 'load.mjs'), "import('imagekit').catch((e) => console.log(JSON.stringify({ message: e.message })))\n")
  const serverBin = path.join(bare, 'node_modules', '.bin', 'imagekit-native-server')
  const cliBin = path.join(bare, 'node_modules', '.bin', 'imagekit-native')
  for (const [published, addonFix, serverFix] of [
    [false, 'npm ci && npm run pack', 'npm ci && npm run pack'],
    [true, `npm install ${packageOf(platform)}@${pkg.version}`, `npm install --save-dev ${toolsPackageOf(platform)}@${pkg.version}`],
  ]) {
    if (published) {
      asPublished(path.join(bare, 'node_modules', 'imagekit'), packageOf(platform))
      asPublished(path.join(bare, 'node_modules', 'imagekit-native-tools'), toolsPackageOf(platform))
    }
    const how = published ? 'from npm' : 'from a tarball'
    const failure = JSON.parse(run(process.execPath, ['load.js'], { cwd: bare, env }))
    expectMissing(failure.message, `require (${how})`, packageOf(platform), addonFix)
    assert.deepEqual(
      { code: failure.code, platform: failure.platform, package: failure.package, supported: failure.supported, causes: failure.causes },
      { code: 'ERR_IMAGEKIT_NO_BINARY', platform, package: packageOf(platform), supported: SUPPORTED, causes: true },
    )
    expectMissing(JSON.parse(run(process.execPath, ['load.mjs'], { cwd: bare, env })).message, `ESM import (${how})`, packageOf(platform), addonFix)
    const noServer = spawnSync(process.execPath, [serverBin, '--help'], { cwd: bare, env, encoding: 'utf8' })
    assert.equal(noServer.status, 1)
    expectMissing(noServer.stderr, `imagekit-native-server (${how})`, toolsPackageOf(platform), serverFix)
    const noCli = spawnSync(process.execPath, [cliBin, '--help'], { cwd: bare, env, encoding: 'utf8' })
    assert.equal(noCli.status, 1)
    expectMissing(noCli.stderr, `imagekit-native (${how})`, toolsPackageOf(platform), serverFix)
  }
})

test('in a checkout, a missing binary is built: the error says how', () => {
  const { missingBinaryError, origin, serverBinary } = require('../platform.js')
  assert.equal(origin(), 'checkout')
  assert.match(missingBinaryError().message, /this is a checkout of the repository, where it is built: run `npm run build` in /)
  assert.equal(serverBinary(), path.join(root, 'target', 'release', process.platform === 'win32' ? 'imagekit-local-server.exe' : 'imagekit-local-server'))
})
