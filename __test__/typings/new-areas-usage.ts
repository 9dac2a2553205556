// The API areas v6 lacks, typed in v6's style: each method returns a Promise of
// IKResponse<T> or takes the trailing callback.
import ImageKit from "../../imagekit";
import type {
  CreateOriginOptions,
  NamedTransformation,
  Origin,
  SavedExtension,
  UrlEndpoint,
  UsageAnalyticsResponse,
  UsageResponse,
} from "../../dist/libs/interfaces";

const imagekit = new ImageKit({ publicKey: "a", privateKey: "b", urlEndpoint: "https://ik.imagekit.io/demo" });

async function areas(): Promise<void> {
  const job = await imagekit.renameFolder({ folderPath: "/products", newFolderName: "catalog", purgeCache: true });
  const jobId: string = job.jobId;

  const saved: SavedExtension = await imagekit.createSavedExtension({
    name: "Tags",
    description: "Tags clothing",
    config: { name: "ai-tasks", tasks: [{ type: "select_tags", instruction: "Which clothes?", vocabulary: ["shirt"] }] },
  });
  await imagekit.updateSavedExtension(saved.id, { config: { name: "google-auto-tagging", maxTags: 5, minConfidence: 80 } });
  const extensions = await imagekit.listSavedExtensions();
  console.log(extensions.length, extensions.$ResponseMetadata.statusCode);

  const named: NamedTransformation = await imagekit.createNamedTransformation({ name: "thumb", transformation: "w-150" });
  await imagekit.updateNamedTransformation(named.id, { enabled: false });
  imagekit.getNamedTransformation(named.id, (error, result) => console.log(error, result?.transformation));

  const s3: CreateOriginOptions = { type: "S3", name: "bucket", bucket: "b", accessKey: "", secretKey: "", useIAMRole: true };
  const origin: Origin = await imagekit.createOrigin(s3);
  await imagekit.updateOrigin(origin.id, { type: "WEB_FOLDER", name: "site", baseUrl: "https://example.com" });
  await imagekit.deleteOrigin(origin.id);

  const endpoint: UrlEndpoint = await imagekit.createUrlEndpoint({ description: "Shop", urlPrefix: "shop", origins: [origin.id] });
  await imagekit.updateUrlEndpoint(endpoint.id, { description: "Store", urlRewriter: { type: "IMGIX" } });
  imagekit.listUrlEndpoints((error, endpoints) => console.log(error, endpoints?.map((e) => e.urlPrefix)));

  const usage: UsageResponse = await imagekit.getUsage({ startDate: "2026-11-01", endDate: "2026-12-01" });
  const analytics: UsageAnalyticsResponse = await imagekit.getUsageAnalytics({ startDate: "2026-11-01", endDate: "2026-11-30" });
  console.log(jobId, usage.bandwidthBytes, analytics.topImages.byBandwidth[0]?.name);
}
void areas;

// Mistakes the typings reject.
// @ts-expect-error: an origin's type is one of ImageKit's
imagekit.createOrigin({ type: "FTP", name: "x" });
// @ts-expect-error: a named transformation needs its transformation
imagekit.createNamedTransformation({ name: "thumb" });
// @ts-expect-error: usage needs both dates
imagekit.getUsage({ startDate: "2026-11-01" });
