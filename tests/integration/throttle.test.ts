import { describe, expect, it } from 'vitest';
import { createGraphQLHandler } from '../../lib/graphql/server.js';
import { aShop, callGraphQL } from '../fixtures/api.js';

/** 1 (customers) + 100 x (1 nodes + 1 id): 201 points, so a 2,000-point bucket serves nine. */
const HUNDRED_IDS = `{ customers(first: 100) { nodes { id } } }`;
const BACKTEST = `predictionBacktest(calibrationEnd: "2026-01-01T00:00:00Z") { customers }`;

describe('extensions.cost', () => {
  it('states the requested and actual cost and the bucket on every response', async () => {
    const t = await aShop({ throttle: true });

    const res = await t.gql(`{ shop { name } }`);

    expect(res.errors).toBeUndefined();
    expect(res.extensions?.cost).toEqual({
      requestedQueryCost: 2,
      actualQueryCost: 2,
      throttleStatus: { maximumAvailable: 2000, currentlyAvailable: 1998, restoreRate: 100 },
    });
  });

  it('states the requested cost of an operation refused by the limits, which ran nothing', async () => {
    const t = await aShop({ throttle: true });

    const res = await t.gql(`{ customers(first: 100) { nodes { orders(first: 100) { nodes { id } } } } }`);

    expect(res.errors?.[0]?.extensions?.code).toBe('QUERY_TOO_COMPLEX');
    expect(res.extensions?.cost).toEqual({ requestedQueryCost: 20_201, actualQueryCost: null, throttleStatus: null });
  });
});

describe('throttling per key', () => {
  it('refuses a burst with 429, THROTTLED and a retry-after, and serves again once the bucket refills', async () => {
    const t = await aShop({ throttle: true });
    for (let i = 0; i < 9; i++) expect((await t.gql(HUNDRED_IDS)).errors).toBeUndefined();

    const refused = await t.gql(HUNDRED_IDS);
    t.clock.advance(Number(refused.headers['retry-after']) * 1000);
    const again = await t.gql(HUNDRED_IDS);

    expect(refused.status).toBe(429);
    expect(refused.data).toBeUndefined();
    expect(refused.errors?.[0]?.extensions).toMatchObject({ code: 'THROTTLED', retryAfterSeconds: 1 });
    expect(refused.headers['retry-after']).toBe('1');
    expect(refused.extensions?.cost).toMatchObject({ requestedQueryCost: 201, actualQueryCost: null, throttleStatus: { currentlyAvailable: 191 } });
    expect(again.errors).toBeUndefined();
    // 191 left, 100 restored in the second waited, 201 taken.
    expect(again.extensions?.cost.throttleStatus.currentlyAvailable).toBe(90);
  });

  it('shares one bucket between two containers of the same function', async () => {
    const t = await aShop({ throttle: true });
    const other = createGraphQLHandler({ clock: t.clock, throttle: true });
    const auth = { authorization: `Bearer ${t.adminKey}` };
    for (let i = 0; i < 9; i++) expect((await (i % 2 ? t.gql(HUNDRED_IDS) : callGraphQL(other, HUNDRED_IDS, {}, auth))).errors).toBeUndefined();

    const refused = await callGraphQL(other, HUNDRED_IDS, {}, auth);

    expect(refused.status).toBe(429);
    expect(refused.errors?.[0]?.extensions?.code).toBe('THROTTLED');
  });

  it('gives every key, and every storefront customer, a bucket of its own', async () => {
    const t = await aShop({ throttle: true });
    await t.gql(`mutation ($input: OrderRecordInput!) { orderRecord(input: $input) { userErrors { code } } }`, {
      input: { orderId: 'o-1', customer: { externalId: 'ann' }, placedAt: '2026-02-01T10:00:00Z', currencyCode: 'EUR', subtotal: 100, total: 100 },
    });
    for (let i = 0; i < 9; i++) await t.gql(HUNDRED_IDS);
    const otherKey = await t.keyWith(['CUSTOMERS_READ']);
    const storefront = { authorization: `Bearer ${t.publishableKey}`, 'x-customer-token': await t.customerToken('ann') };

    const admin = await t.gql(HUNDRED_IDS);
    const second = await t.gql(HUNDRED_IDS, {}, { authorization: `Bearer ${otherKey}` });
    const me = await t.gql(`{ me { externalId } }`, {}, storefront);

    expect(admin.status).toBe(429);
    expect(second.errors).toBeUndefined();
    expect(me.data).toEqual({ me: { externalId: 'ann' } });
    expect(me.extensions?.cost.throttleStatus.currentlyAvailable).toBe(2000 - me.extensions?.cost.requestedQueryCost);
  });
});

