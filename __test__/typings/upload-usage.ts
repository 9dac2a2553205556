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
