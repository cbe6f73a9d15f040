import { beforeAll, describe, expect, it } from 'vitest';
import { referralProjection } from '../../lib/referrals/index.js';
import { apiScopes, type ApiScope } from '../../lib/shops/index.js';
import { createStreamHandler } from '../../lib/streams/handler.js';
import { aShop, anOrder, mutateOk, ORDER_RECORD, type TestShop } from '../fixtures/api.js';
import { feedStream } from '../fixtures/stream.js';

// Referrals are created by the stream's referral projection from the referee's order.
const stream = feedStream(createStreamHandler([referralProjection]));

const en = (text: string) => [{ locale: 'en', text }];

const NODE = `query ($id: ID!) {
  node(id: $id) {
    __typename
    id
    ... on Customer { externalId }
    ... on Order { orderId }
    ... on ApiKey { name }
    ... on Shop { name }
    ... on Survey { name }
    ... on SurveyResponse { score }
    ... on SurveyInvitation { invitationOrderId: orderId }
    ... on FeedbackFollowUp { score }
    ... on PredictionJob { status }
    ... on MetricsRebuildJob { revenueBasis }
    ... on LoyaltyReward { rewardId }
    ... on LoyaltyCoupon { code }
    ... on Referral { orderId }
    ... on ReferralCoupon { code }
    ... on WebhookSubscription { url }
    ... on WebhookDelivery { eventType }
    ... on Flow { name }
  }
}`;

interface Made {
  id: string;
  /** A field of the object as its own query or mutation returned it. */
  field: Record<string, unknown>;
  /** The scope its own query needs; null when any key reads it. */
  scope: ApiScope | null;
}

