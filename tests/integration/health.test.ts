import { createServer } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { handler as healthHandler } from '../../functions/health.js';
import { resetDynamo } from '../../lib/db/client.js';
import { startApiGatewayServer, type ApiGatewayServer } from '../../scripts/local/apigw-server.js';

/** A port nothing listens on: bound, then released. */
async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

describe('GET /health', () => {
  let server: ApiGatewayServer | undefined;
  const endpoint = process.env.DYNAMODB_ENDPOINT;
  afterEach(async () => {
    await server?.close();
    process.env.DYNAMODB_ENDPOINT = endpoint;
    resetDynamo();
    vi.restoreAllMocks();
  });

  async function health(): Promise<Response> {
    server = await startApiGatewayServer({ port: 0, handler: async () => ({ statusCode: 500 }), healthHandler });
    return fetch(`${new URL(server.url).origin}/health`);
  }

  it('answers 200 with a small JSON body when the table answers', async () => {
    const res = await health();

    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(await res.json()).toMatchObject({ status: 'ok', table: 'answering' });
  });

  it('answers 503 when DynamoDB does not answer, and says nothing internal', async () => {
    vi.spyOn(console, 'error').mockImplementation(() => {});
    process.env.DYNAMODB_ENDPOINT = `http://127.0.0.1:${await closedPort()}`;
    resetDynamo();

    const res = await health();
    const body = await res.text();

    expect(res.status).toBe(503);
    expect(JSON.parse(body)).toMatchObject({ status: 'unavailable', table: 'not answering' });
    expect(body).not.toMatch(/127\.0\.0\.1|ECONNREFUSED|Error/);
  });
});
