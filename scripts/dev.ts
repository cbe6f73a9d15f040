import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { SignJWT } from 'jose';
import { dynamo, ensureTable, tableName } from '../lib/db/client.js';
import { startApiGatewayServer } from './local/apigw-server.js';
import { startDynamoDbLocal } from './local/dynamodb-local.js';
import { startStreamPoller } from './local/stream-poller.js';
import { seedDemoShop } from './seed/seed.js';

/**
 * `npm run dev`: DynamoDB Local (in memory, or `--persist` in .dynamodb/), the demo shop, the
 * GraphQL Lambda handler behind a local API Gateway, and the stream poller feeding the stream
 * handler. Everything stops on Ctrl-C.
 */
const { values } = parseArgs({
  options: {
    persist: { type: 'boolean', default: false },
    port: { type: 'string', default: process.env.PORT ?? '4000' },
  },
});

const stateDir = join(process.cwd(), '.dynamodb');
mkdirSync(stateDir, { recursive: true });

const external = process.env.DYNAMODB_ENDPOINT;
const db = external ? undefined : await startDynamoDbLocal({ persistDir: values.persist ? join(stateDir, 'data') : undefined, quiet: true });
process.env.DYNAMODB_ENDPOINT = external ?? db!.endpoint;
process.env.TABLE_NAME ??= 'retention-dev';
await ensureTable(dynamo().raw, tableName());

console.log(`DynamoDB ${external ? '(external)' : 'Local'} at ${process.env.DYNAMODB_ENDPOINT}, table ${tableName()}${values.persist ? ' (persisted in .dynamodb/data)' : ' (in memory)'}`);
console.log('Seeding the demo shop...');
const demo = await seedDemoShop(new Date(), (line) => console.log(line));

// The functions are imported after the environment is set, as Lambda would load them.
const { handler: graphqlHandler } = await import('../functions/graphql.js');
const { handler: streamHandler } = await import('../functions/stream.js');
const { handler: healthHandler } = await import('../functions/health.js');

const api = await startApiGatewayServer({ port: Number(values.port), handler: graphqlHandler as never, healthHandler });
const poller = await startStreamPoller({
  endpoint: process.env.DYNAMODB_ENDPOINT,
  tableName: tableName(),
  handler: streamHandler,
  intervalMs: 1000,
  onError: (error) => console.error('stream:', error instanceof Error ? error.message : error),
});

// Scheduled functions run here on a timer, as EventBridge runs them in AWS.
const { schedules } = await import('../lib/schedules.js');
const timers = await Promise.all(
  schedules.map(async (job) => {
    const [file, exported] = job.handler.split('.');
    const module = await import(`../${file}.js`);
    let running = false;
    return setInterval(() => {
      if (running) return;
      running = true;
      Promise.resolve(module[exported!]({ source: 'local.scheduler', 'detail-type': 'Scheduled Event', time: new Date().toISOString() }))
        .catch((error: unknown) => console.error(`${job.name}:`, error instanceof Error ? error.message : error))
        .finally(() => {
          running = false;
        });
    }, job.localEveryMs);
  }),
);

// The admin CLI finds this dev server's database through this file.
const devFile = join(stateDir, 'dev.json');
writeFileSync(devFile, JSON.stringify({ endpoint: process.env.DYNAMODB_ENDPOINT, tableName: tableName(), url: api.url, pid: process.pid }));

const iat = Math.floor(Date.now() / 1000);
const customerToken = await new SignJWT({})
  .setProtectedHeader({ alg: 'HS256' })
  .setSubject(demo.sampleCustomer)
  .setIssuedAt(iat)
  .setExpirationTime(iat + 3600)
  .sign(new TextEncoder().encode(demo.storefrontSecret));

console.log(`
GraphQL API: ${api.url}

Demo shop "demo-shop" (EUR, Europe/Berlin). Keys for this session (shown once):
  secret key (all scopes): ${demo.secretKey}
  publishable key:         ${demo.publishableKey}
  customer token for ${demo.sampleCustomer} (1 hour): ${customerToken}

Try:
  curl -s ${api.url} -H 'content-type: application/json' -H 'authorization: Bearer ${demo.secretKey}' \\
    -d '{"query":"{ customers(first: 3) { nodes { externalId statistics { ordersCount totalSpent { amount currencyCode } } } } }"}'

  curl -s ${api.url} -H 'content-type: application/json' -H 'authorization: Bearer ${demo.publishableKey}' \\
    -H 'x-customer-token: ${customerToken}' -d '{"query":"{ me { externalId statistics { ordersCount } } }"}'

Ctrl-C stops the API, the stream poller and DynamoDB Local.`);

let stopping = false;
async function shutdown(): Promise<void> {
  if (stopping) return;
  stopping = true;
  for (const timer of timers) clearInterval(timer);
  await api.close().catch(() => {});
  await poller.stop().catch(() => {});
  await db?.stop();
  rmSync(devFile, { force: true });
  process.exit(0);
}
process.on('SIGINT', () => void shutdown());
process.on('SIGTERM', () => void shutdown());
