import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createGraphQLHandler } from '../../lib/graphql/server.js';
import { aShop, apiGatewayEvent, type TestShop } from '../fixtures/api.js';

/**
 * The CORS policy and the explorer, through the Lambda handler as API Gateway invokes it (the
 * local adapter hands it the same events; tests/browser/ checks the same in a real browser).
 */
const STOREFRONT = 'https://shop.example.com';
const context = { functionName: 'graphql', awsRequestId: 'test', getRemainingTimeInMillis: () => 30_000 } as unknown as Context;

function event(method: string, headers: Record<string, string>, body?: string): APIGatewayProxyEventV2 {
  const base = apiGatewayEvent(body ?? '', headers);
  base.requestContext.http.method = method;
  base.routeKey = `${method} /graphql`;
  if (body === undefined) {
    delete base.body;
    delete base.headers['content-type'];
  }
  return base;
}

async function invoke(t: TestShop | { handler: TestShop['handler'] }, e: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> {
  return (await t.handler(e, context, () => {})) as APIGatewayProxyStructuredResultV2;
}

const UPDATE = `mutation ($input: ShopSettingsUpdateInput!) {
  shopSettingsUpdate(input: $input) { shop { allowedOrigins } metricsRebuildNeeded userErrors { field code message } }
}`;
const UPSERT = `mutation ($input: CustomerUpsertInput!) { customerUpsert(input: $input) { created } }`;

describe('CORS', () => {
  let t: TestShop;
  beforeAll(async () => {
    t = await aShop();
  });
  afterEach(() => {
    delete process.env.CONSOLE_ORIGINS;
  });

  const post = (origin: string | undefined, query: string, variables: Record<string, unknown> = {}, key = t.adminKey) =>
    invoke(t, event('POST', { authorization: `Bearer ${key}`, ...(origin ? { origin } : {}) }, JSON.stringify({ query, variables })));

  it('answers a preflight for the API headers itself, before Apollo and its CSRF check', async () => {
    const res = await invoke(t, event('OPTIONS', { origin: STOREFRONT, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type,x-customer-token' }));

    expect(res.statusCode).toBe(204);
    expect(res.headers).toMatchObject({
      'access-control-allow-origin': STOREFRONT,
      'access-control-allow-methods': 'GET, POST, OPTIONS',
      'access-control-allow-headers': 'authorization, content-type, x-customer-token',
      vary: 'Origin',
    });
    expect(res.body).toBe('');
  });

  it('refuses a request from an origin the shop does not list, before it runs', async () => {
    const res = await post(STOREFRONT, UPSERT, { input: { externalId: 'from-a-stranger' } });
    const check = await t.gql(`{ customerByExternalId(externalId: "from-a-stranger") { id } }`);

    expect(res.statusCode).toBe(403);
    expect(res.headers?.['access-control-allow-origin']).toBeUndefined();
    expect(JSON.parse(res.body!).errors[0]).toMatchObject({ extensions: { code: 'FORBIDDEN' }, message: expect.stringContaining('allowedOrigins') });
    expect(check.data!.customerByExternalId).toBeNull();
  });

  it('lets the origins the shop lists read the response, and only for that shop', async () => {
    const update = await t.gql(UPDATE, { input: { allowedOrigins: [STOREFRONT] } });
    const other = await aShop();

    const allowed = await post(STOREFRONT, '{ shop { name } }');
    const otherShop = await post(STOREFRONT, '{ shop { name } }', {}, other.adminKey);

    expect(update.data!.shopSettingsUpdate).toEqual({ shop: { allowedOrigins: [STOREFRONT] }, metricsRebuildNeeded: false, userErrors: [] });
    expect(allowed.statusCode).toBe(200);
    expect(allowed.headers).toMatchObject({ 'access-control-allow-origin': STOREFRONT, vary: 'Origin' });
    expect(otherShop.statusCode).toBe(403);
    expect(otherShop.headers?.['access-control-allow-origin']).toBeUndefined();
  });

  it("allows the console's origin for every shop, so it can show a refused key in words", async () => {
    process.env.CONSOLE_ORIGINS = 'https://console.example.net/, https://other.example.net';

    const ok = await post('https://console.example.net', '{ shop { name } }');
    const badKey = await post('https://console.example.net', '{ shop { name } }', {}, 'sk_nope_0123456789012345678901234567890a');

    expect(ok.headers?.['access-control-allow-origin']).toBe('https://console.example.net');
    expect(badKey.statusCode).toBe(401);
    expect(badKey.headers?.['access-control-allow-origin']).toBe('https://console.example.net');
  });

  it("allows the API's own origin (the dev console) and leaves requests without an Origin alone", async () => {
    const own = await invoke(t, event('POST', { authorization: `Bearer ${t.adminKey}`, origin: 'http://127.0.0.1:4000', host: '127.0.0.1:4000', 'x-forwarded-proto': 'http' }, JSON.stringify({ query: '{ shop { name } }' })));
    const server = await post(undefined, '{ shop { name } }');

    expect(own.headers?.['access-control-allow-origin']).toBe('http://127.0.0.1:4000');
    expect(server.statusCode).toBe(200);
    expect(server.headers?.['access-control-allow-origin']).toBeUndefined();
  });
});

describe('allowedOrigins in shopSettingsUpdate', () => {
  it('stores origins as browsers send them, sorted and once each; the same list again changes nothing', async () => {
    const t = await aShop();

    const first = await t.gql(UPDATE, { input: { allowedOrigins: ['https://B.example.com/', 'https://a.example.com:8443', 'https://b.example.com'] } });
    const again = await t.gql(UPDATE, { input: { allowedOrigins: ['https://a.example.com:8443', 'https://b.example.com'] } });
    const shop = await t.gql(`{ shop { allowedOrigins timeZone } }`);

    expect(first.data!.shopSettingsUpdate.shop.allowedOrigins).toEqual(['https://a.example.com:8443', 'https://b.example.com']);
    expect(again.data!.shopSettingsUpdate).toMatchObject({ metricsRebuildNeeded: false, userErrors: [] });
    expect(shop.data!.shop).toEqual({ allowedOrigins: ['https://a.example.com:8443', 'https://b.example.com'], timeZone: 'Europe/Berlin' });
  });

  it('names each origin that is not one, and changes nothing', async () => {
    const t = await aShop();

    const res = await t.gql(UPDATE, { input: { allowedOrigins: ['https://ok.example.com', 'https://shop.example.com/path', 'ftp://x.example.com', '*'] } });
    const shop = await t.gql(`{ shop { allowedOrigins } }`);

    expect(res.data!.shopSettingsUpdate.shop).toBeNull();
    expect(res.data!.shopSettingsUpdate.userErrors.map((e: any) => e.field)).toEqual([
      ['input', 'allowedOrigins', '1'],
      ['input', 'allowedOrigins', '2'],
      ['input', 'allowedOrigins', '3'],
    ]);
    expect(shop.data!.shop.allowedOrigins).toEqual([]);
  });
});

describe('the explorer', () => {
  const page = (handler: TestShop['handler']) => invoke({ handler }, event('GET', { accept: 'text/html,application/xhtml+xml' }));

  it('serves GraphiQL from the console assets to a browser in development', async () => {
    const res = await page(createGraphQLHandler({ production: false }));

    expect(res.statusCode).toBe(200);
    expect(res.headers?.['content-type']).toBe('text/html; charset=utf-8');
    expect(res.body).toContain('<script type="module" src="/console/explorer/explorer.js">');
    expect(res.body).not.toMatch(/https?:\/\//);
  });

  it('is off in production unless GRAPHQL_EXPLORER=true', async () => {
    const off = await page(createGraphQLHandler({ production: true }));
    process.env.GRAPHQL_EXPLORER = 'true';
    process.env.EXPLORER_ASSETS_URL = 'https://console.example.net/explorer/';
    const on = await page(createGraphQLHandler({ production: true }));
    delete process.env.GRAPHQL_EXPLORER;
    delete process.env.EXPLORER_ASSETS_URL;

    expect(off.headers?.['content-type']).not.toContain('text/html');
    expect(off.body).not.toContain('graphiql');
    // The deployed explorer lives on the console's origin, where its workers may start.
    expect(on.statusCode).toBe(302);
    expect(on.headers?.location).toBe('https://console.example.net/explorer/');
  });
});
