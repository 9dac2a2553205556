// Upload progress, typed: the @ts-expect-error lines fail the check if they stop being errors.
import ImageKit from "../../imagekit";
import type { UploadProgress } from "../../dist/libs/interfaces";

const imagekit = new ImageKit({
  publicKey: "a",
  privateKey: "b",
  urlEndpoint: "https://ik.imagekit.io/demo",
});

async function progress(): Promise<void> {
  const seen: UploadProgress[] = [];
  await imagekit.upload({
    file: Buffer.from("x"),
    fileName: "x.bin",
    onProgress: (event) => {
      const loaded: number = event.loaded;
      const total: number | null = event.total;
      seen.push({ loaded, total });
    },
  });
  await imagekit.upload({
    file: "x",
    fileName: "x.bin",
    // @ts-expect-error onProgress is a function
    onProgress: "yes",
  });
  imagekit.upload({ file: "x", fileName: "x", onProgress: () => undefined }, (error, result) => {
    if (!error && result) console.log(result.fileId);
  });
}

void progress;

import type { FolderFileResult, FolderUploadSummary, FolderUploadTotals, UploadFolderOptions } from "../../dist/libs/interfaces";

async function folder(): Promise<void> {
  const options: UploadFolderOptions = {
    folder: "/site",
    concurrency: 4,
    include: ["*.jpg", "*.png"],
    exclude: "**/tmp/**",
    overwrite: false,
    dryRun: true,
    signal: new AbortController().signal,
    tags: ["bulk"],
    isPrivateFile: false,
    customMetadata: { sku: "123" },
    onProgress: (totals: FolderUploadTotals) => console.log(totals.filesDone / totals.filesTotal, totals.bytesDone),
    onFile: (file: FolderFileResult) => {
      if (file.status === "failed" && file.error) console.log(file.path, file.error.code, file.error.message);
      // @ts-expect-error not a status
      if (file.status === "done") return;
    },
  };
  const summary: FolderUploadSummary = await imagekit.uploadFolder("./public", options);
  const failed: number = summary.failures.length + summary.failed;
  const aborted: boolean = summary.aborted;
  await imagekit.uploadFolder(new URL("file:///tmp/x"));
  // @ts-expect-error the file is the engine's
  await imagekit.uploadFolder("./public", { fileName: "x" });
  // @ts-expect-error concurrency is a number
  await imagekit.uploadFolder("./public", { concurrency: "4" });
  console.log(failed, aborted);
}

void folder;
