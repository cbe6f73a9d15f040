import { randomBytes } from 'node:crypto';
import { DeleteTableCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, inject } from 'vitest';
import { dynamo, ensureTable, resetDynamo, tableName } from '../../lib/db/client.js';
import { startDynamoDbLocal } from '../../scripts/local/dynamodb-local.js';

// Each test file gets a DynamoDB Local of its own (about 2.5 s to start), not one shared by the
// run: DynamoDB Local keeps every stream record it has seen, even a deleted table's, and every
// later write to a table with a stream slows with them (measured: PutItem 3 ms on a fresh
// instance, 25 ms after one deleted table's 20,000 records), so a shared instance made the
// suite's last files 25 times slower than the same files alone. Against an external endpoint
// (`DYNAMODB_ENDPOINT`) each file gets a table of its own instead, deleted after it.
const shared = inject('sharedDynamodbEndpoint');
const local = shared ? undefined : await startDynamoDbLocal({ quiet: true });
process.env.DYNAMODB_ENDPOINT = shared || local!.endpoint;
const table = `test_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
process.env.TABLE_NAME = table;
// Stored secrets are sealed under a key-encryption key that is not in the table: one per file.
process.env.SECRETS_LOCAL_KEY = randomBytes(32).toString('base64');
resetDynamo();
await ensureTable(dynamo().raw, tableName());

// Registered first, so it runs after the file's own afterAll hooks.
afterAll(async () => {
  if (local) {
    resetDynamo();
    await local.stop();
    return;
  }
  await dynamo().raw.send(new DeleteTableCommand({ TableName: table }));
  resetDynamo();
});
