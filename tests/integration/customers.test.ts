import { beforeAll, describe, expect, it } from 'vitest';
import { aShop, anOrder, ORDER_RECORD, type GraphQLResponse, type TestShop } from '../fixtures/api.js';

const UPSERT = /* GraphQL */ `
  mutation ($input: CustomerUpsertInput!) {
    customerUpsert(input: $input) {
      created
      customer { id externalId email firstName lastName phone birthday locale tags attributes marketingConsent { newsletter optedInAt optInSource optedOutAt } }
      userErrors { field code message }
    }
  }
`;

const PAGE = /* GraphQL */ `
  query ($first: Int, $after: String, $filter: CustomerFilter) {
    customers(first: $first, after: $after, filter: $filter) {
      edges { cursor node { id externalId statistics { ordersCount } } }
      pageInfo { hasNextPage endCursor }
    }
  }
`;

describe('customerUpsert', () => {
  let t: TestShop;
  beforeAll(async () => {
    t = await aShop();
  });

  it('creates a customer by external id, then updates only the fields sent', async () => {
    const created = await t.gql(UPSERT, {
      input: { externalId: 'c-1', email: ' Ann@Example.COM ', firstName: 'Ann', tags: ['vip', 'vip', 'coffee'], attributes: { size: 'M' }, marketingConsent: { newsletter: 'SUBSCRIBED', source: 'checkout' } },
    });
    const updated = await t.gql(UPSERT, { input: { externalId: 'c-1', lastName: 'Lee', firstName: null } });

    expect(created.data!.customerUpsert).toMatchObject({ created: true, userErrors: [], customer: { email: 'Ann@Example.COM', tags: ['vip', 'coffee'], marketingConsent: { newsletter: 'SUBSCRIBED', optedInAt: '2026-03-01T12:00:00.000Z', optInSource: 'checkout' } } });
    expect(updated.data!.customerUpsert).toMatchObject({ created: false, customer: { id: created.data!.customerUpsert.customer.id, email: 'Ann@Example.COM', firstName: null, lastName: 'Lee', attributes: { size: 'M' } } });
  });

  it('finds a customer by normalised email', async () => {
    await t.gql(UPSERT, { input: { externalId: 'c-2', email: 'Bo.Ng@Example.com' } });

    const res = await t.gql(`query { customerByEmail(email: "  bo.ng@EXAMPLE.com") { externalId } }`);

    expect(res.data!.customerByEmail).toEqual({ externalId: 'c-2' });
  });

  it('records an opt-out with its time', async () => {
    await t.gql(UPSERT, { input: { externalId: 'c-3', marketingConsent: { newsletter: 'SUBSCRIBED' } } });
    t.clock.advance(86_400_000);

    const res = await t.gql(UPSERT, { input: { externalId: 'c-3', marketingConsent: { newsletter: 'UNSUBSCRIBED' } } });

    expect(res.data!.customerUpsert.customer.marketingConsent).toEqual({ newsletter: 'UNSUBSCRIBED', optedInAt: '2026-03-01T12:00:00.000Z', optInSource: null, optedOutAt: '2026-03-02T12:00:00.000Z' });
  });

  it('creates one customer when the same new external id is upserted concurrently', async () => {
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => t.gql(UPSERT, { input: { externalId: 'c-race', firstName: `n${i}` } })));

    expect(results.every((r) => r.data!.customerUpsert.userErrors.length === 0)).toBe(true);
    expect(new Set(results.map((r) => r.data!.customerUpsert.customer.id)).size).toBe(1);
    expect(results.filter((r) => r.data!.customerUpsert.created)).toHaveLength(1);
  });

  it.each([
    [{ externalId: '' }, ['input', 'externalId']],
    [{ externalId: 'x', email: 'nope' }, ['input', 'email']],
    [{ externalId: 'x', birthday: '1990-13-45' }, ['input', 'birthday']],
    [{ externalId: 'x', locale: 'German' }, ['input', 'locale']],
    [{ externalId: 'x', tags: ['ok', ''] }, ['input', 'tags', '1']],
  ])('rejects %j with the field path %j', async (input, field) => {
    const res = await t.gql(UPSERT, { input });

    expect(res.data!.customerUpsert.customer).toBeNull();
    expect(res.data!.customerUpsert.userErrors).toContainEqual(expect.objectContaining({ code: 'INVALID', field }));
  });
});

