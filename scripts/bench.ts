import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { dynamo, ensureTable } from '../lib/db/client.js';
import { measure as measureOnce, type Figures } from './local/measure.js';
import { systemClock } from '../lib/common/clock.js';
import { callGraphQL } from './local/invoke.js';
import { startDynamoDbLocal } from './local/dynamodb-local.js';
import { useLocalKeyEncryptionKey } from './local/local-kek.js';
import { generateDemoShop } from './seed/demo-shop.js';

/**
 * `npm run bench`: latency, DynamoDB requests and consumed capacity per GraphQL operation through
 * the full Lambda handler against DynamoDB Local, and cold start of the bundled handler next to a
 * minimal Apollo Lambda handler bundled the same way. Writes bench-results/foundation.{json,md}.
 */
const ITERATIONS = Number(process.env.BENCH_ITERATIONS ?? 200);

const measure = (operation: string, run: (i: number) => Promise<void>) => measureOnce(operation, run, ITERATIONS);

async function coldStart(entry: string, label: string, env: Record<string, string>, body: string, headers: Record<string, string>) {
  const outdir = mkdtempSync(join(tmpdir(), 'bench-bundle-'));
  const outfile = join(outdir, 'index.mjs');
  await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    minify: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    banner: { js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);" },
    logLevel: 'silent',
  });
  const script = `
    const t0 = performance.now();
    const { handler } = await import(${JSON.stringify(outfile)});
    const t1 = performance.now();
    const now = Date.now();
    const event = { version: '2.0', routeKey: 'POST /graphql', rawPath: '/graphql', rawQueryString: '', headers: ${JSON.stringify({ 'content-type': 'application/json', ...headers })},
      requestContext: { accountId: '0', apiId: 'bench', domainName: 'localhost', domainPrefix: 'localhost', http: { method: 'POST', path: '/graphql', protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'bench' }, requestId: 'r', routeKey: 'POST /graphql', stage: '$default', time: '', timeEpoch: now },
      body: ${JSON.stringify(body)}, isBase64Encoded: false };
    const result = await handler(event, { getRemainingTimeInMillis: () => 30000 }, () => {});
    const t2 = performance.now();
    process.stdout.write(JSON.stringify({ importMs: t1 - t0, firstRequestMs: t2 - t1, status: result.statusCode, ok: !String(result.body).includes('"errors"') }));
  `;
  const runs = [];
  for (let i = 0; i < 5; i++) {
    const out = spawnSync(process.execPath, ['--input-type=module', '-e', script], { env: { ...process.env, ...env, NODE_NO_WARNINGS: '1' }, encoding: 'utf8' });
    // The minified bundle's source line would bury the error: keep the stack's end.
    // Node echoes the minified bundle's whole source line, which would bury the error: keep the short lines.
    if (out.status !== 0) throw new Error(`${label} cold start failed:\n${out.stderr.split('\n').filter((line) => line.length < 400).join('\n')}`);
    runs.push(JSON.parse(out.stdout) as { importMs: number; firstRequestMs: number; status: number; ok: boolean });
  }
  const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  return {
    handler: label,
    bundleBytes: statSync(outfile).size,
    importMs: Math.round(median(runs.map((r) => r.importMs))),
    firstRequestMs: Math.round(median(runs.map((r) => r.firstRequestMs))),
    answeredOk: runs.every((r) => r.ok && r.status === 200),
  };
}