/** Creates one object of every Node type through the API; returns them by type name. */
async function oneOfEach(t: TestShop): Promise<Record<string, Made>> {
  const customer = (await mutateOk(t, `mutation ($input: CustomerUpsertInput!) { customerUpsert(input: $input) { customer { id externalId } userErrors { code } } }`, { externalId: 'node-cust' })).customer;
  const order = (await mutateOk(t, ORDER_RECORD, anOrder({ orderId: 'node-ord', customer: { externalId: 'node-cust' } }))).order;
  const apiKey = (await mutateOk(t, `mutation ($input: ApiKeyCreateInput!) { apiKeyCreate(input: $input) { apiKey { id name } userErrors { code } } }`, { name: 'node-key', kind: 'SECRET', scopes: ['ORDERS_READ'] })).apiKey;
  const shop = (await t.gql(`{ shop { id name } }`)).data!.shop;
  const survey = (
    await mutateOk(t, `mutation ($input: SurveyCreateInput!) { surveyCreate(input: $input) { survey { id name } userErrors { code } } }`, {
      name: 'node-survey',
      kind: 'NPS',
      defaultLocale: 'en',
      scoreQuestion: { texts: en('How likely are you to recommend us?') },
    })
  ).survey;
  await mutateOk(t, `mutation ($input: SurveyStatusInput!) { surveyActivate(input: $input) { survey { id } userErrors { code } } }`, { id: survey.id });
  const submitted = await mutateOk(
    t,
    `mutation ($input: SurveyResponseSubmitInput!) { surveyResponseSubmit(input: $input) { response { id score } followUpCreated userErrors { code } } }`,
    { surveyId: survey.id, customerId: customer.id, answers: [{ questionKey: 'score', rating: 2 }] },
  );
  expect(submitted.followUpCreated).toBe(true);
  const followUp = (await t.gql(`{ feedbackFollowUps(first: 5) { nodes { id score } } }`)).data!.feedbackFollowUps.nodes[0];
  const invitation = (
    await mutateOk(t, `mutation ($input: SurveyInvitationCreateInput!) { surveyInvitationCreate(input: $input) { invitation { id orderId } userErrors { code } } }`, {
      surveyId: survey.id,
      customerId: customer.id,
      orderId: 'node-ord',
    })
  ).invitation;
  const predictionJob = (await mutateOk(t, `mutation { predictionsRefresh(input: {}) { job { id status } userErrors { code } } }`, {})).job;
  const rebuild = (await t.gql(`mutation { metricsRebuild { job { id revenueBasis } userErrors { code } } }`)).data!.metricsRebuild.job;

  await mutateOk(t, `mutation ($input: LoyaltyProgramUpdateInput!) { loyaltyProgramUpdate(input: $input) { userErrors { code } } }`, { pointsPerUnit: 1, pendingDays: 0 });
  const reward = (
    await mutateOk(t, `mutation ($input: LoyaltyRewardCreateInput!) { loyaltyRewardCreate(input: $input) { reward { id rewardId } userErrors { code } } }`, {
      name: '5 EUR off',
      kind: 'FIXED_AMOUNT',
      value: 500,
      pointsCost: 10,
    })
  ).reward;
  await mutateOk(t, `mutation ($input: LoyaltyPointsAdjustInput!) { loyaltyPointsAdjust(input: $input) { points userErrors { code } } }`, {
    customer: customer.id,
    points: 10,
    reason: 'node test',
    idempotencyKey: 'node-credit',
  });
  const coupon = (
    await mutateOk(t, `mutation ($input: LoyaltyRewardRedeemInput!) { loyaltyRewardRedeem(input: $input) { coupon { id code } userErrors { code } } }`, { customer: customer.id, rewardId: reward.rewardId })
  ).coupon;

  await mutateOk(t, `mutation ($input: ReferralProgramUpdateInput!) { referralProgramUpdate(input: $input) { userErrors { code } } }`, {
    referrerReward: { type: 'POINTS', points: 50 },
    refereeReward: { kind: 'FIXED_AMOUNT', value: 1000, minimumOrderAmount: 3000 },
    minimumOrderAmount: 2000,
  });
  const code = (await t.gql(`{ customerByExternalId(externalId: "node-cust") { referral { code } } }`)).data!.customerByExternalId.referral.code;
  await mutateOk(t, ORDER_RECORD, anOrder({ orderId: 'node-referee', customer: { externalId: 'node-friend' }, placedAt: t.clock.now().toISOString(), referralCode: code }));
  await stream.poller.drain();
  const referral = (await t.gql(`{ referrals(first: 10) { nodes { id orderId refereeCouponCode } } }`)).data!.referrals.nodes.find((r: { orderId: string }) => r.orderId === 'node-referee');
  const refereeCoupon = (await t.gql(`query ($code: String!) { referralCoupon(code: $code) { id code } }`, { code: referral.refereeCouponCode })).data!.referralCoupon;
  // Nothing listens on port 9: the test delivery fails at once and stays in the log.
  const subscription = (
    await mutateOk(t, `mutation ($input: WebhookSubscriptionCreateInput!) { webhookSubscriptionCreate(input: $input) { subscription { id url } userErrors { code } } }`, {
      url: 'http://127.0.0.1:9/hooks',
      eventTypes: ['*'],
    })
  ).subscription;
  const delivery = (
    await mutateOk(t, `mutation ($input: WebhookTestInput!) { webhookTest(input: $input) { delivery { id eventType } userErrors { code } } }`, { subscription: subscription.id, type: 'order.recorded' })
  ).delivery;
  const flow = (
    await mutateOk(t, `mutation ($input: FlowCreateInput!) { flowCreate(input: $input) { flow { id name } userErrors { code } } }`, { name: 'node-flow', triggerType: 'customer.newsletter_subscribed' })
  ).flow;
  return {
    WebhookSubscription: { id: subscription.id, field: { url: subscription.url }, scope: 'WEBHOOKS_READ' },
    WebhookDelivery: { id: delivery.id, field: { eventType: delivery.eventType }, scope: 'WEBHOOKS_READ' },
    Flow: { id: flow.id, field: { name: flow.name }, scope: 'FLOWS_READ' },
    Customer: { id: customer.id, field: { externalId: customer.externalId }, scope: 'CUSTOMERS_READ' },
    Order: { id: order.id, field: { orderId: order.orderId }, scope: 'ORDERS_READ' },
    ApiKey: { id: apiKey.id, field: { name: apiKey.name }, scope: 'KEYS_READ' },
    Shop: { id: shop.id, field: { name: shop.name }, scope: null },
    Survey: { id: survey.id, field: { name: survey.name }, scope: 'SURVEYS_READ' },
    SurveyResponse: { id: submitted.response.id, field: { score: submitted.response.score }, scope: 'SURVEYS_READ' },
    SurveyInvitation: { id: invitation.id, field: { invitationOrderId: invitation.orderId }, scope: 'SURVEYS_READ' },
    FeedbackFollowUp: { id: followUp.id, field: { score: followUp.score }, scope: 'SURVEYS_READ' },
    PredictionJob: { id: predictionJob.id, field: { status: predictionJob.status }, scope: 'METRICS_READ' },
    MetricsRebuildJob: { id: rebuild.id, field: { revenueBasis: rebuild.revenueBasis }, scope: 'METRICS_READ' },
    LoyaltyReward: { id: reward.id, field: { rewardId: reward.rewardId }, scope: 'LOYALTY_READ' },
    LoyaltyCoupon: { id: coupon.id, field: { code: coupon.code }, scope: 'LOYALTY_READ' },
    Referral: { id: referral.id, field: { orderId: referral.orderId }, scope: 'REFERRALS_READ' },
    ReferralCoupon: { id: refereeCoupon.id, field: { code: refereeCoupon.code }, scope: 'REFERRALS_READ' },
  };
}

