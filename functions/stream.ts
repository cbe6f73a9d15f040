import { createStreamHandler } from '../lib/streams/handler.js';
import { projections } from '../lib/streams/projections.js';

/** DynamoDB Streams trigger of the table (ReportBatchItemFailures, bisect on error). */
export const handler = createStreamHandler(projections);
