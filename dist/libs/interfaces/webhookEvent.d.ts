// v6's `imagekit/dist/libs/interfaces/webhookEvent`: the names it exports, declared in the package's index.d.ts.
export type {
  WebhookEvent,
  WebhookEventUploadPostTransformationError,
  WebhookEventUploadPostTransformationSuccess,
  WebhookEventUploadPreTransformationError,
  WebhookEventUploadPreTransformationSuccess,
  WebhookEventVideoTransformationAccepted,
  WebhookEventVideoTransformationError,
  WebhookEventVideoTransformationReady,
} from '../../../index'
