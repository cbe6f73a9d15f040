import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import type { ItemChange } from './handler.js';

/** Given a Lambda DynamoDB Streams record, returns the item change with its images decoded. */
export function decode(record: DynamoDBRecord): ItemChange {
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
