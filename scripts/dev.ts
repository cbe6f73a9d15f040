import '../lib/app/entities.js';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { SignJWT } from 'jose';
import { dynamo, ensureTable, tableName } from '../lib/db/client.js';
import { buildConsole } from './build-console.js';
import { startApiGatewayServer } from './local/apigw-server.js';
import { startDynamoDbLocal } from './local/dynamodb-local.js';
import { useLocalKeyEncryptionKey } from './local/local-kek.js';
import { startStreamPoller, StreamRecordSkippedError } from './local/stream-poller.js';
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
useLocalKeyEncryptionKey(stateDir);

const external = process.env.DYNAMODB_ENDPOINT;
const db = external ? undefined : await startDynamoDbLocal({ persistDir: values.persist ? join(stateDir, 'data') : undefined, quiet: true });
process.env.DYNAMODB_ENDPOINT = external ?? db!.endpoint;
process.env.TABLE_NAME ??= 'retention-dev';
await ensureTable(dynamo().raw, tableName());

console.log(`DynamoDB ${external ? '(external)' : 'Local'} at ${process.env.DYNAMODB_ENDPOINT}, table ${tableName()}${values.persist ? ' (persisted in .dynamodb/data)' : ' (in memory)'}`);
console.log('Seeding the demo shop...');
const demo = await seedDemoShop(new Date(), (line) => console.log(line));

const iat = Math.floor(Date.now() / 1000);
const customerToken = await new SignJWT({})
  .setProtectedHeader({ alg: 'HS256' })
  .setSubject(demo.sampleCustomer)
  .setIssuedAt(iat)
  .setExpirationTime(iat + 3600)
  .sign(new TextEncoder().encode(demo.storefrontSecret));

// The console and the explorer, built from node_modules; the demo shop's keys are handed to them
// through a document only this dev server serves (console/src/dev-connection.ts).
const consoleDir = await buildConsole();
const devConnectionPath = '/console/dev-connection.json';
process.env.CONSOLE_DEV_CONNECTION_URL = devConnectionPath;
const devConnection = {
  shopName: 'Demo Coffee Roasters',
  secretKey: demo.secretKey,
  publishableKey: demo.publishableKey,
  customerToken,
  sampleCustomer: demo.sampleCustomer,
};
const landingPage = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Retention API (dev)</title></head>
<body style="font: 16px/1.5 system-ui, sans-serif; max-width: 40rem; margin: 3rem auto">
<h1>Retention API</h1>
<ul>
<li><a href="/console/">Console</a>: the demo shop's retention dashboard.</li>
<li><a href="/graphql">GraphQL explorer</a> (GraphiQL), with the demo shop's secret key as a header.</li>
</ul></body></html>`;

// The functions are imported after the environment is set, as Lambda would load them.
const { handler: graphqlHandler } = await import('../functions/graphql.js');
const { handler: streamHandler } = await import('../functions/stream.js');
const { handler: healthHandler } = await import('../functions/health.js');

const api = await startApiGatewayServer({
  port: Number(values.port),
  handler: graphqlHandler as never,
  healthHandler,
  staticDirs: { '/console': consoleDir },
  documents: {
    '/': { contentType: 'text/html; charset=utf-8', body: landingPage },
    [devConnectionPath]: { contentType: 'application/json', body: JSON.stringify(devConnection) },
  },
});
const origin = new URL(api.url).origin;
const poller = await startStreamPoller({
  endpoint: process.env.DYNAMODB_ENDPOINT,
  tableName: tableName(),
  handler: streamHandler,
  intervalMs: 1000,
  // The handler dead-letters what its projections cannot apply; a record the poller would still
  // skip (the dead letter itself could not be written) is kept as a whole-record dead letter.
  onError: (error) => {
    console.error('stream:', error instanceof Error ? error.message : error);
    if (error instanceof StreamRecordSkippedError) {
      void import('../lib/streams/dead-letters.js')
        .then(({ writeDeadLetter, wholeRecord }) => writeDeadLetter({ record: error.record, projection: wholeRecord, error: error.cause, attempts: error.failedDeliveries }))
        .catch((e: unknown) => console.error('stream: dead letter not written:', e instanceof Error ? e.message : e));
    }
  },
});

// The seed's orders reach reports, loyalty and referrals through the stream: say when they have,
// then run every scheduled job once, so the daily segmentation and the model's fit see the whole
// demo shop now rather than at their next tick (the segmentation's is minutes away).
const jobRuns: Array<() => void> = [];
const drainStarted = performance.now();
void poller
  .drain()
  .then((records) => {
    console.log(`\nProjections caught up: ${records} stream records applied in ${((performance.now() - drainStarted) / 1000).toFixed(1)} s (the shop's syncStatus says the same).`);
    for (const run of jobRuns) run();
  })
  .catch((error: unknown) => console.error('stream:', error instanceof Error ? error.message : error));

// Scheduled functions run here on a timer, as EventBridge runs them in AWS.
const { schedules } = await import('../lib/app/schedules.js');
const timers = await Promise.all(
  schedules.map(async (job) => {
    const [file, exported] = job.handler.split('.');
    const module = await import(`../${file}.js`);
    let running = false;
    const run = (): void => {
      if (running) return;
      running = true;
      Promise.resolve(module[exported!]({ source: 'local.scheduler', 'detail-type': 'Scheduled Event', time: new Date().toISOString() }))
        .catch((error: unknown) => console.error(`${job.name}:`, error instanceof Error ? error.message : error))
        .finally(() => {
          running = false;
        });
    };
    jobRuns.push(run);
    return setInterval(run, job.localEveryMs);
  }),
);

// The admin CLI finds this dev server's database through this file.
const devFile = join(stateDir, 'dev.json');
writeFileSync(devFile, JSON.stringify({ endpoint: process.env.DYNAMODB_ENDPOINT, tableName: tableName(), url: api.url, pid: process.pid }));

console.log(`
GraphQL API: ${api.url}
Console:     ${origin}/console/  (the demo shop connected)
Explorer:    ${api.url} in a browser (GraphiQL)

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