describe('node(id) resolves every Node type', () => {
  let a: TestShop;
  let b: TestShop;
  let made: Record<string, Made>;
  beforeAll(async () => {
    [a, b] = await Promise.all([aShop(), aShop()]);
    made = await oneOfEach(a);
  });

  it('covers every type that implements Node in the schema', async () => {
    const res = await a.gql(`{ __type(name: "Node") { possibleTypes { name } } }`);
    const possible = res.data!.__type.possibleTypes.map((type: { name: string }) => type.name).sort();
    expect(Object.keys(made).sort()).toEqual(possible);
  });

  it('gives back the same object, with its own type name', async () => {
    for (const [type, { id, field }] of Object.entries(made)) {
      const res = await a.gql(NODE, { id });
      expect(res.errors, type).toBeUndefined();
      expect(res.data!.node, type).toEqual({ __typename: type, id, ...field });
    }
  });

  it('finds nothing with another shop’s key, for every type', async () => {
    for (const [type, { id }] of Object.entries(made)) {
      const res = await b.gql(NODE, { id });
      expect(res.errors, type).toBeUndefined();
      expect(res.data!.node, type).toBeNull();
    }
  });

  it('is FORBIDDEN to a key without the scope the type’s own query needs', async () => {
    for (const [type, { id, scope }] of Object.entries(made)) {
      if (scope === null) continue;
      const key = await a.keyWith(apiScopes.filter((s) => s !== scope));
      const res = await a.gql(NODE, { id }, { authorization: `Bearer ${key}` });
      expect(res.errors?.[0]?.extensions?.code, type).toBe('FORBIDDEN');
      expect(res.data?.node ?? null, type).toBeNull();
    }
  });

  it('answers null for ids that are not ours, not an error', async () => {
    for (const id of ['', 'nonsense', 'gid://retention/Unknown/1', 'gid://other/Order/1', Buffer.from('v1:Order:').toString('base64url')]) {
      const res = await a.gql(NODE, { id });
      expect(res.errors, id).toBeUndefined();
      expect(res.data!.node, id).toBeNull();
    }
  });
});

