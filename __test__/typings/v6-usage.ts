// Code written against imagekit@6.0.0's typings: it must type-check against this package.
import ImageKit from "../../imagekit";
import type { UrlOptions, WebhookEventVideoTransformationAccepted } from "../../dist/libs/interfaces";

const imagekit = new ImageKit({
  publicKey: "public_key_test",
  privateKey: "private_key_test",
  urlEndpoint: "https://ik.imagekit.io/demo",
});

const plain: string = imagekit.url({ path: "/default-image.jpg" });
const chained: string = imagekit.url({
  path: "/default-image.jpg",
  urlEndpoint: "https://ik.imagekit.io/other",
  transformation: [{ height: "300", width: 400 }, { rotation: 90, effectGray: "-" }, { raw: "l-text,i-Hi,l-end", progressive: true }],
  transformationPosition: "query",
  queryParameters: { v: "123" },
});
const options: UrlOptions = { src: "https://ik.imagekit.io/demo/a.jpg", signed: true, expireSeconds: 300 };
const signed: string = imagekit.url(options);

const auth = imagekit.getAuthenticationParameters();
const fixed = imagekit.getAuthenticationParameters("token", 1700000000);
const signature: string = auth.signature;
const token: string = fixed.token;
const expire: number = fixed.expire;

const distance = imagekit.pHashDistance("f06830ca9f1e3e90", "f06830ca9f1e3e90");
if (typeof distance === "number") console.log(distance.toFixed(0));
else console.log(distance.message);

const body = Buffer.from('{"type":"video.transformation.accepted"}');
const { timestamp, event } = imagekit.verifyWebhookEvent(body, "t=1,v1=x", "whsec_x");
const when: number = timestamp;
// v6 declares the event as a union ending in `Object`: callers narrow it with a cast.
const accepted = event as WebhookEventVideoTransformationAccepted;
if (accepted.type === "video.transformation.accepted") console.log(accepted.data.asset.url, accepted.created_at, when);
imagekit.verifyWebhookEvent('{"a":1}', "t=1,v1=x", "whsec_x");
imagekit.verifyWebhookEvent(new Uint8Array(body), "t=1,v1=x", "whsec_x");

console.log(plain, chained, signed, signature, token, expire);

// Mistakes v6's typings reject must stay rejected.
// @ts-expect-error: urlEndpoint is required
new ImageKit({ publicKey: "a", privateKey: "b" });
// @ts-expect-error: transformationPosition is "path" or "query"
imagekit.url({ path: "/a.jpg", transformationPosition: "middle" });

// v6 declares the merged options on the instance.
const endpoint: string = imagekit.options.urlEndpoint;
void endpoint;
