import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { rotateStorefrontSecret } from '../../lib/shops/index.js';
import { dynamo } from '../../lib/db/client.js';
import { aShop, anOrder, apiGatewayEvent, callGraphQL, ORDER_RECORD, type TestShop } from '../fixtures/api.js';

const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

describe('API keys', () => {
  let t: TestShop;
  beforeAll(async () => {
    t = await aShop();
  });

  it.each([
    ['no key', {}],
    ['a malformed key', { authorization: 'Bearer hello' }],
    ['an unknown key', { authorization: 'Bearer sk_nobody-shop_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' }],
    ['a key with a forged tenant', { authorization: 'Bearer sk_other-shop_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' }],
  ])('answers HTTP 401 UNAUTHENTICATED for %s', async (_name, headers) => {
    const res = await t.gql(`{ shop { name } }`, {}, headers as Record<string, string>);

    expect(res.status).toBe(401);
    expect(res.errors![0]!.extensions!.code).toBe('UNAUTHENTICATED');
  });

  it('creates a key through the API, shows the secret once, and a revoked key stops working', async () => {
    const create = `mutation ($input: ApiKeyCreateInput!) { apiKeyCreate(input: $input) { secret apiKey { id name kind prefix scopes } userErrors { field code } } }`;
    const input = { name: 'email tool', kind: 'SECRET', scopes: ['CUSTOMERS_READ'], idempotencyKey: 'k-1' };

    const first = (await t.gql(create, { input })).data!.apiKeyCreate;
    const replay = (await t.gql(create, { input })).data!.apiKeyCreate;
    const works = await t.gql(`{ shop { name } }`, {}, bearer(first.secret));
    await t.gql(`mutation ($id: ID!) { apiKeyRevoke(input: { id: $id }) { apiKey { revokedAt } userErrors { code } } }`, { id: first.apiKey.id });
    const revoked = await t.gql(`{ shop { name } }`, {}, bearer(first.secret));

    expect(first.secret).toMatch(new RegExp(`^sk_${t.tenantId}_`));
    expect(first.apiKey.prefix.endsWith('…')).toBe(true);
    expect(first.secret.startsWith(first.apiKey.prefix.slice(0, -1))).toBe(true);
    expect(replay).toMatchObject({ secret: null, apiKey: { id: first.apiKey.id } });
    expect(works.data!.shop.name).toBe('Test shop');
    expect(revoked.status).toBe(401);
  });

  it('stores only a hash of each key', async () => {
    const { Items } = await dynamo().doc.send(new (await import('@aws-sdk/lib-dynamodb')).ScanCommand({ TableName: process.env.TABLE_NAME! }));

    const dump = JSON.stringify(Items);

    expect(dump).not.toContain(t.adminKey);
    // The secret part is what follows `sk_<tenant>_`; it may itself contain underscores.
    expect(dump).not.toContain(t.adminKey.slice(`sk_${t.tenantId}_`.length));
  });

  it('enforces scopes: a read-only key can read customers but not write orders or list keys', async () => {
    const key = await t.keyWith(['CUSTOMERS_READ']);

    const read = await t.gql(`{ customers(first: 1) { nodes { id } } }`, {}, bearer(key));
    const write = await t.gql(ORDER_RECORD, { input: anOrder() }, bearer(key));
    const keys = await t.gql(`{ apiKeys { id } }`, {}, bearer(key));

    expect(read.errors).toBeUndefined();
    expect(write.errors![0]!.extensions!.code).toBe('FORBIDDEN');
    expect(keys.errors![0]!.extensions!.code).toBe('FORBIDDEN');
  });
});

