import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'node:http';
import {
  DeleteItemCommand,
  DeleteTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ListTablesCommand,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import type {
  APIGatewayProxyEventV2,
  Context,
  DynamoDBBatchResponse,
  DynamoDBRecord,
  DynamoDBStreamEvent,
} from 'aws-lambda';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { dynamo, ensureTable, tableName } from '../../lib/db/client.js';
import { startApiGatewayServer, type ApiGatewayServer, type HttpApiHandler } from '../../scripts/local/apigw-server.js';
import { startDynamoDbLocal } from '../../scripts/local/dynamodb-local.js';
import {
  startStreamPoller,
  StreamRecordSkippedError,
  toLambdaRecord,
  type StreamHandler,
  type StreamPoller,
} from '../../scripts/local/stream-poller.js';

// This file's own DynamoDB Local (tests/setup/table.ts), or the shared external one.
const endpoint = process.env.DYNAMODB_ENDPOINT!;

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw error;
  }
}

describe('startDynamoDbLocal', () => {
  it('starts another instance on its own free port and leaves no process behind after stop()', async () => {
    const local = await startDynamoDbLocal({ quiet: true });
    const client = new DynamoDBClient({
      endpoint: local.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    try {
      expect(local.endpoint).toBe(`http://127.0.0.1:${local.port}`);
      expect(local.endpoint).not.toBe(endpoint);
      expect(isRunning(local.pid)).toBe(true);
      const { TableNames } = await client.send(new ListTablesCommand({}));
      // In memory and separate from this file's own instance, which already holds its table.
      expect(TableNames).toEqual([]);
    } finally {
      client.destroy();
      await local.stop();
    }

    expect(isRunning(local.pid)).toBe(false);
    expect(() => process.kill(-local.pid, 0)).toThrow(expect.objectContaining({ code: 'ESRCH' }));
    await expect(local.stop()).resolves.toBeUndefined();
  });
});

describe('startApiGatewayServer', () => {
  let server: ApiGatewayServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
    vi.restoreAllMocks();
  });

  function recording(respond: HttpApiHandler = async () => ({ statusCode: 200, body: '{}' })) {
    const calls: Array<{ event: APIGatewayProxyEventV2; context: Context; remainingMs: number }> = [];
    const handler: HttpApiHandler = async (event, context) => {
      calls.push({ event, context, remainingMs: context.getRemainingTimeInMillis() });
      return respond(event, context);
    };
    return { calls, handler };
  }

  it('hands the handler a payload 2.0 event of the request as sent and writes its result back', async () => {
    const { calls, handler } = recording(async () => ({
      statusCode: 201,
      headers: { 'content-type': 'application/json', 'x-reply': 'yes' },
      cookies: ['session=abc; Path=/; HttpOnly', 'theme=dark'],
      body: Buffer.from('{"data":{"ok":true}}').toString('base64'),
      isBase64Encoded: true,
    }));
    server = await startApiGatewayServer({ port: 0, handler });
    const url = new URL(server.url);

    const response = await fetch(`${server.url}?tenant=t1&tag=a&tag=b%20c`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'X-Tenant-Id': 'tenant-1',
        cookie: 'a=1; b=2',
        'user-agent': 'local-stack-test',
      },
      body: '{"query":"{ ping }"}',
    });

    expect(response.status).toBe(201);
    expect(response.headers.get('x-reply')).toBe('yes');
    expect(response.headers.getSetCookie()).toEqual(['session=abc; Path=/; HttpOnly', 'theme=dark']);
    expect(await response.text()).toBe('{"data":{"ok":true}}');

    expect(calls).toHaveLength(1);
    const [{ event, context, remainingMs }] = calls as [(typeof calls)[number]];
    expect(url.pathname).toBe('/graphql');
    expect(event).toMatchObject({
      version: '2.0',
      routeKey: 'POST /graphql',
      rawPath: '/graphql',
      rawQueryString: 'tenant=t1&tag=a&tag=b%20c',
      queryStringParameters: { tenant: 't1', tag: 'a,b c' },
      cookies: ['a=1', 'b=2'],
      body: '{"query":"{ ping }"}',
      isBase64Encoded: false,
      requestContext: {
        http: { method: 'POST', path: '/graphql', protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'local-stack-test' },
        routeKey: 'POST /graphql',
        stage: '$default',
        domainName: '127.0.0.1',
      },
    });
    expect(event.headers).toMatchObject({
      'content-type': 'application/json',
      'x-tenant-id': 'tenant-1',
      host: url.host,
      'content-length': '20',
    });
    expect(event.headers.cookie).toBeUndefined();
    expect(event.requestContext.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(event.requestContext.timeEpoch).toBeGreaterThan(Date.now() - 60_000);
    expect(event.requestContext.time).toMatch(/^\d{2}\/[A-Z][a-z]{2}\/\d{4}:\d{2}:\d{2}:\d{2} \+0000$/);
    expect(context.awsRequestId).toBe(event.requestContext.requestId);
    expect(context.functionName).toBe('graphql');
    expect(remainingMs).toBeGreaterThan(0);
  });

  it('joins repeated request headers with commas', async () => {
    const { calls, handler } = recording();
    server = await startApiGatewayServer({ port: 0, handler });

    const status = await new Promise<number | undefined>((resolve, reject) => {
      const req = request(server!.url, { method: 'GET', headers: { 'x-dup': ['one', 'two'] } }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode));
      });
      req.on('error', reject);
      req.end();
    });

    expect(status).toBe(200);
    expect(calls[0]?.event.headers['x-dup']).toBe('one,two');
    expect(calls[0]?.event.body).toBeUndefined();
    expect(calls[0]?.event.queryStringParameters).toBeUndefined();
  });

  it('answers 413 to a body over the limit without calling the handler', async () => {
    const { calls, handler } = recording();
    server = await startApiGatewayServer({ port: 0, handler, maxBodyBytes: 1024 });

    const response = await fetch(server.url, { method: 'POST', body: 'x'.repeat(1025) });

    expect(response.status).toBe(413);
    expect(await response.json()).toEqual({
      errors: [{ message: 'Request body too large', extensions: { code: 'PAYLOAD_TOO_LARGE' } }],
    });
    expect(calls).toHaveLength(0);
  });

  it('answers 413 to a chunked body once it passes the limit, without calling the handler', async () => {
    const { calls, handler } = recording();
    server = await startApiGatewayServer({ port: 0, handler, maxBodyBytes: 1024 });

    const { status, body } = await new Promise<{ status: number | undefined; body: string }>((resolve, reject) => {
      const req = request(server!.url, { method: 'POST' }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode, body: text }));
      });
      req.on('error', reject);
      for (let i = 0; i < 4; i++) req.write('y'.repeat(512));
      req.end();
    });

    expect(status).toBe(413);
    expect(JSON.parse(body)).toMatchObject({ errors: [{ extensions: { code: 'PAYLOAD_TOO_LARGE' } }] });
    expect(calls).toHaveLength(0);
  });

  it('answers 502 without the error text when the handler throws, and logs the error', async () => {
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    server = await startApiGatewayServer({
      port: 0,
      handler: async () => {
        throw new Error('secret database detail');
      },
    });

    const response = await fetch(server.url, { method: 'POST', body: '{}' });
    const body = await response.text();

    expect(response.status).toBe(502);
    expect(JSON.parse(body)).toEqual({ message: 'Internal Server Error' });
    expect(body).not.toContain('secret');
    expect(stderr.mock.calls.map(([chunk]) => String(chunk)).join('')).toContain('secret database detail');
  });

  it('answers /health itself and 404 for paths outside its routes', async () => {
    const { calls, handler } = recording();
    server = await startApiGatewayServer({ port: 0, handler });
    const origin = new URL(server.url).origin;

    const health = await fetch(`${origin}/health`);
    const unknown = await fetch(`${origin}/nope`);

    expect(health.status).toBe(200);
    expect(await health.text()).toBe('ok');
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get('content-type')).toBe('application/json');
    await unknown.json();
    expect(calls).toHaveLength(0);
  });

  it('serves static folders and fixed documents for GET, and nothing outside the folder', async () => {
    const { calls, handler } = recording();
    const dir = mkdtempSync(join(tmpdir(), 'apigw-static-'));
    writeFileSync(join(dir, 'index.html'), '<p>console</p>');
    writeFileSync(join(dir, 'app.js'), 'export {};');
    server = await startApiGatewayServer({
      port: 0,
      handler,
      staticDirs: { '/console': dir },
      documents: { '/': { contentType: 'text/html; charset=utf-8', body: '<a href="/console/">console</a>' } },
    });
    const origin = new URL(server.url).origin;
    const raw = (path: string) =>
      new Promise<number>((resolve, reject) => {
        const req = request(`${origin}${path}`, (res) => {
          res.resume();
          resolve(res.statusCode!);
        });
        req.on('error', reject);
        req.end();
      });

    const landing = await fetch(`${origin}/`);
    const redirect = await fetch(`${origin}/console`, { redirect: 'manual' });
    const index = await fetch(`${origin}/console/`);
    const script = await fetch(`${origin}/console/app.js`);
    const posted = await fetch(`${origin}/console/app.js`, { method: 'POST', body: '{}' });

    expect([landing.status, await landing.text()]).toEqual([200, '<a href="/console/">console</a>']);
    expect([redirect.status, redirect.headers.get('location')]).toEqual([308, '/console/']);
    expect([index.status, index.headers.get('content-type'), await index.text()]).toEqual([200, 'text/html; charset=utf-8', '<p>console</p>']);
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(posted.status).toBe(404);
    expect(await raw('/console/%2e%2e/package.json')).toBe(404);
    expect(await raw('/console/missing.js')).toBe(404);
    expect(calls).toHaveLength(0);
    rmSync(dir, { recursive: true, force: true });
  });
});

