import { SignJWT } from 'jose';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { aShop, anOrder, ORDER_RECORD, type TestShop } from '../fixtures/api.js';

const bearer = (key: string) => ({ authorization: `Bearer ${key}` });
const API_KEY_CREATE = `mutation ($input: ApiKeyCreateInput!) { apiKeyCreate(input: $input) { secret apiKey { id scopes } userErrors { field code message } } }`;

describe('key scopes', () => {
  let t: TestShop;
  beforeAll(async () => {
    t = await aShop();
    await t.gql(ORDER_RECORD, { input: anOrder({ customer: { externalId: 'esc-1', email: 'esc@example.com' } }) });
  });

  it('refuses a key with only KEYS_WRITE minting a key with every scope, naming what it lacks, and stores no key', async () => {
    const keysOnly = await t.keyWith(['KEYS_WRITE']);

    const res = await t.gql(API_KEY_CREATE, { input: { name: 'escalated', kind: 'SECRET', scopes: ['KEYS_WRITE', 'CUSTOMERS_READ', 'ORDERS_WRITE'] } }, bearer(keysOnly));

    const payload = res.data!.apiKeyCreate;
    expect(payload.secret).toBeNull();
    expect(payload.userErrors).toHaveLength(1);
    expect(payload.userErrors[0]).toMatchObject({ code: 'FORBIDDEN', field: ['input', 'scopes'] });
    expect(payload.userErrors[0].message).toContain('CUSTOMERS_READ, ORDERS_WRITE');
    expect(payload.userErrors[0].message).not.toContain('KEYS_WRITE,');
    const names = (await t.gql(`{ apiKeys { name } }`)).data!.apiKeys.map((k: { name: string }) => k.name);
    expect(names).not.toContain('escalated');
  });

  it('lets a key create a key with a subset of its own scopes, or a publishable key', async () => {
    const key = await t.keyWith(['KEYS_WRITE', 'CUSTOMERS_READ', 'ORDERS_READ']);

    const narrower = await t.gql(API_KEY_CREATE, { input: { name: 'narrower', kind: 'SECRET', scopes: ['CUSTOMERS_READ'] } }, bearer(key));
    const publishable = await t.gql(API_KEY_CREATE, { input: { name: 'pk', kind: 'PUBLISHABLE' } }, bearer(key));
    const emails = await t.gql(`{ customerByExternalId(externalId: "esc-1") { email } }`, {}, bearer(narrower.data!.apiKeyCreate.secret));

    expect(narrower.data!.apiKeyCreate.userErrors).toEqual([]);
    expect(narrower.data!.apiKeyCreate.apiKey.scopes).toEqual(['CUSTOMERS_READ']);
    expect(publishable.data!.apiKeyCreate.userErrors).toEqual([]);
    expect(emails.data!.customerByExternalId.email).toBe('esc@example.com');
  });
});

describe('storefront token lifetimes', () => {
  let t: TestShop;
  const ME = `{ me { externalId } }`;
  beforeAll(async () => {
    t = await aShop();
    await t.gql(ORDER_RECORD, { input: anOrder({ customer: { externalId: 'tok-1' } }) });
  });

  async function tokenWith(iatOffsetSeconds: number, lifetimeSeconds: number): Promise<string> {
    const iat = Math.floor(t.clock.now().getTime() / 1000) + iatOffsetSeconds;
    return new SignJWT({})
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('tok-1')
      .setIssuedAt(iat)
      .setExpirationTime(iat + lifetimeSeconds)
      .sign(new TextEncoder().encode(await t.storefrontSecret()));
  }
  const call = async (token: string) => t.gql(ME, {}, { authorization: `Bearer ${t.publishableKey}`, 'x-customer-token': token });

  it.each([
    ['issued 300 days ahead, living an hour', 300 * 86_400, 3600],
    ['issued two minutes ahead', 120, 600],
    ['issued a minute ago, expiring in 25 hours', -60, 25 * 3600 + 60],
  ])('refuses a token %s with 401', async (_name, iatOffset, lifetime) => {
    const res = await call(await tokenWith(iatOffset, lifetime));

    expect(res.status).toBe(401);
    expect(res.errors![0]!.extensions!.code).toBe('UNAUTHENTICATED');
  });

  it.each([
    ['issued 30 s ahead (clock skew)', 30, 900],
    ['issued now, living 24 hours', 0, 86_400],
  ])('accepts a token %s', async (_name, iatOffset, lifetime) => {
    const res = await call(await tokenWith(iatOffset, lifetime));

    expect(res.errors).toBeUndefined();
    expect(res.data!.me.externalId).toBe('tok-1');
  });
});

describe('cursor secret in production', () => {
  const saved = { NODE_ENV: process.env.NODE_ENV, CURSOR_SECRET: process.env.CURSOR_SECRET };
  afterEach(() => {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  });

  it('refuses to build the handler in production without CURSOR_SECRET', async () => {
    const { createGraphQLHandler } = await import('../../lib/graphql/server.js');
    process.env.NODE_ENV = 'production';
    delete process.env.CURSOR_SECRET;

    expect(() => createGraphQLHandler()).toThrow(/CURSOR_SECRET/);
  });

  it('builds it in production with a secret, and locally without one', async () => {
    const { createGraphQLHandler } = await import('../../lib/graphql/server.js');
    process.env.NODE_ENV = 'production';
    process.env.CURSOR_SECRET = 'a-production-secret-of-some-length';
    const production = createGraphQLHandler();
    process.env.NODE_ENV = 'development';
    delete process.env.CURSOR_SECRET;
    const local = createGraphQLHandler();

    expect(typeof production).toBe('function');
    expect(typeof local).toBe('function');
  });
});