describe('storefront customer tokens', () => {
  let t: TestShop;
  const ME = `{ me { externalId statistics { ordersCount } orders(first: 5) { nodes { orderId } } } }`;
  beforeAll(async () => {
    t = await aShop();
    await t.gql(ORDER_RECORD, { input: anOrder({ orderId: 'sf-1', customer: { externalId: 'shopper-1' } }) });
    await t.gql(ORDER_RECORD, { input: anOrder({ orderId: 'sf-2', customer: { externalId: 'shopper-2' } }) });
  });

  const storefront = async (token?: string) => ({ authorization: `Bearer ${t.publishableKey}`, ...(token ? { 'x-customer-token': token } : {}) });

  it('answers `me` for the signed-in customer and nobody else', async () => {
    const res = await t.gql(ME, {}, await storefront(await t.customerToken('shopper-1')));

    expect(res.errors).toBeUndefined();
    expect(res.data!.me).toEqual({ externalId: 'shopper-1', statistics: { ordersCount: 1 }, orders: { nodes: [{ orderId: 'sf-1' }] } });
  });

  it('reaches nothing else with a publishable key', async () => {
    const headers = await storefront(await t.customerToken('shopper-1'));

    const customers = await t.gql(`{ customers(first: 5) { nodes { id } } }`, {}, headers);
    const order = await t.gql(`{ order(orderId: "sf-2") { orderId } }`, {}, headers);
    const write = await t.gql(ORDER_RECORD, { input: anOrder() }, headers);

    for (const res of [customers, order, write]) expect(res.errors![0]!.extensions!.code).toBe('FORBIDDEN');
  });

  it.each([
    ['an expired token', async () => {
      const token = await t.customerToken('shopper-1', { expiresInSeconds: 60 });
      t.clock.advance(120_000);
      return token;
    }],
    ['a token signed with another secret', () => t.customerToken('shopper-1', { secret: 'not-the-shop-secret-not-the-shop-secret' })],
    ['a token valid for two days', () => t.customerToken('shopper-1', { expiresInSeconds: 2 * 86_400 })],
    ['garbage', async () => 'abc.def.ghi'],
  ])('answers 401 for %s', async (_name, makeToken) => {
    const res = await t.gql(ME, {}, await storefront(await makeToken()));

    expect(res.status).toBe(401);
    expect(res.errors![0]!.extensions!.code).toBe('UNAUTHENTICATED');
  });

  it('accepts the previous secret for an hour after a rotation, then no longer', async () => {
    const oldToken = await t.customerToken('shopper-2');
    await rotateStorefrontSecret(t.tenantId, t.clock.now());
    const fresh = await aShopHandlerView(t);

    const within = await fresh(ME, await storefront(oldToken));
    t.clock.advance(61 * 60_000);
    const after = await fresh(ME, await storefront(oldToken));

    expect(within.data!.me.externalId).toBe('shopper-2');
    expect(after.status).toBe(401);
  });
});

/** The shop's handler once its cached key and shop have aged out, so it reads the rotated secret. */
async function aShopHandlerView(t: TestShop) {
  const { createGraphQLHandler } = await import('../../lib/graphql/server.js');
  const handler = createGraphQLHandler({ clock: t.clock, throttle: false });
  t.clock.advance(31_000);
  return (query: string, headers: Record<string, string>) => callGraphQL(handler, query, {}, headers);
}

describe('tenant isolation', () => {
  let a: TestShop;
  let b: TestShop;
  let customerId: string;
  beforeAll(async () => {
    a = await aShop();
    b = await aShop();
    const rec = await a.gql(ORDER_RECORD, { input: anOrder({ orderId: 'iso-1', customer: { externalId: 'iso-cust', email: 'iso@example.com' } }) });
    customerId = rec.data!.orderRecord.order.customer.id;
  });

  it('finds nothing of shop A with a key of shop B, through every query', async () => {
    const res = await b.gql(
      `query ($id: ID!) {
        customer(id: $id) { id }
        node(id: $id) { id }
        customerByExternalId(externalId: "iso-cust") { id }
        customerByEmail(email: "iso@example.com") { id }
        order(orderId: "iso-1") { id }
        customers(first: 100) { nodes { id } }
        apiKeys { name }
        shop { id }
      }`,
      { id: customerId },
    );

    expect(res.errors).toBeUndefined();
    expect(res.data).toMatchObject({ customer: null, node: null, customerByExternalId: null, customerByEmail: null, order: null, customers: { nodes: [] } });
    expect(res.data!.apiKeys.map((k: { name: string }) => k.name).sort()).toEqual(['admin', 'storefront']);
    expect(res.data!.shop.id).not.toBe((await a.gql(`{ shop { id } }`)).data!.shop.id);
  });

  it('changes nothing of shop A with a key of shop B, through every mutation', async () => {
    const keyId = (await a.gql(`{ apiKeys { id } }`)).data!.apiKeys[0].id;

    const erase = await b.gql(`mutation ($id: ID!) { customerErase(input: { id: $id }) { userErrors { code } } }`, { id: customerId });
    const cancel = await b.gql(`mutation { orderCancel(input: { orderId: "iso-1" }) { userErrors { code } } }`);
    const refund = await b.gql(`mutation { orderRefund(input: { orderId: "iso-1", refundId: "r", amount: 1 }) { userErrors { code } } }`);
    const revoke = await b.gql(`mutation ($id: ID!) { apiKeyRevoke(input: { id: $id }) { userErrors { code } } }`, { id: keyId });
    const upsert = await b.gql(`mutation { customerUpsert(input: { externalId: "iso-cust", firstName: "Mallory" }) { created } }`);
    const record = await b.gql(ORDER_RECORD, { input: anOrder({ orderId: 'iso-1', customer: { externalId: 'iso-cust' } }) });

    expect(erase.data!.customerErase.userErrors[0].code).toBe('NOT_FOUND');
    expect(cancel.data!.orderCancel.userErrors[0].code).toBe('NOT_FOUND');
    expect(refund.data!.orderRefund.userErrors[0].code).toBe('NOT_FOUND');
    expect(revoke.data!.apiKeyRevoke.userErrors[0].code).toBe('NOT_FOUND');
    expect(upsert.data!.customerUpsert.created).toBe(true);
    expect(record.data!.orderRecord.created).toBe(true);
    const mine = await a.gql(`query ($id: ID!) { customer(id: $id) { firstName erasedAt statistics { ordersCount } } order(orderId: "iso-1") { status refunded { amount } } }`, { id: customerId });
    expect(mine.data).toEqual({ customer: { firstName: null, erasedAt: null, statistics: { ordersCount: 1 } }, order: { status: 'PLACED', refunded: { amount: 0 } } });
  });

  it('refuses a cursor from shop A in shop B', async () => {
    const cursor = (await a.gql(`{ customers(first: 1) { pageInfo { endCursor } } }`)).data!.customers.pageInfo.endCursor;

    const res = await b.gql(`query ($after: String) { customers(first: 1, after: $after) { nodes { id } } }`, { after: cursor });

    expect(res.errors![0]!.extensions!.code).toBe('BAD_USER_INPUT');
  });
});

