'use strict'
// The package as users get it: `npm pack`, installed as `imagekit` into a fresh project, used by
// a TypeScript program written against imagekit@6.0.0. The program must type-check under
// `tsc --strict` against both v6's typings and ours, then compile and run against the local
// server. Needs `npm run build` first (the .node binary is packed as it is).

const { test } = require('node:test')
const assert = require('node:assert/strict')
const { execFileSync, spawn } = require('node:child_process')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const readline = require('node:readline')

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

function run(command, args, options) {
  return execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], ...options })
}

/** Starts the local server on a free port; resolves with its endpoints and a stop function. */
async function startServer() {
  run('cargo', ['build', '--release', '--quiet', '-p', 'imagekit-local-server'], { cwd: root })
  const binary = path.join(root, 'target', 'release', 'imagekit-local-server')
  const child = spawn(binary, ['--port', '0', '--exit-on-stdin-close'], { stdio: ['pipe', 'pipe', 'inherit'] })
  const [line] = await readline.createInterface({ input: child.stdout })[Symbol.asyncIterator]().next().then((r) => [r.value])
  child.stdout.resume()
  return {
    config: JSON.parse(line),
    stop: () => new Promise((resolve) => {
      child.once('exit', resolve)
      child.stdin.end()
    }),
  }
}

function writeJson(file, value) {
  fs.writeFileSync(file, JSON.stringify(value, null, 2))
}

function tsconfig(extra) {
  return {
    compilerOptions: {
      strict: true,
      esModuleInterop: true,
      module: 'commonjs',
      moduleResolution: 'node',
      target: 'es2020',
      types: ['node'],
      outDir: 'out',
      ...extra,
    },
    files: ['main.ts'],
  }
}

test('the packed package installs, type-checks and runs a v6 TypeScript program', { timeout: 180_000 }, async (t) => {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'imagekit-pack-'))
  t.after(() => fs.rmSync(work, { recursive: true, force: true }))

  const [packed] = JSON.parse(run(npm, ['pack', '--json', '--pack-destination', work], { cwd: root }))
  const shipped = packed.files.map((f) => f.path)
  for (const file of ['imagekit.js', 'imagekit.d.ts', 'index.js', 'index.d.ts', 'dist/libs/interfaces/index.d.ts', 'dist/libs/interfaces/IKResponse.d.ts']) {
    assert.ok(shipped.includes(file), `${file} is packed (packed: ${shipped.join(', ')})`)
  }
  assert.ok(shipped.some((f) => f.endsWith('.node')), 'the native binary is packed')

  const project = path.join(work, 'project')
  fs.mkdirSync(project)
  writeJson(path.join(project, 'package.json'), { name: 'v6-user', private: true })
  const tarball = path.join(work, packed.filename)
  run(npm, ['install', `imagekit@file:${tarball}`, 'typescript@5', '@types/node', '--no-audit', '--no-fund', '--prefer-offline'], { cwd: project })
  fs.writeFileSync(path.join(project, 'main.ts'), PROGRAM)
  const tsc = path.join(project, 'node_modules', 'typescript', 'bin', 'tsc')

  // The program is v6 code: it type-checks against v6's own typings...
  writeJson(path.join(project, 'tsconfig.v6.json'), tsconfig({
    noEmit: true,
    paths: { imagekit: [path.join(reference, 'dist', 'index.d.ts')], 'imagekit/*': [path.join(reference, '*')] },
  }))
  typeCheck(tsc, project, 'tsconfig.v6.json', 'v6 typings')
  // ...and against this package's, unchanged.
  writeJson(path.join(project, 'tsconfig.check.json'), tsconfig({ noEmit: true }))
  typeCheck(tsc, project, 'tsconfig.check.json', 'this package')
  writeJson(path.join(project, 'tsconfig.json'), tsconfig({}))
  run(process.execPath, [tsc, '-p', 'tsconfig.json'], { cwd: project })

  const server = await startServer()
  try {
    const output = run(process.execPath, [path.join(project, 'out', 'main.js')], {
      cwd: project,
      env: { ...process.env, IK_SERVER: JSON.stringify(server.config) },
      timeout: 60_000,
    })
    assert.deepEqual(JSON.parse(output.trim().split('\n').pop()), { ok: true, fileType: 'non-image', files: 2, folders: 1 })
  } finally {
    await server.stop()
  }
})

function typeCheck(tsc, cwd, config, against) {
  try {
    run(process.execPath, [tsc, '-p', config], { cwd })
  } catch (e) {
    assert.fail(`tsc --strict against ${against} failed:\n${e.stdout}${e.stderr}`)
  }
}
