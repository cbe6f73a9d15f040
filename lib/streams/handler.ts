import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { errorFields, logger } from '../common/logger.js';
import { writeDeadLetter } from './dead-letters.js';
import { decode } from './records.js';

/** One item change from the table's stream, with the images decoded. */
export interface ItemChange {
  eventName: 'INSERT' | 'MODIFY' | 'REMOVE';
  /** ElectroDB's entity name of the item (`__edb_e__`), e.g. 'order'. */
  entity: string | undefined;
  oldImage: Record<string, unknown> | undefined;
  newImage: Record<string, unknown> | undefined;
  sequenceNumber: string;
}

/**
 * A read model fed by the stream. `apply` must be idempotent: Lambda delivers at least once, and
 * a failed batch is delivered again from the failed record on.
 */
export interface Projection {
  name: string;
  /** Whether this projection cares about the change (cheap; decides without I/O). */
  accepts(change: ItemChange): boolean;
  apply(change: ItemChange): Promise<void>;
}


/** Where a record goes when a projection still fails it after its retries (the table, by default). */
export type DeadLetterSink = (letter: {
  record: DynamoDBRecord;
  change: ItemChange;
  projection: string;
  error: unknown;
  attempts: number;
}) => Promise<void>;

export interface StreamHandlerOptions {
  /** Tries of one projection on one record before it is dead-lettered. Default 3. */
  maxAttempts?: number;
  /** Pause before the n-th retry, in ms (n from 1). Default 100 x 2^(n-1). */
  retryDelayMs?: (retry: number) => number;
  deadLetter?: DeadLetterSink;
}

/** Given a change, returns what a projection's failure says about it, for logs (no item data). */
function describe(change: ItemChange) {
  return { sequenceNumber: change.sequenceNumber, entity: change.entity };
}

/**
 * Builds the DynamoDB Streams handler over the given projections. Records are applied in order,
 * each projection retried in-process a bounded number of times; a projection that still fails a
 * record writes it to the dead letters (the record, the error, the projection, attempts, time)
 * and the batch moves on, so one poison record neither blocks its shard nor is dropped: it waits
 * for `npm run admin -- stream-dlq replay`. Only when the dead letter itself cannot be written
 * does the handler stop and report that record (ReportBatchItemFailures), so Lambda retries from it.
 */
export function createStreamHandler(projections: Projection[], options: StreamHandlerOptions = {}) {
  const maxAttempts = Math.max(1, options.maxAttempts ?? 3);
  const retryDelayMs = options.retryDelayMs ?? ((retry: number) => 100 * 2 ** (retry - 1));
  return async (event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> => {
    const deadLetter = options.deadLetter ?? writeDeadLetter;
    for (const record of event.Records) {
      const change = decode(record);
      for (const projection of projections) {
        if (!projection.accepts(change)) continue;
        let attempt = 0;
        for (;;) {
          attempt += 1;
          try {
            await projection.apply(change);
            break;
          } catch (error) {
            if (attempt < maxAttempts) {
              await new Promise((resolve) => setTimeout(resolve, retryDelayMs(attempt)));
              continue;
            }
            logger.error('stream record dead-lettered', { projection: projection.name, attempts: attempt, ...describe(change), error: errorFields(error) });
            try {
              await deadLetter({ record, change, projection: projection.name, error, attempts: attempt });
            } catch (sinkError) {
              logger.error('dead letter not written; the batch stops here', { ...describe(change), error: errorFields(sinkError) });
              return { batchItemFailures: [{ itemIdentifier: change.sequenceNumber }] };
            }
            break;
          }
        }
      }
    }
    return { batchItemFailures: [] };
  };
}
