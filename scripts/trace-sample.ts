import { createSocket } from 'node:dgram';
import { readFileSync } from 'node:fs';

/**
 * With `npm run dev` running: sends one request through functions/graphql.ts as Lambda would with
 * active tracing (the environment Lambda sets), the X-Ray daemon replaced by a UDP socket that
 * prints the segments Powertools Tracer sends. It creates a customers:read key in demo-shop.
 * `npx tsx scripts/trace-sample.ts`
 */
const dev = JSON.parse(readFileSync('.dynamodb/dev.json', 'utf8'));
const socket = createSocket('udp4');
const segments: string[] = [];
socket.on('message', (msg) => segments.push(msg.toString().split('\n').slice(1).join('\n')));
await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
const port = socket.address().port;
Object.assign(process.env, {
  DYNAMODB_ENDPOINT: dev.endpoint,
  TABLE_NAME: dev.tableName,
  AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x',
  LAMBDA_TASK_ROOT: process.cwd(),
  AWS_LAMBDA_FUNCTION_NAME: 'retention-api-production-ApiRouteGraphql',
  AWS_XRAY_DAEMON_ADDRESS: `127.0.0.1:${port}`,
  _X_AMZN_TRACE_ID: 'Root=1-6750a1b2-0123456789abcdef01234567;Parent=53995c3f42cd8ad8;Sampled=1',
  POWERTOOLS_METRICS_DISABLED: 'true',
  LOG_LEVEL: 'WARN',
});
const { createApiKey } = await import('../lib/shops/index.js');
const { handler } = await import('../functions/graphql.js');
const { callGraphQL } = await import('../scripts/local/invoke.js');
const key = await createApiKey('demo-shop', { name: 'trace sample', kind: 'SECRET', scopes: ['CUSTOMERS_READ'] }, new Date());
const res = await callGraphQL(handler as never, '{ customers(first: 3) { nodes { externalId } } }', {}, { authorization: `Bearer ${key.secret}` });
console.error('status', res.status);
await new Promise((r) => setTimeout(r, 500));
console.log(segments.join('\n'));
socket.close();
process.exit(0);
