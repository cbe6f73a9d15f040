import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { logger } from '../../lib/common/logger.js';
import { createStreamHandler } from '../../lib/streams/handler.js';
import { observeStream } from '../../lib/app/observed-stream.js';
import { projections } from '../../lib/app/projections.js';
import { aShop, anOrder, mutateOk, ORDER_RECORD, type TestShop } from '../fixtures/api.js';
import { feedStream } from '../fixtures/stream.js';

/**
 * What the functions print: Powertools writes JSON log lines and EMF metric lines straight to
 * stdout/stderr. The test captures both while real requests go through the GraphQL handler and the
 * stream handler, then reads them back as an operator's log query would.
 */
let captured: string[] = [];
const originals = { out: process.stdout.write, err: process.stderr.write };

function capture(): void {
  captured = [];
  const tap = (stream: NodeJS.WriteStream) =>
    ((chunk: unknown, ...rest: unknown[]) => {
      captured.push(String(chunk));
      const callback = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
      callback?.();
      return true;
    }) as typeof stream.write;
  process.stdout.write = tap(process.stdout);
  process.stderr.write = tap(process.stderr);
}

function release(): void {
  process.stdout.write = originals.out;
  process.stderr.write = originals.err;
}

function jsonLines(): Array<Record<string, any>> {
  return captured
    .join('')
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line));
}

const emfOf = (lines: Array<Record<string, any>>) => lines.filter((l) => l._aws?.CloudWatchMetrics);

const stream = feedStream(observeStream(createStreamHandler(projections)));

let t: TestShop;
beforeAll(async () => {
  t = await aShop();
});
beforeEach(() => {
  process.env.POWERTOOLS_METRICS_DISABLED = 'false';
  logger.setLogLevel('INFO');
  capture();
});
afterEach(() => {
  release();
  delete process.env.POWERTOOLS_METRICS_DISABLED;
  logger.setLogLevel('WARN');
});

describe('logs of real requests', () => {
  it('write one line per request with request id, shop, operation, duration, DynamoDB use and cold start, and none of the secrets sent', async () => {
    const email = 'Jane.Secret+orders@example.org';
    const token = await t.customerToken('obs-1');
    await mutateOk(t, 'mutation($input: CustomerUpsertInput!) { customerUpsert(input: $input) { created userErrors { field code message } } }', {
      externalId: 'obs-1',
      email,
      firstName: 'Jane',
      phone: '+49 170 5550123',
    });
    await t.gql('{ me { externalId email } }', {}, { authorization: `Bearer ${t.publishableKey}`, 'x-customer-token': token });
    await t.gql('query ByEmail($e: String!) { customerByEmail(email: $e) { externalId } }', { e: email });
    // Refused: an unknown key and a forged token are logged as 401s, without themselves.
    const forgedKey = `${t.adminKey.slice(0, -4)}AAAA`;
    const refused = await t.gql('{ shop { id } }', {}, { authorization: `Bearer ${forgedKey}` });
    expect(refused.status).toBe(401);
    release();

    const output = captured.join('');
    for (const secret of [t.adminKey, t.publishableKey, forgedKey, token, email, email.toLowerCase(), '5550123', t.shop.storefrontSecret]) {
      expect(output).not.toContain(secret);
    }

    const requests = jsonLines().filter((l) => l.message === 'graphql request');
    expect(requests.map((l) => l.operation)).toEqual(['mutation customerUpsert', 'query me', 'query customerByEmail', 'unauthenticated']);
    const [upsert, me, byEmail, unauthenticated] = requests;
    expect(upsert).toMatchObject({ level: 'INFO', service: 'retention-api', shop: t.tenantId, statusCode: 200, function_request_id: 'test' });
    expect(typeof upsert!.cold_start).toBe('boolean');
    expect(upsert!.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(upsert!.durationMs).toBeGreaterThan(0);
    expect(upsert!.dynamodb.requests).toBeGreaterThan(0);
    expect(upsert!.dynamodb.writeCapacity).toBeGreaterThan(0);
    expect(Object.keys(upsert!.dynamodb.byCommand).length).toBeGreaterThan(0);
    expect(me).toMatchObject({ shop: t.tenantId, operation: 'query me' });
    expect(byEmail!.operationName).toBe('ByEmail');
    expect(unauthenticated).toMatchObject({ statusCode: 401, errorCodes: ['UNAUTHENTICATED'] });
    expect(unauthenticated!.shop).toBeUndefined();
  });
});

describe('metrics of real requests', () => {
  it('prints EMF lines with the operation dimension, latency, DynamoDB use and errors by code', async () => {
    await t.gql('{ customers(first: 2) { nodes { id } } }');
    await t.gql('{ shop { id } }', {}, { authorization: 'Bearer sk_nope_nope' });
    release();

    const emf = emfOf(jsonLines());
    const ok = emf.find((l) => l.operation === 'query customers' && l.Errors === 0);
    expect(ok).toBeDefined();
    expect(ok!._aws.CloudWatchMetrics[0].Namespace).toBe('RetentionApi');
    expect(ok!._aws.CloudWatchMetrics[0].Dimensions).toEqual([['service', 'operation']]);
    const units = Object.fromEntries(ok!._aws.CloudWatchMetrics[0].Metrics.map((m: any) => [m.Name, m.Unit]));
    expect(units).toMatchObject({ Latency: 'Milliseconds', Requests: 'Count', Errors: 'Count', Throttles: 'Count', DynamoDBRequests: 'Count' });
    expect(ok!.Latency).toBeGreaterThan(0);
    expect(ok!.DynamoDBRequests).toBeGreaterThan(0);

    const byCode = emf.find((l) => l.code === 'UNAUTHENTICATED');
    expect(byCode).toMatchObject({ operation: 'unauthenticated', ErrorsByCode: 1 });
    expect(byCode!._aws.CloudWatchMetrics[0].Dimensions).toEqual([['service', 'operation', 'code']]);
  });

  it('are not printed outside Lambda unless asked', async () => {
    delete process.env.POWERTOOLS_METRICS_DISABLED;
    await t.gql('{ shop { id } }');
    release();
    expect(emfOf(jsonLines())).toEqual([]);
  });
});

describe('the stream handler', () => {
  it('logs each batch and prints its lag, records and failures as metrics', async () => {
    await mutateOk(t, ORDER_RECORD, anOrder({ customer: { externalId: 'obs-stream' } }));
    await stream.poller.drain();
    release();

    const lines = jsonLines();
    const batch = lines.find((l) => l.message === 'stream batch' && l.records > 0);
    expect(batch).toMatchObject({ operation: 'stream', failed: 0 });
    expect(batch!.applied).toBe(batch!.records);
    expect(batch!.streamLagSeconds).toBeGreaterThanOrEqual(0);
    const emf = emfOf(lines).find((l) => l.operation === 'stream' && l.StreamRecords > 0);
    expect(emf).toBeDefined();
    const units = Object.fromEntries(emf!._aws.CloudWatchMetrics[0].Metrics.map((m: any) => [m.Name, m.Unit]));
    expect(units).toMatchObject({ StreamLag: 'Seconds', StreamRecords: 'Count', StreamRecordsFailed: 'Count' });
  });
});
