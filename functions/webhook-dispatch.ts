import '../lib/app/entities.js';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { systemClock } from '../lib/common/clock.js';
import { dispatchDeliveries } from '../lib/webhooks/index.js';
import { refsOf } from '../lib/webhooks/runtime.js';

/**
 * SQS consumer: attempts each queued delivery concurrently, each with its own 10 s timeout. A
 * failed attempt is not an SQS failure (the retry lives in the table, for the sweep); only a
 * fault (DynamoDB unreachable) returns the message to the queue, and after a few the DLQ.
 */
export const handler = async (event: SQSEvent): Promise<SQSBatchResponse> => {
  const refs = refsOf(event.Records.map((record) => record.body));
  const failures: SQSBatchResponse['batchItemFailures'] = [];
  await Promise.all(
    event.Records.map(async (record, index) => {
      const ref = refs[index];
      if (!ref) return;
      try {
        await dispatchDeliveries([ref], { clock: systemClock });
      } catch {
        failures.push({ itemIdentifier: record.messageId });
      }
    }),
  );
  return { batchItemFailures: failures };
};
