// v7's helper and Standard Webhooks on the v6 class, typed as @imagekit/nodejs 7.11 types
// them: the @ts-expect-error lines are what v7's types reject, and fail the check if they
// stop being errors.
import ImageKit from "../../imagekit";
import type {
  GetImageAttributesOptions,
  HelperTransformation,
  Overlay,
  ResponsiveImageAttributes,
  SrcOptions,
  UnwrapWebhookEvent,
} from "../../dist/libs/interfaces";

const imagekit = new ImageKit({
  publicKey: "a",
  privateKey: "b",
  urlEndpoint: "https://ik.imagekit.io/demo",
  webhookSecret: "whsec_x",
});

const steps: HelperTransformation[] = [
  { width: 300, height: "ih_div_2", crop: "at_max", aiRemoveBackground: true, sharpen: 10 },
  {
    overlay: {
      type: "text",
      text: "Hi there!",
      encoding: "base64",
      position: { x: 10, focus: "bottom_right" },
      timing: { start: 2, duration: "5" },
      transformation: [{ fontSize: 20, fontColor: "FF0000" }],
    },
  },
  { overlay: { type: "image", input: "/logo.png", layerMode: "multiply" } },
  { overlay: { type: "video", input: "/clip.mp4" } },
  { overlay: { type: "subtitle", input: "/subs.srt", transformation: [{ fontOutline: "2_A1CCDD" }] } },
  { overlay: { type: "solidColor", color: "FF0000", transformation: [{ width: 100, gradient: true }] } },
  { streamingResolutions: ["240", "1080"], raw: "l-text,i-x,l-end" },
];
const options: SrcOptions = { src: "/a.jpg", transformation: steps, transformationPosition: "path", signed: true, expiresIn: 300 };
const url: string = imagekit.helper.buildSrc(options);
const tr: string = imagekit.helper.buildTransformationString(steps);
const auth: { token: string; expire: number; signature: string } = imagekit.helper.getAuthenticationParameters();
const attributes: ResponsiveImageAttributes = imagekit.helper.getResponsiveImageAttributes({
  src: "/a.jpg",
  width: 400,
  sizes: "(min-width: 768px) 50vw, 100vw",
  deviceBreakpoints: [640, 1080],
  imageBreakpoints: [16, 32],
} satisfies GetImageAttributesOptions);
const srcSet: string | undefined = attributes.srcSet;

// @ts-expect-error: an overlay without its type
const untyped: Overlay = { text: "Hi" };
// @ts-expect-error: an overlay type v7 does not have
const unknownType: Overlay = { type: "sticker", input: "/a.png" };
// @ts-expect-error: a text overlay without text
const noText: Overlay = { type: "text" };
// @ts-expect-error: an image overlay without its input
const noInput: Overlay = { type: "image" };
// @ts-expect-error: a crop mode v7 does not have
const badCrop: HelperTransformation = { crop: "squash" };
// @ts-expect-error: buildSrc needs a src
imagekit.helper.buildSrc({ urlEndpoint: "https://ik.imagekit.io/demo" });

function handle(body: string, headers: Record<string, string>): string {
  const event: UnwrapWebhookEvent = imagekit.webhooks.unwrap(body, { headers });
  // The union is discriminated by `type`.
  switch (event.type) {
    case "file.deleted":
      return event.data.fileId;
    case "file-version.deleted":
      return event.data.versionId;
    case "file.created":
    case "file.updated":
    case "file-version.created":
      return event.data.name;
    case "video.transformation.ready":
      return event.data.transformation.output.url;
    default:
      return event.type;
  }
}
// @ts-expect-error: unwrap needs the headers
imagekit.webhooks.unwrap("{}");
imagekit.webhooks.unwrap(Buffer.from("{}"), { headers: {}, key: "whsec_y" });
const unsafe: UnwrapWebhookEvent = imagekit.webhooks.unsafeUnwrap("{}");

export { url, tr, auth, srcSet, handle, unsafe, untyped, unknownType, noText, noInput, badCrop };
