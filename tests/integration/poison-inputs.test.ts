import { beforeAll, describe, expect, it } from 'vitest';
import { aShop, anOrder, ORDER_RECORD, type TestShop } from '../fixtures/api.js';

/**
 * Inputs that once poisoned state: each is now refused as a user error (or BAD_USER_INPUT), never
 * an INTERNAL_SERVER_ERROR, and leaves nothing stored.
 */
const UE = 'userErrors { field code message }';
const codes = (res: { errors?: Array<{ extensions?: Record<string, unknown> }> }) => (res.errors ?? []).map((e) => e.extensions?.code);
const long = 'x'.repeat(3000);

describe('inputs that poison state', () => {
  let t: TestShop;
  let customer: string;
  beforeAll(async () => {
    t = await aShop();
    const rec = await t.gql(ORDER_RECORD, { input: anOrder({ orderId: 'P-1', customer: { externalId: 'poison-1' } }) });
    customer = rec.data!.orderRecord.order.customer.id;
    await t.gql(`mutation ($input: LoyaltyProgramUpdateInput!) { loyaltyProgramUpdate(input: $input) { ${UE} } }`, {
      input: { pointsPerUnit: 1, pendingDays: 0, actions: [{ action: 'REVIEW', points: 10 }, { action: 'SOCIAL_SHARE', points: 5 }] },
    });
    await t.gql(`mutation ($input: ReferralProgramUpdateInput!) { referralProgramUpdate(input: $input) { ${UE} } }`, {
      input: { referrerReward: { type: 'POINTS', points: 500 }, refereeReward: { kind: 'FIXED_AMOUNT', value: 1000 }, holdDays: 14 },
    });
  });

  it.each([
    ['an order id', () => ({ input: anOrder({ orderId: 'A-\ud800' }) }), ORDER_RECORD],
    ['a customer external id', () => ({ input: anOrder({ customer: { externalId: 'c-\udc00-x' } }) }), ORDER_RECORD],
    ['a customer name', () => ({ input: { externalId: 'ok-1', firstName: 'Bad\ud800' } }), `mutation ($input: CustomerUpsertInput!) { customerUpsert(input: $input) { customer { id } ${UE} } }`],
  ])('refuses a lone surrogate in %s and stores nothing', async (_name, variables, query) => {
    const res = await t.gql(query, variables());
    const page = await t.gql(`{ customers(first: 100) { nodes { externalId firstName orders(first: 5) { nodes { orderId } } } } }`);

    expect(codes(res)).not.toContain('INTERNAL_SERVER_ERROR');
    const refused = codes(res).includes('BAD_USER_INPUT') || (Object.values(res.data ?? {})[0] as { userErrors?: unknown[] })?.userErrors?.length;
    expect(refused).toBeTruthy();
    expect(page.errors).toBeUndefined();
    expect(JSON.stringify(page.data)).not.toMatch(/\\ud8|\\udc|ok-1/i);
  });

  it.each([
    ['customerByExternalId', `query ($v: String!) { customerByExternalId(externalId: $v) { id } }`],
    ['order', `query ($v: String!) { order(orderId: $v) { id } }`],
    ['survey', `query ($v: ID!) { survey(id: $v) { id } }`],
    ['predictionJob', `query ($v: ID!) { predictionJob(id: $v) { id } }`],
    ['customer', `query ($v: ID!) { customer(id: $v) { id } }`],
    ['referralCoupon', `query ($v: String!) { referralCoupon(code: $v) { code } }`],
  ])('answers an id of 3,000 characters to %s with BAD_USER_INPUT naming the limit', async (_name, query) => {
    const res = await t.gql(query, { v: long });

    expect(codes(res)).toEqual(['BAD_USER_INPUT']);
    expect(res.errors![0]!.message).toMatch(/256/);
  });

  it('refuses an order id over the limit as a user error and stores nothing', async () => {
    const res = await t.gql(ORDER_RECORD, { input: anOrder({ orderId: long }) });

    expect(codes(res)).not.toContain('INTERNAL_SERVER_ERROR');
    expect(res.errors?.length || res.data!.orderRecord.userErrors.length).toBeTruthy();
  });

  it.each([
    ['year 9999', '9999-12-31T00:00:00Z'],
    ['year 0', '0000-01-01T00:00:00Z'],
    ['two days ahead', '2026-03-03T12:00:00Z'],
    ['before 1990', '1989-12-31T00:00:00Z'],
  ])('refuses loyaltyActionRecord at %s and grants nothing', async (_name, at) => {
    const res = await t.gql(`mutation ($input: LoyaltyActionRecordInput!) { loyaltyActionRecord(input: $input) { pointsEarned ${UE} } }`, {
      input: { customer, action: 'REVIEW', idempotencyKey: `at-${at}`, at },
    });
    const account = await t.gql(`query ($id: ID!) { customer(id: $id) { loyalty { balance { lifetimeEarned } entries(first: 50) { nodes { reason } } } } }`, { id: customer });

    expect(codes(res)).not.toContain('INTERNAL_SERVER_ERROR');
    expect(codes(res).includes('BAD_USER_INPUT') || res.data?.loyaltyActionRecord.userErrors.length > 0).toBe(true);
    expect(account.errors).toBeUndefined();
    expect(account.data!.customer.loyalty.entries.nodes.filter((e: { reason: string }) => /REVIEW/.test(e.reason ?? ''))).toEqual([]);
  });

  it.each([
    ['year 9999', '9999-12-31T00:00:00Z'],
    ['year 0', '0000-01-01T00:00:00Z'],
    ['before its order', '2026-01-15T00:00:00Z'],
    ['two days ahead', '2026-03-03T12:00:00Z'],
  ])('refuses orderRefund at %s and refunds nothing', async (_name, at) => {
    const res = await t.gql(`mutation ($input: OrderRefundInput!) { orderRefund(input: $input) { ${UE} } }`, {
      input: { orderId: 'P-1', refundId: `r-${at}`, amount: 100, at },
    });
    const order = await t.gql(`{ order(orderId: "P-1") { refunded { amount } } }`);

    expect(codes(res)).not.toContain('INTERNAL_SERVER_ERROR');
    expect(codes(res).includes('BAD_USER_INPUT') || res.data?.orderRefund.userErrors.length > 0).toBe(true);
    expect(order.data!.order.refunded.amount).toBe(0);
  });

  it('refuses orderCancel before its order and leaves the order placed', async () => {
    const res = await t.gql(`mutation ($input: OrderCancelInput!) { orderCancel(input: $input) { ${UE} } }`, { input: { orderId: 'P-1', at: '2026-01-01T00:00:00Z' } });
    const order = await t.gql(`{ order(orderId: "P-1") { status } }`);

    expect(res.data!.orderCancel.userErrors).toEqual([expect.objectContaining({ code: 'INVALID', field: ['input', 'at'] })]);
    expect(order.data!.order.status).toBe('PLACED');
  });

  it.each([
    ['socialShareRecord', `mutation ($c: ID!) { socialShareRecord(input: { customer: $c, channel: "x", url: "https://example.com" }) { pointsEarned ${UE} } }`],
    ['referralCodeRequest', `mutation ($c: ID!) { referralCodeRequest(input: { customer: $c }) { referral { code } ${UE} } }`],
  ])('answers %s for an unknown customer with a NOT_FOUND user error', async (name, query) => {
    const res = await t.gql(query, { c: 'gid://retention/Customer/cus_nobody' });

    expect(res.errors).toBeUndefined();
    expect(res.data![name].userErrors).toEqual([expect.objectContaining({ code: 'NOT_FOUND' })]);
  });

  it.each([
    ['a key named constructor', { constructor: 1 }],
    ['a key named __proto__', JSON.parse('{"__proto__": {"polluted": true}}')],
    ['1e308', { big: 1e308 }],
  ])('answers custom attributes with %s with a clear answer, never a fault', async (_name, attributes) => {
    const res = await t.gql(`mutation ($input: CustomerUpsertInput!) { customerUpsert(input: $input) { customer { attributes } ${UE} } }`, {
      input: { externalId: `attr-${Object.keys(attributes)[0]}`, attributes },
    });
    const page = await t.gql(`{ customers(first: 100) { nodes { externalId attributes } } }`);

    expect(codes(res)).toEqual([]);
    expect(page.errors).toBeUndefined();
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    const payload = res.data!.customerUpsert;
    if (payload.userErrors.length === 0) expect(payload.customer.attributes).toEqual(attributes);
    else expect(payload.userErrors[0]).toMatchObject({ code: 'INVALID', field: expect.arrayContaining(['input', 'attributes']) });
  });

  it('answers survey results with from after to with BAD_USER_INPUT', async () => {
    const created = await t.gql(`mutation ($input: SurveyCreateInput!) { surveyCreate(input: $input) { survey { id } } }`, {
      input: { name: 's', kind: 'NPS', defaultLocale: 'en', scoreQuestion: { texts: [{ locale: 'en', text: '?' }] }, questions: [] },
    });
    const id = created.data!.surveyCreate.survey.id;

    const res = await t.gql(`query ($id: ID!) { survey(id: $id) { results(from: "2026-02-01T00:00:00Z", to: "2026-01-01T00:00:00Z") { responses } } }`, { id });

    expect(codes(res)).toEqual(['BAD_USER_INPUT']);
    expect(res.errors![0]!.message).toMatch(/from/);
  });

  it('answers a predictionBacktest whose dates leave no customers with BAD_USER_INPUT', async () => {
    const res = await t.gql(`{ predictionBacktest(calibrationEnd: "1995-01-01T00:00:00Z", holdoutEnd: "1996-01-01T00:00:00Z") { customers } }`);

    expect(codes(res)).toEqual(['BAD_USER_INPUT']);
  });
});