describe('cost that matches the work', () => {
  it('prices a model fit so that a handful fit in one request', async () => {
    const t = await aShop();
    const aliases = (n: number) => `{ ${Array.from({ length: n }, (_, i) => `b${i}: ${BACKTEST}`).join(' ')} }`;

    const ten = await t.gql(aliases(10));

    expect(ten.errors?.[0]?.extensions?.code).toBe('QUERY_TOO_COMPLEX');
    expect(ten.errors?.[0]?.message).toBe('Query cost 5010 exceeds the limit of 5000');
  });

  it("refuses more work than the shop's bucket can ever hold as too complex", async () => {
    const t = await aShop({ throttle: true });

    const four = await t.gql(`{ ${Array.from({ length: 4 }, (_, i) => `b${i}: ${BACKTEST}`).join(' ')} }`);

    expect(four.status).toBe(400);
    expect(four.errors?.[0]?.message).toBe("Query cost 2004 exceeds the 2000 points of this shop's bucket");
  });

  it('refuses a variable default exactly as the same literal', async () => {
    const t = await aShop();

    const literal = await t.gql(`{ customers(first: 100) { nodes { orders(first: 100) { nodes { id } } } } }`);
    const byDefault = await t.gql(`query ($f: Int = 100) { customers(first: $f) { nodes { orders(first: $f) { nodes { id } } } } }`);
    const byValue = await t.gql(`query ($f: Int) { customers(first: $f) { nodes { orders(first: $f) { nodes { id } } } } }`, { f: 100 });

    expect(literal.errors?.[0]?.message).toBe('Query cost 20201 exceeds the limit of 5000');
    expect(byDefault.errors?.[0]?.message).toBe(literal.errors?.[0]?.message);
    expect(byValue.errors?.[0]?.message).toBe(literal.errors?.[0]?.message);
  });

  it('counts an argument left out at its declared default', async () => {
    const t = await aShop({ throttle: true });

    const res = await t.gql(`{ customers { nodes { id } } }`);

    expect(res.extensions?.cost.requestedQueryCost).toBe(1 + 20 * 2);
  });

  it('refuses an alias bomb', async () => {
    const t = await aShop();

    const res = await t.gql(`{ shop { ${Array.from({ length: 31 }, (_, i) => `n${i}: name`).join(' ')} } }`);

    expect(res.status).toBe(400);
    expect(res.errors?.[0]?.message).toBe('31 aliases exceed the limit of 30');
  });

  it('refuses a root-field bomb, fragments expanded', async () => {
    const t = await aShop();

    const res = await t.gql(`query { ...f ...f } fragment f on Query { ${'shop { name } '.repeat(11)} }`);

    expect(res.errors?.[0]?.extensions?.code).toBe('QUERY_TOO_COMPLEX');
    expect(res.errors?.[0]?.message).toBe('22 root fields exceed the limit of 20');
  });
});

describe('production errors', () => {
  it('suggests no field names', async () => {
    const dev = await aShop();
    const prod = await aShop({ production: true });

    const suggested = await dev.gql(`{ customerz(first: 1) { nodes { id } } }`);
    const plain = await prod.gql(`{ customerz(first: 1) { nodes { id } } }`);

    expect(suggested.errors?.[0]?.message).toMatch(/Did you mean/);
    expect(plain.errors?.[0]?.message).toBe('Cannot query field "customerz" on type "Query".');
  });
});
