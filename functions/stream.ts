import '../lib/app/entities.js';
import { createStreamHandler } from '../lib/streams/handler.js';
import { observeStream } from '../lib/app/observed-stream.js';
import { projections } from '../lib/app/projections.js';
import { configureDeliveryQueue } from '../lib/webhooks/runtime.js';

// Deliveries this process queues go to SQS in AWS, to the in-process dispatcher under npm run dev.
configureDeliveryQueue();

/**
 * DynamoDB Streams trigger of the table (ReportBatchItemFailures, bisect on error), with its log
 * line, metrics, trace and the shops' sync status.
 */
export const handler = observeStream(createStreamHandler(projections));