describe('global ids are unique across shops', () => {
  let a: TestShop;
  let b: TestShop;
  let idA: string;
  let idB: string;
  beforeAll(async () => {
    [a, b] = await Promise.all([aShop(), aShop()]);
    idA = (await mutateOk(a, ORDER_RECORD, anOrder({ orderId: 'A-1', customer: { externalId: 'c-a' } }))).order.id;
    idB = (await mutateOk(b, ORDER_RECORD, anOrder({ orderId: 'A-1', customer: { externalId: 'c-b' } }))).order.id;
  });

  it('gives two shops’ order A-1 different, opaque ids', () => {
    expect(idA).not.toBe(idB);
    for (const id of [idA, idB]) {
      expect(id).not.toContain('A-1');
      expect(id).not.toContain('Order');
    }
  });

  it('resolves each shop’s id in that shop only', async () => {
    const own = await Promise.all([a.gql(NODE, { id: idA }), b.gql(NODE, { id: idB })]);
    expect(own.map((res) => res.data!.node)).toEqual([
      { __typename: 'Order', id: idA, orderId: 'A-1' },
      { __typename: 'Order', id: idB, orderId: 'A-1' },
    ]);
    const crossed = await Promise.all([a.gql(NODE, { id: idB }), b.gql(NODE, { id: idA })]);
    expect(crossed.map((res) => res.data!.node)).toEqual([null, null]);
  });

  it('refuses another shop’s id in an argument as not found', async () => {
    const customerB = (await b.gql(`{ customerByExternalId(externalId: "c-b") { id } }`)).data!.customerByExternalId.id;
    const read = await a.gql(`query ($id: ID!) { customer(id: $id) { id } }`, { id: customerB });
    expect(read.data!.customer).toBeNull();
    const erase = await a.gql(`mutation ($id: ID!) { customerErase(input: { id: $id }) { userErrors { code } } }`, { id: customerB });
    expect(erase.data!.customerErase.userErrors.map((e: { code: string }) => e.code)).toEqual(['NOT_FOUND']);
  });

  it('still reads an id of the old gid://retention form, within the caller’s shop', async () => {
    const old = await Promise.all([a.gql(NODE, { id: 'gid://retention/Order/A-1' }), b.gql(NODE, { id: 'gid://retention/Order/A-1' })]);
    expect(old.map((res) => res.data!.node)).toEqual([
      { __typename: 'Order', id: idA, orderId: 'A-1' },
      { __typename: 'Order', id: idB, orderId: 'A-1' },
    ]);
    const shop = await a.gql(NODE, { id: `gid://retention/Shop/${a.tenantId}` });
    expect(shop.data!.node).toMatchObject({ __typename: 'Shop' });
    const otherShop = await a.gql(NODE, { id: `gid://retention/Shop/${b.tenantId}` });
    expect(otherShop.data!.node).toBeNull();
  });
});

describe('PageInfo', () => {
  it('carries startCursor and hasPreviousPage as the Relay spec requires', async () => {
    const t = await aShop();
    for (const externalId of ['p-1', 'p-2', 'p-3']) await mutateOk(t, `mutation ($input: CustomerUpsertInput!) { customerUpsert(input: $input) { created userErrors { code } } }`, { externalId });
    const PAGE = `query ($after: String) { customers(first: 2, after: $after) { edges { cursor } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }`;

    const first = (await t.gql(PAGE)).data!.customers;
    expect(first.pageInfo).toEqual({ hasNextPage: true, hasPreviousPage: false, startCursor: first.edges[0].cursor, endCursor: first.edges[1].cursor });
    const second = (await t.gql(PAGE, { after: first.pageInfo.endCursor })).data!.customers;
    expect(second.pageInfo).toEqual({ hasNextPage: false, hasPreviousPage: true, startCursor: second.edges[0].cursor, endCursor: second.edges[0].cursor });
  });

  it('has no stray Mutation._empty', async () => {
    const t = await aShop();
    const res = await t.gql(`{ __type(name: "Mutation") { fields { name } } }`);
    expect(res.data!.__type.fields.map((f: { name: string }) => f.name)).not.toContain('_empty');
  });
});
