// The options v6 lacks: limits given to the constructor, and per-call limits and a signal
// given to withOptions, which returns an ImageKit.
import ImageKit from "../../imagekit";
import type { CallOptions, ImageKitOptions } from "../../dist/libs/interfaces";

const options: ImageKitOptions = {
  publicKey: "a",
  privateKey: "b",
  urlEndpoint: "https://ik.imagekit.io/demo",
  timeout: 30000,
  connectTimeout: 5000,
  idleTimeout: 60000,
  maxRetries: 2,
  maxResponseBytes: 1024 * 1024,
};
const imagekit = new ImageKit(options);

async function limits(): Promise<void> {
  const controller = new AbortController();
  const perCall: CallOptions = { timeout: 1000, maxRetries: 0, signal: controller.signal };
  const bounded: ImageKit = imagekit.withOptions(perCall);
  const file = await bounded.getFileDetails("file_id");
  console.log(file.fileId, bounded.withOptions({ idleTimeout: 500 }).url({ path: "/a.jpg" }));
  controller.abort(new Error("gone"));

  // @ts-expect-error the private key is the instance's, not a per-call option
  imagekit.withOptions({ privateKey: "c" });
  // @ts-expect-error a signal is an AbortSignal
  imagekit.withOptions({ signal: "stop" });
  // @ts-expect-error timeouts are numbers of milliseconds
  new ImageKit({ ...options, timeout: "30s" });
}

limits();

// The loggers people pass: pino's and winston's own types are accepted as `logger`.
import pino from "pino";
import * as winston from "winston";
new ImageKit({ publicKey: "p", privateKey: "k", urlEndpoint: "https://ik.imagekit.io/demo", logLevel: "debug", logger: pino() });
new ImageKit({ publicKey: "p", privateKey: "k", urlEndpoint: "https://ik.imagekit.io/demo", logLevel: "debug", logger: pino().child({ request: "r1" }) });
new ImageKit({ publicKey: "p", privateKey: "k", urlEndpoint: "https://ik.imagekit.io/demo", logLevel: "debug", logger: winston.createLogger() });