async function main(): Promise<void> {
  const local = await startDynamoDbLocal({ quiet: true });
  useLocalKeyEncryptionKey();
  try {
    process.env.DYNAMODB_ENDPOINT = local.endpoint;
    process.env.TABLE_NAME = 'bench';
    await ensureTable(dynamo().raw, 'bench');
    const { createShop, createApiKey, apiScopes } = await import('../lib/shops/index.js');
    const { recordOrder } = await import('../lib/orders/index.js');
    const { createGraphQLHandler } = await import('../lib/graphql/server.js');
    const now = new Date('2026-06-01T00:00:00Z');
    await createShop({ tenantId: 'bench-shop', name: 'Bench', currencyCode: 'EUR', timeZone: 'Europe/Berlin' }, now);
    const { secret } = await createApiKey('bench-shop', { name: 'bench', kind: 'SECRET', scopes: [...apiScopes] }, now);
    const demo = generateDemoShop({ seed: 7, customers: 500, end: now });
    const queue = [...demo.orders];
    await Promise.all(Array.from({ length: 8 }, async () => {
      for (let o = queue.shift(); o; o = queue.shift()) await recordOrder({ tenantId: 'bench-shop', currencyCode: 'EUR' }, o, now);
    }));
    process.stderr.write(`seeded ${demo.customers.length} customers, ${demo.orders.length} orders\n`);

    // The operations below are measured without throttling, as before it existed; the section
    // after them measures what throttling adds, on operations cheap enough that the PLUS plan's
    // bucket (20,000 points) holds every iteration: a refused request would measure nothing.
    const { db } = await import('../lib/db/service.js');
    await db().entities.shop.patch({ tenantId: 'bench-shop' }).set({ plan: 'PLUS' }).go();
    const handler = createGraphQLHandler({ clock: systemClock, production: true, throttle: false });
    const throttledHandler = createGraphQLHandler({ clock: systemClock, production: true, throttle: true });
    const auth = { authorization: `Bearer ${secret}` };
    const gqlWith = (h: typeof handler) => async (query: string, variables: Record<string, unknown> = {}) => {
      const res = await callGraphQL(h, query, variables, auth);
      if (res.errors) throw new Error(JSON.stringify(res.errors));
      return res.data!;
    };
    const gql = gqlWith(handler);
    const ids = (await gql(`{ customers(first: 100) { nodes { id } } }`)).customers.nodes.map((n: { id: string }) => n.id) as string[];

    const figures: Figures[] = [];
    figures.push(await measure('customer(id) { statistics }', async (i) => {
      await gql(`query ($id: ID!) { customer(id: $id) { id statistics { ordersCount totalSpent { amount } averageOrderValue { amount } firstOrderAt lastOrderAt averageDaysBetweenOrders } } }`, { id: ids[Math.abs(i) % ids.length] });
    }));
    figures.push(await measure('customers(first: 50) { statistics }', async () => {
      await gql(`{ customers(first: 50) { nodes { id externalId statistics { ordersCount totalSpent { amount } } } pageInfo { endCursor } } }`);
    }));
    figures.push(await measure('orderRecord (new order, existing customer)', async (i) => {
      await gql(`mutation ($input: OrderRecordInput!) { orderRecord(input: $input) { created userErrors { code } } }`, {
        input: { orderId: `bench-${i}`, customer: { externalId: `demo-${String((Math.abs(i) % 500) + 1).padStart(4, '0')}` }, placedAt: '2026-05-01T10:00:00Z', currencyCode: 'EUR', subtotal: 2_000, total: 2_000, lineItems: [{ sku: 'X', quantity: 1, unitPrice: 2_000 }] },
      });
    }));
    figures.push(await measure('orderRecord (idempotent repeat)', async () => {
      await gql(`mutation ($input: OrderRecordInput!) { orderRecord(input: $input) { created } }`, {
        input: { orderId: 'bench-0', customer: { externalId: 'demo-0001' }, placedAt: '2026-05-01T10:00:00Z', currencyCode: 'EUR', subtotal: 2_000, total: 2_000, lineItems: [{ sku: 'X', quantity: 1, unitPrice: 2_000 }] },
      });
    }));

    const throttling: Array<{ operation: string; without: Figures; with: Figures }> = [];
    const customerQuery = `query ($id: ID!) { customer(id: $id) { id statistics { ordersCount totalSpent { amount } } } }`;
    for (const [operation, query, vars] of [
      ['customer(id) { statistics }', customerQuery, (i: number) => ({ id: ids[Math.abs(i) % ids.length] })],
      ['shop { name }', '{ shop { name } }', () => ({})],
    ] as const) {
      const without = await measure(`${operation}, throttling off`, async (i) => void (await gql(query, vars(i))));
      const throttled = gqlWith(throttledHandler);
      const withThrottle = await measure(`${operation}, throttling on`, async (i) => void (await throttled(query, vars(i))));
      throttling.push({ operation, without, with: withThrottle });
    }

    // Production refuses to start without its cursor secret (sst.config.ts sets one in AWS).
    const env = { DYNAMODB_ENDPOINT: local.endpoint, TABLE_NAME: 'bench', NODE_ENV: 'production', CURSOR_SECRET: 'bench-cursor-secret-not-for-production' };
    const probe = JSON.stringify({ query: '{ shop { name } }' });
    const minimalEntry = join(process.cwd(), 'scripts', 'bench-minimal-handler.ts');
    const cold = [
      await coldStart(join(process.cwd(), 'functions', 'graphql.ts'), 'retention API (functions/graphql.ts)', env, probe, auth),
      await coldStart(minimalEntry, 'minimal Apollo Lambda handler', env, JSON.stringify({ query: '{ hello }' }), {}),
    ];

    // Latencies on a shared machine mean little without its load: state it beside them.
    const loadAverage = Math.round(loadavg()[0]! * 10) / 10;
    const result = { measuredAt: new Date().toISOString(), loadAverage, node: process.version, machine: `${process.platform}/${process.arch}`, iterations: ITERATIONS, operations: figures, throttling, coldStart: cold };
    mkdirSync('bench-results', { recursive: true });
    writeFileSync('bench-results/foundation.json', `${JSON.stringify(result, null, 2)}\n`);
    const md = [
      `# Foundation benchmark (${result.measuredAt}, Node ${process.version}, DynamoDB Local, 1-minute load average ${loadAverage})`,
      '',
      '| operation | p50 ms | p95 ms | DynamoDB requests/op | RCU/op | WCU/op |',
      '|---|---|---|---|---|---|',
      ...figures.map((f) => `| ${f.operation} | ${f.p50ms} | ${f.p95ms} | ${f.dynamoRequestsPerOp} | ${f.readCapacityPerOp} | ${f.writeCapacityPerOp} |`),
      '',
      'Throttling per request (the cost bucket, one conditional UpdateItem; two when the bucket had filled):',
      '',
      '| operation | p50 ms off / on | p95 ms off / on | DynamoDB requests/op off / on | WCU/op off / on |',
      '|---|---|---|---|---|',
      ...throttling.map(
        (t) =>
          `| ${t.operation} | ${t.without.p50ms} / ${t.with.p50ms} | ${t.without.p95ms} / ${t.with.p95ms} | ${t.without.dynamoRequestsPerOp} / ${t.with.dynamoRequestsPerOp} | ${t.without.writeCapacityPerOp} / ${t.with.writeCapacityPerOp} |`,
      ),
      '',
      '| cold start | bundle KiB | import ms | first request ms |',
      '|---|---|---|---|',
      ...cold.map((c) => `| ${c.handler} | ${Math.round(c.bundleBytes / 1024)} | ${c.importMs} | ${c.firstRequestMs} |`),
      '',
    ].join('\n');
    writeFileSync('bench-results/foundation.md', md);
    console.log(md);
  } finally {
    await local.stop();
  }
}

await main();