describe('customers connection', () => {
  let t: TestShop;
  beforeAll(async () => {
    t = await aShop();
    for (let i = 0; i < 23; i++) await t.gql(UPSERT, { input: { externalId: `p-${i}`, tags: i % 3 === 0 ? ['third'] : [] } });
    await t.gql(ORDER_RECORD, { input: anOrder({ customer: { externalId: 'p-1' } }) });
  });

  it('walks every customer exactly once, page by page', async () => {
    const seen: string[] = [];
    let after: string | null = null;
    let pages = 0;
    do {
      const res: GraphQLResponse = await t.gql(PAGE, { first: 5, after });
      const conn = res.data!.customers;
      seen.push(...conn.edges.map((e: { node: { externalId: string } }) => e.node.externalId));
      after = conn.pageInfo.hasNextPage ? conn.pageInfo.endCursor : null;
      pages += 1;
    } while (after && pages < 20);

    expect(seen).toHaveLength(23);
    expect(new Set(seen).size).toBe(23);
  });

  it('resumes after any edge cursor, not only the last', async () => {
    const page = (await t.gql(PAGE, { first: 6 })).data!.customers;

    const resumed = (await t.gql(PAGE, { first: 2, after: page.edges[2].cursor })).data!.customers;

    expect(resumed.edges.map((e: { node: { id: string } }) => e.node.id)).toEqual(page.edges.slice(3, 5).map((e: { node: { id: string } }) => e.node.id));
  });

  it('filters by tag and by having orders', async () => {
    const tagged = (await t.gql(PAGE, { first: 50, filter: { tag: 'third' } })).data!.customers;
    const buyers = (await t.gql(PAGE, { first: 50, filter: { hasOrders: true } })).data!.customers;

    expect(tagged.edges).toHaveLength(8);
    expect(buyers.edges.map((e: { node: { externalId: string } }) => e.node.externalId)).toEqual(['p-1']);
  });

  it('answers BAD_USER_INPUT for a forged cursor', async () => {
    const forged = Buffer.from(JSON.stringify({ pk: 'x', sk: 'y' })).toString('base64url') + '.c2ln';

    const res = await t.gql(PAGE, { first: 5, after: forged });

    expect(res.errors![0]!.extensions!.code).toBe('BAD_USER_INPUT');
    expect(res.data?.customers ?? null).toBeNull();
  });
});

describe('customerErase', () => {
  it('removes personal data and lookups, keeps the anonymous statistics, and frees the external id', async () => {
    const t = await aShop();
    await t.gql(UPSERT, { input: { externalId: 'gdpr-1', email: 'erase@example.com', firstName: 'Eve', phone: '+49 30 1234' } });
    const order = anOrder({ customer: { externalId: 'gdpr-1' } });
    const id = (await t.gql(ORDER_RECORD, { input: order })).data!.orderRecord.order.customer.id;

    const erased = await t.gql(
      `mutation ($id: ID!) { customerErase(input: { id: $id }) { customer { id externalId email firstName phone erasedAt statistics { ordersCount totalSpent { amount } } } userErrors { code } } }`,
      { id },
    );

    expect(erased.data!.customerErase.customer).toEqual({ id, externalId: null, email: null, firstName: null, phone: null, erasedAt: '2026-03-01T12:00:00.000Z', statistics: { ordersCount: 1, totalSpent: { amount: 5_500 } } });
    const lookups = await t.gql(`query { a: customerByExternalId(externalId: "gdpr-1") { id } b: customerByEmail(email: "erase@example.com") { id } }`);
    expect(lookups.data).toEqual({ a: null, b: null });
    const again = await t.gql(ORDER_RECORD, { input: anOrder({ customer: { externalId: 'gdpr-1' } }) });
    expect(again.data!.orderRecord.order.customer.id).not.toBe(id);
  });
});