describe('toLambdaRecord', () => {
  it('converts SDK types to the wire form a Lambda trigger receives', () => {
    const record = toLambdaRecord(
      {
        eventID: 'e1',
        eventName: 'INSERT',
        eventVersion: '1.1',
        eventSource: 'aws:dynamodb',
        awsRegion: 'us-east-1',
        dynamodb: {
          ApproximateCreationDateTime: new Date('2024-05-01T10:00:00.900Z'),
          Keys: { pk: { S: 'a' }, sk: { S: 'b' } },
          NewImage: {
            pk: { S: 'a' },
            sk: { S: 'b' },
            blob: { B: new Uint8Array([1, 2, 3]) },
            nested: { M: { list: { L: [{ N: '1' }, { BS: [new Uint8Array([255])] }] } } },
          },
          SequenceNumber: '100',
          SizeBytes: 42,
          StreamViewType: 'NEW_AND_OLD_IMAGES',
        },
      },
      'arn:aws:dynamodb:ddblocal:000000000000:table/t/stream/x',
      'eu-west-1',
    );

    expect(record).toEqual({
      eventID: 'e1',
      eventName: 'INSERT',
      eventVersion: '1.1',
      eventSource: 'aws:dynamodb',
      awsRegion: 'eu-west-1',
      eventSourceARN: 'arn:aws:dynamodb:ddblocal:000000000000:table/t/stream/x',
      dynamodb: {
        ApproximateCreationDateTime: 1714557600,
        Keys: { pk: { S: 'a' }, sk: { S: 'b' } },
        NewImage: {
          pk: { S: 'a' },
          sk: { S: 'b' },
          blob: { B: 'AQID' },
          nested: { M: { list: { L: [{ N: '1' }, { BS: ['/w=='] }] } } },
        },
        SequenceNumber: '100',
        SizeBytes: 42,
        StreamViewType: 'NEW_AND_OLD_IMAGES',
      },
    });
  });
});

