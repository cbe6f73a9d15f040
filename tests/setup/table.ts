import { randomBytes } from 'node:crypto';
import { DeleteTableCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, inject } from 'vitest';
import { dynamo, ensureTable, resetDynamo, tableName } from '../../lib/db/client.js';

// Each test file gets a table of its own, so files running side by side never see each other's
// items and no test has to clean up after itself.
process.env.DYNAMODB_ENDPOINT = inject('dynamodbEndpoint');
const table = `test_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
process.env.TABLE_NAME = table;
// Stored secrets are sealed under a key-encryption key that is not in the table: one per file.
process.env.SECRETS_LOCAL_KEY = randomBytes(32).toString('base64');
resetDynamo();
await ensureTable(dynamo().raw, tableName());

// Registered first, so it runs after the file's own afterAll hooks; matters on a shared endpoint
// (DYNAMODB_ENDPOINT set), where tables would otherwise pile up across runs.
afterAll(async () => {
  await dynamo().raw.send(new DeleteTableCommand({ TableName: table }));
  resetDynamo();
});
