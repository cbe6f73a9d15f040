/**
 * `npx tsx scripts/local/stream-slowdown.ts`: shows why every integration test file starts its own
 * DynamoDB Local (tests/setup/table.ts). On a fresh instance it times PutItem on a table with a
 * stream, writes 20,000 items to another stream-enabled table, deletes that table, and times
 * PutItem again; then the same with a table without a stream. DynamoDB Local keeps the deleted
 * table's stream records and every later write pays for them.
 */
import { BatchWriteItemCommand, CreateTableCommand, DeleteTableCommand, DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { startDynamoDbLocal } from './dynamodb-local.js';

async function putLatencyMs(client: DynamoDBClient): Promise<number> {
  const name = await table(client, true);
  const start = performance.now();
  for (let i = 0; i < 300; i += 1) await client.send(new PutItemCommand({ TableName: name, Item: { pk: { S: `k${i}` }, v: { S: 'x'.repeat(200) } } }));
  const ms = (performance.now() - start) / 300;
  await client.send(new DeleteTableCommand({ TableName: name }));
  return ms;
}

let tables = 0;
async function table(client: DynamoDBClient, stream: boolean): Promise<string> {
  const name = `slowdown_${(tables += 1)}`;
  await client.send(
    new CreateTableCommand({
      TableName: name,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      ...(stream ? { StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' } } : {}),
    }),
  );
  return name;
}

async function loadAndDelete(client: DynamoDBClient, stream: boolean): Promise<void> {
  const name = await table(client, stream);
  for (let i = 0; i < 20_000; i += 25) {
    const items = Array.from({ length: 25 }, (_, j) => ({ PutRequest: { Item: { pk: { S: `k${i + j}` }, v: { S: 'x'.repeat(300) } } } }));
    await client.send(new BatchWriteItemCommand({ RequestItems: { [name]: items } }));
  }
  await client.send(new DeleteTableCommand({ TableName: name }));
}

for (const stream of [false, true]) {
  const local = await startDynamoDbLocal({ quiet: true });
  const client = new DynamoDBClient({ endpoint: local.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  try {
    await putLatencyMs(client); // warm the JVM
    const before = await putLatencyMs(client);
    await loadAndDelete(client, stream);
    const after = await putLatencyMs(client);
    console.log(`after a deleted table of 20,000 items ${stream ? 'with' : 'without'} a stream: PutItem ${before.toFixed(1)} ms -> ${after.toFixed(1)} ms`);
  } finally {
    client.destroy();
    await local.stop();
  }
}
