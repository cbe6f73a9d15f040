import '../lib/app/entities.js';
import { createGraphQLHandler } from '../lib/graphql/server.js';
import { configureDeliveryQueue } from '../lib/webhooks/runtime.js';

// Deliveries this process queues go to SQS in AWS, to the in-process dispatcher under npm run dev.
configureDeliveryQueue();

/** `POST /graphql` on the API Gateway HTTP API. */
export const handler = createGraphQLHandler();
