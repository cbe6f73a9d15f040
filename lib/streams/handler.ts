import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { errorFields, logger } from '../common/logger.js';

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

function decode(record: DynamoDBRecord): ItemChange {
  const image = (value: unknown) => (value ? unmarshall(value as Record<string, AttributeValue>) : undefined);
  const newImage = image(record.dynamodb?.NewImage);
  const oldImage = image(record.dynamodb?.OldImage);
  return {
    eventName: record.eventName as ItemChange['eventName'],
    entity: (newImage?.__edb_e__ ?? oldImage?.__edb_e__) as string | undefined,
    oldImage,
    newImage,
    sequenceNumber: record.dynamodb?.SequenceNumber ?? '',
  };
}

/**
 * Builds the DynamoDB Streams handler over the given projections. Records are applied in order;
 * at the first failure the handler stops and reports that record (ReportBatchItemFailures), so
 * Lambda retries from it, and the records before it are never applied twice by this batch.
 */
export function createStreamHandler(projections: Projection[]) {
  return async (event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> => {
    for (const record of event.Records) {
      const change = decode(record);
      try {
        for (const projection of projections) {
          if (projection.accepts(change)) await projection.apply(change);
        }
      } catch (error) {
        logger.error('stream record failed', { sequenceNumber: change.sequenceNumber, entity: change.entity, error: errorFields(error) });
        return { batchItemFailures: [{ itemIdentifier: change.sequenceNumber }] };
      }
    }
    return { batchItemFailures: [] };
  };
}