describe('startStreamPoller', () => {
  const raw = () => dynamo().raw;
  const pollers: StreamPoller[] = [];
  const extraTables: string[] = [];

  afterEach(async () => {
    await Promise.all(pollers.splice(0).map((p) => p.stop()));
  });
  afterAll(async () => {
    for (const name of extraTables) await raw().send(new DeleteTableCommand({ TableName: name }));
  });

  async function poll(table: string, handler: StreamHandler, extra: { maxRetries?: number; onError?: (e: unknown) => void } = {}) {
    const poller = await startStreamPoller({ endpoint, tableName: table, handler, intervalMs: 0, ...extra });
    pollers.push(poller);
    return poller;
  }

  async function freshTable(suffix: string): Promise<string> {
    const name = `${tableName()}_${suffix}`;
    await ensureTable(raw(), name);
    extraTables.push(name);
    return name;
  }

  function put(table: string, pk: string, extra: Record<string, { S: string }> = {}) {
    return raw().send(new PutItemCommand({ TableName: table, Item: { pk: { S: pk }, sk: { S: 'item' }, ...extra } }));
  }

  it('delivers INSERT, MODIFY and REMOVE with their images, once each', async () => {
    const events: DynamoDBStreamEvent[] = [];
    const poller = await poll(tableName(), async (event) => {
      events.push(event);
    });
    const key = { pk: { S: 'CUSTOMER#1' }, sk: { S: 'PROFILE' } };
    await raw().send(new PutItemCommand({ TableName: tableName(), Item: { ...key, name: { S: 'Ada' }, visits: { N: '1' } } }));
    await raw().send(
      new UpdateItemCommand({
        TableName: tableName(),
        Key: key,
        UpdateExpression: 'SET visits = :v',
        ExpressionAttributeValues: { ':v': { N: '2' } },
      }),
    );
    await raw().send(new DeleteItemCommand({ TableName: tableName(), Key: key }));

    const delivered = await poller.drain();

    const records = events.flatMap((e) => e.Records);
    const { Table } = await raw().send(new DescribeTableCommand({ TableName: tableName() }));
    expect(delivered).toBe(3);
    expect(records.map((r) => r.eventName)).toEqual(['INSERT', 'MODIFY', 'REMOVE']);
    const [insert, modify, remove] = records as [DynamoDBRecord, DynamoDBRecord, DynamoDBRecord];
    for (const record of records) {
      expect(record).toMatchObject({
        eventVersion: '1.1',
        eventSource: 'aws:dynamodb',
        eventSourceARN: Table?.LatestStreamArn,
        dynamodb: { Keys: key, StreamViewType: 'NEW_AND_OLD_IMAGES' },
      });
      expect(record.dynamodb?.ApproximateCreationDateTime).toEqual(expect.any(Number));
      expect(record.dynamodb?.SequenceNumber).toEqual(expect.any(String));
    }
    expect(insert.dynamodb?.NewImage).toEqual({ ...key, name: { S: 'Ada' }, visits: { N: '1' } });
    expect(insert.dynamodb?.OldImage).toBeUndefined();
    expect(modify.dynamodb?.OldImage?.visits).toEqual({ N: '1' });
    expect(modify.dynamodb?.NewImage?.visits).toEqual({ N: '2' });
    expect(remove.dynamodb?.OldImage?.visits).toEqual({ N: '2' });
    expect(remove.dynamodb?.NewImage).toBeUndefined();

    expect(await poller.drain()).toBe(0);
    expect(events.flatMap((e) => e.Records)).toHaveLength(3);
  });

  it('delivers in the background when a polling interval is set', async () => {
    const table = await freshTable('timer');
    const seen: string[] = [];
    const poller = await startStreamPoller({
      endpoint,
      tableName: table,
      intervalMs: 50,
      handler: async (event) => {
        seen.push(...event.Records.map((r) => r.dynamodb?.Keys?.pk?.S ?? '?'));
      },
    });
    pollers.push(poller);

    await put(table, 'background');

    await vi.waitFor(() => expect(seen).toEqual(['background']), { timeout: 10_000, interval: 50 });
    expect(await poller.drain()).toBe(0);
  });

  it('re-delivers from the first reported failure on the next drain and never after success', async () => {
    const table = await freshTable('retry');
    const batches: string[][] = [];
    const acknowledged = new Set<string>();
    let failOn: string | undefined = 'p2';
    const poller = await poll(table, async (event): Promise<DynamoDBBatchResponse> => {
      const pks = event.Records.map((r) => r.dynamodb?.Keys?.pk?.S ?? '?');
      batches.push(pks);
      for (const pk of pks) expect(acknowledged.has(pk), `${pk} re-delivered after success`).toBe(false);
      const failedIndex = failOn ? pks.indexOf(failOn) : -1;
      const succeeded = failedIndex === -1 ? event.Records : event.Records.slice(0, failedIndex);
      for (const r of succeeded) acknowledged.add(r.dynamodb?.Keys?.pk?.S ?? '?');
      const failed = event.Records[failedIndex];
      return { batchItemFailures: failed ? [{ itemIdentifier: failed.dynamodb?.SequenceNumber ?? '' }] : [] };
    });
    for (const pk of ['p1', 'p2', 'p3']) await put(table, pk);

    const first = await poller.drain();
    failOn = undefined;
    const second = await poller.drain();
    const third = await poller.drain();

    expect(batches).toEqual([
      ['p1', 'p2', 'p3'],
      ['p2', 'p3'],
    ]);
    expect([first, second, third]).toEqual([1, 2, 0]);
  });

  it('treats a thrown error as a failed batch and skips a poison record after bounded retries', async () => {
    const table = await freshTable('poison');
    const delivered: string[][] = [];
    const errors: unknown[] = [];
    const succeeded: string[] = [];
    const poller = await poll(
      table,
      async (event) => {
        const pks = event.Records.map((r) => r.dynamodb?.Keys?.pk?.S ?? '?');
        delivered.push(pks);
        if (pks.includes('poison')) throw new Error('cannot process poison');
        succeeded.push(...pks);
      },
      { maxRetries: 2, onError: (e) => errors.push(e) },
    );
    for (const pk of ['good1', 'poison', 'good2']) await put(table, pk);

    let drains = 0;
    while (errors.length === 0 && drains < 20) {
      await poller.drain();
      drains += 1;
    }
    await poller.drain();

    expect(succeeded).toEqual(['good1', 'good2']);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(StreamRecordSkippedError);
    expect((errors[0] as StreamRecordSkippedError).record.dynamodb?.Keys?.pk).toEqual({ S: 'poison' });
    expect(drains).toBeLessThan(20);
    expect(delivered.filter((pks) => pks.includes('poison')).length).toBeLessThanOrEqual(6);
    expect(delivered.at(-1)).toEqual(['good2']);
  });
});