describe('request limits and production errors', () => {
  let t: TestShop;
  beforeAll(async () => {
    t = await aShop({ production: true });
  });
  afterEach(() => vi.restoreAllMocks());

  it('refuses a query deeper than the limit', async () => {
    const res = await t.gql(`{ customers { nodes { orders { nodes { customer { orders { nodes { customer { orders { nodes { id } } } } } } } } } } }`);

    expect(res.status).toBe(400);
    expect(res.errors![0]!.extensions!.code).toBe('QUERY_TOO_COMPLEX');
  });

  it('refuses a query whose estimated cost is over the limit', async () => {
    const res = await t.gql(`{ customers(first: 100) { nodes { id orders(first: 100) { nodes { id orderId } } } } }`);

    expect(res.errors![0]!.message).toMatch(/cost \d+ exceeds/);
  });

  it('refuses a body over 1 MiB with 413', async () => {
    const res = await t.gql(`{ shop { name } }`, { padding: 'x'.repeat(1_100_000) });

    expect(res.status).toBe(413);
  });

  it('turns introspection off in production', async () => {
    const res = await t.gql(`{ __schema { types { name } } }`);

    expect(res.errors![0]!.message).toMatch(/introspection/i);
  });

  it('rejects a simple cross-site form post (CSRF protection)', async () => {
    const event = apiGatewayEvent('query=%7Bshop%7Bname%7D%7D', { authorization: `Bearer ${t.adminKey}`, 'content-type': 'application/x-www-form-urlencoded' });
    event.requestContext.http.method = 'GET';
    event.rawQueryString = 'query=%7Bshop%7Bname%7D%7D';
    event.queryStringParameters = { query: '{shop{name}}' };

    const result = (await t.handler(event, {} as never, () => {})) as { statusCode: number; body: string };

    expect(result.statusCode).toBe(400);
    expect(result.body).toMatch(/CSRF|preflight/i);
  });

  it('hides an internal fault behind "Internal server error", with no stack trace', async () => {
    const { DynamoDBDocumentClient } = await import('@aws-sdk/lib-dynamodb');
    const real = DynamoDBDocumentClient.prototype.send;
    vi.spyOn(DynamoDBDocumentClient.prototype, 'send').mockImplementation(function (this: unknown, command: { constructor: { name: string } }, ...rest: unknown[]) {
      if (command.constructor.name === 'QueryCommand') {
        const error = Object.assign(new Error('Rate of requests exceeds the allowed throughput (table retention-prod)'), { name: 'ThrottlingException' });
        return Promise.reject(error);
      }
      return (real as (...args: unknown[]) => unknown).call(this, command, ...rest) as never;
    });

    const res = await t.gql(`{ customers(first: 5) { nodes { id } } }`);

    expect(res.errors).toEqual([{ message: 'Internal server error', path: ['customers'], extensions: { code: 'INTERNAL_SERVER_ERROR' } }]);
    expect(res.raw).not.toMatch(/throughput|retention-prod|at .*\.ts/);
  });
});
