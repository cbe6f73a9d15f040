import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';

/**
 * The one definition of the single table: key schema, global secondary indexes, stream and TTL.
 * `sst.config.ts`, the local bootstrap and the tests all read it, so they cannot drift apart.
 *
 * Index attributes are generic (`gsi1pk`, `gsi1sk`, ...): each entity maps its own questions onto
 * them in `lib/db/entities.ts`, which is the only place that knows what a key looks like.
 */
export const tableDefinition = {
  partitionKey: 'pk',
  sortKey: 'sk',
  globalIndexes: {
    gsi1: { partitionKey: 'gsi1pk', sortKey: 'gsi1sk' },
    gsi2: { partitionKey: 'gsi2pk', sortKey: 'gsi2sk' },
    gsi3: { partitionKey: 'gsi3pk', sortKey: 'gsi3sk' },
  },
  /** Items with this attribute (epoch seconds) are removed by DynamoDB's TTL sweeper. */
  ttlAttribute: 'ttl',
  streamViewType: 'NEW_AND_OLD_IMAGES',
} as const;

export type IndexName = keyof typeof tableDefinition.globalIndexes;

/** Every attribute that takes part in a key: all strings. */
export function keyAttributes(): string[] {
  const attrs: string[] = [tableDefinition.partitionKey, tableDefinition.sortKey];
  for (const index of Object.values(tableDefinition.globalIndexes)) {
    attrs.push(index.partitionKey, index.sortKey);
  }
  return attrs;
}

/** Given a table name, returns the CreateTable request for DynamoDB (Local or AWS). */
export function createTableInput(tableName: string): CreateTableCommandInput {
  const { partitionKey, sortKey, globalIndexes, streamViewType } = tableDefinition;
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: keyAttributes().map((name) => ({ AttributeName: name, AttributeType: 'S' })),
    KeySchema: [
      { AttributeName: partitionKey, KeyType: 'HASH' },
      { AttributeName: sortKey, KeyType: 'RANGE' },
    ],
    GlobalSecondaryIndexes: Object.entries(globalIndexes).map(([name, index]) => ({
      IndexName: name,
      KeySchema: [
        { AttributeName: index.partitionKey, KeyType: 'HASH' },
        { AttributeName: index.sortKey, KeyType: 'RANGE' },
      ],
      Projection: { ProjectionType: 'ALL' },
    })),
    StreamSpecification: { StreamEnabled: true, StreamViewType: streamViewType },
  };
}