describe('storefront secret at rest', () => {
  const ME = `{ me { externalId } }`;

  async function storedShopItem(tenantId: string): Promise<Record<string, unknown>> {
    const { GetCommand } = await import('@aws-sdk/lib-dynamodb');
    const { dynamo } = await import('../../lib/db/client.js');
    const { db } = await import('../../lib/db/service.js');
    const key = db().entities.shop.get({ tenantId }).params() as { Key: Record<string, unknown> };
    return (await dynamo().doc.send(new GetCommand({ TableName: process.env.TABLE_NAME!, Key: key.Key }))).Item!;
  }

  it('stores the secret sealed, not in plaintext, and tokens signed with it still verify', async () => {
    const t = await aShop();
    await t.gql(ORDER_RECORD, { input: anOrder({ customer: { externalId: 'sealed-1' } }) });
    const secret = await t.storefrontSecret();

    const item = await storedShopItem(t.tenantId);
    const res = await t.gql(ME, {}, { authorization: `Bearer ${t.publishableKey}`, 'x-customer-token': await t.customerToken('sealed-1') });

    expect(JSON.stringify(item)).not.toContain(secret);
    expect(item.storefrontSecret).toMatch(/^sealed:v1:/);
    expect(res.data!.me.externalId).toBe('sealed-1');
  });

  it('seals both secrets on rotation, and the previous one still verifies in its grace hour', async () => {
    const { rotateStorefrontSecret } = await import('../../lib/shops/index.js');
    const t = await aShop();
    await t.gql(ORDER_RECORD, { input: anOrder({ customer: { externalId: 'sealed-2' } }) });
    const oldSecret = await t.storefrontSecret();
    const oldToken = await t.customerToken('sealed-2');

    const newSecret = await rotateStorefrontSecret(t.tenantId, t.clock.now());
    t.clock.advance(31_000);
    const item = await storedShopItem(t.tenantId);
    const res = await t.gql(ME, {}, { authorization: `Bearer ${t.publishableKey}`, 'x-customer-token': oldToken });

    expect(JSON.stringify(item)).not.toContain(oldSecret);
    expect(JSON.stringify(item)).not.toContain(newSecret);
    expect(item.previousStorefrontSecret).toMatch(/^sealed:v1:/);
    expect(res.data!.me.externalId).toBe('sealed-2');
  });

  it('still accepts a shop stored with a plaintext secret, and seals it on first use', async () => {
    const { db } = await import('../../lib/db/service.js');
    const t = await aShop();
    await t.gql(ORDER_RECORD, { input: anOrder({ customer: { externalId: 'legacy-1' } }) });
    const plaintext = 'a-legacy-plaintext-storefront-secret-000';
    await db().entities.shop.patch({ tenantId: t.tenantId }).set({ storefrontSecret: plaintext }).go();
    t.clock.advance(31_000);

    const res = await t.gql(ME, {}, { authorization: `Bearer ${t.publishableKey}`, 'x-customer-token': await t.customerToken('legacy-1', { secret: plaintext }) });
    const item = await storedShopItem(t.tenantId);

    expect(res.data!.me.externalId).toBe('legacy-1');
    expect(JSON.stringify(item)).not.toContain(plaintext);
    expect(await t.storefrontSecret()).toBe(plaintext);
  });

  it('refuses a sealed secret copied into another shop', async () => {
    const { db } = await import('../../lib/db/service.js');
    const a = await aShop();
    const b = await aShop();
    await b.gql(ORDER_RECORD, { input: anOrder({ customer: { externalId: 'copied-1' } }) });
    const sealedOfA = (await storedShopItem(a.tenantId)).storefrontSecret as string;
    await db().entities.shop.patch({ tenantId: b.tenantId }).set({ storefrontSecret: sealedOfA }).go();
    b.clock.advance(31_000);

    const token = await b.customerToken('copied-1', { secret: await a.storefrontSecret() }).catch(() => 'unsigned');
    // The fault is logged (lib/common/logger.ts writes JSON lines to stdout or stderr).
    const lines: string[] = [];
    const capture = (chunk: unknown) => {
      lines.push(String(chunk));
      return true;
    };
    const out = vi.spyOn(process.stdout, 'write').mockImplementation(capture);
    const err = vi.spyOn(process.stderr, 'write').mockImplementation(capture);
    const res = await b.gql(ME, {}, { authorization: `Bearer ${b.publishableKey}`, 'x-customer-token': token });
    out.mockRestore();
    err.mockRestore();
    const faultsLogged = lines.filter((line) => line.includes('GraphQL fault')).length;

    expect(res.data?.me ?? null).toBeNull();
    expect(res.errors![0]!.extensions!.code).toBe('INTERNAL_SERVER_ERROR');
    expect(faultsLogged).toBeGreaterThan(0);
  });
});
