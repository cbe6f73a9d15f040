import { beforeAll, describe, expect, it } from 'vitest';
import { aShop, type TestShop } from '../fixtures/api.js';

/**
 * One rule for every mutation that takes an idempotencyKey (as Stripe's): the same key with the
 * same payload replays the first result; the same key with another payload is a CONFLICT user
 * error and changes nothing.
 */
const UE = 'userErrors { field code message }';
const en = (text: string) => [{ locale: 'en', text }];
const aSurvey = (name: string) => ({ name, kind: 'NPS', defaultLocale: 'en', scoreQuestion: { texts: en('Would you recommend us?') }, questions: [] });

interface Fixture {
  t: TestShop;
  customer: string;
  otherCustomer: string;
  surveyId: string;
  rewardId: string;
  otherRewardId: string;
}

interface Case {
  mutation: string;
  query: string;
  input: (f: Fixture) => Record<string, unknown>;
  other?: (f: Fixture) => Record<string, unknown>;
  /** What identifies the first result (equal on a replay). */
  identity: (payload: Record<string, any>) => unknown;
  /** The state that a refused request must leave as it was. */
  state: (f: Fixture) => Promise<unknown>;
}

async function balance(f: Fixture): Promise<unknown> {
  const res = await f.t.gql(`query ($id: ID!) { customer(id: $id) { loyalty { balance { available lifetimeEarned lifetimeSpent } } } }`, { id: f.customer });
  return res.data!.customer.loyalty.balance;
}

const cases: Record<string, Case> = {
  apiKeyCreate: {
    mutation: 'apiKeyCreate',
    query: `mutation ($input: ApiKeyCreateInput!) { apiKeyCreate(input: $input) { apiKey { id scopes } ${UE} } }`,
    input: () => ({ name: 'tool', kind: 'SECRET', scopes: ['CUSTOMERS_READ'] }),
    other: () => ({ name: 'tool', kind: 'SECRET', scopes: ['ORDERS_READ'] }),
    identity: (p) => p.apiKey?.id,
    state: async (f) => (await f.t.gql(`{ apiKeys { id scopes } }`)).data!.apiKeys,
  },
  surveyCreate: {
    mutation: 'surveyCreate',
    query: `mutation ($input: SurveyCreateInput!) { surveyCreate(input: $input) { survey { id name } ${UE} } }`,
    input: () => aSurvey('first'),
    other: () => aSurvey('second'),
    identity: (p) => p.survey?.id,
    state: async (f) => (await f.t.gql(`{ surveys(first: 50) { nodes { id name } } }`)).data!.surveys.nodes,
  },
  surveyInvitationCreate: {
    mutation: 'surveyInvitationCreate',
    query: `mutation ($input: SurveyInvitationCreateInput!) { surveyInvitationCreate(input: $input) { invitation { id } ${UE} } }`,
    input: (f) => ({ surveyId: f.surveyId, customerId: f.customer }),
    other: (f) => ({ surveyId: f.surveyId, customerId: f.otherCustomer }),
    identity: (p) => p.invitation?.id,
    state: async (f) => (await f.t.gql(`query ($id: ID!) { survey(id: $id) { invitations(first: 50) { nodes { id } } } }`, { id: f.surveyId })).data!.survey.invitations.nodes,
  },
  surveyResponseSubmit: {
    mutation: 'surveyResponseSubmit',
    query: `mutation ($input: SurveyResponseSubmitInput!) { surveyResponseSubmit(input: $input) { response { id score } ${UE} } }`,
    input: (f) => ({ surveyId: f.surveyId, customerId: f.customer, answers: [{ questionKey: 'score', rating: 9 }] }),
    other: (f) => ({ surveyId: f.surveyId, customerId: f.customer, answers: [{ questionKey: 'score', rating: 2 }] }),
    identity: (p) => p.response?.id,
    state: async (f) => (await f.t.gql(`query ($id: ID!) { survey(id: $id) { latestComments(first: 50) { nodes { id score } } } }`, { id: f.surveyId })).data!.survey.latestComments.nodes,
  },
  loyaltyActionRecord: {
    mutation: 'loyaltyActionRecord',
    query: `mutation ($input: LoyaltyActionRecordInput!) { loyaltyActionRecord(input: $input) { pointsEarned replayed ${UE} } }`,
    input: (f) => ({ customer: f.customer, action: 'REVIEW' }),
    other: (f) => ({ customer: f.customer, action: 'SOCIAL_SHARE' }),
    identity: (p) => p.pointsEarned,
    state: balance,
  },
  loyaltyPointsAdjust: {
    mutation: 'loyaltyPointsAdjust',
    query: `mutation ($input: LoyaltyPointsAdjustInput!) { loyaltyPointsAdjust(input: $input) { points replayed ${UE} } }`,
    input: (f) => ({ customer: f.customer, points: 10, reason: 'goodwill' }),
    other: (f) => ({ customer: f.customer, points: -3000, reason: 'goodwill' }),
    identity: (p) => p.points,
    state: balance,
  },
  loyaltyRewardCreate: {
    mutation: 'loyaltyRewardCreate',
    query: `mutation ($input: LoyaltyRewardCreateInput!) { loyaltyRewardCreate(input: $input) { reward { rewardId pointsCost } ${UE} } }`,
    input: () => ({ name: 'Free shipping', kind: 'FREE_SHIPPING', pointsCost: 100 }),
    other: () => ({ name: 'Free shipping', kind: 'FREE_SHIPPING', pointsCost: 1 }),
    identity: (p) => p.reward?.rewardId,
    state: async (f) => (await f.t.gql(`{ loyaltyRewards { rewardId pointsCost } }`)).data!.loyaltyRewards,
  },
  loyaltyRewardRedeem: {
    mutation: 'loyaltyRewardRedeem',
    query: `mutation ($input: LoyaltyRewardRedeemInput!) { loyaltyRewardRedeem(input: $input) { replayed coupon { code } ${UE} } }`,
    input: (f) => ({ customer: f.customer, rewardId: f.rewardId }),
    other: (f) => ({ customer: f.customer, rewardId: f.otherRewardId }),
    identity: (p) => p.coupon?.code,
    state: balance,
  },
  predictionsRefresh: {
    mutation: 'predictionsRefresh',
    query: `mutation ($input: PredictionsRefreshInput) { predictionsRefresh(input: $input) { job { id } ${UE} } }`,
    input: () => ({}),
    identity: (p) => p.job?.id,
    state: async () => null,
  },
};

describe('idempotency keys', () => {
  const fixtures: Fixture[] = [];
  /** A fresh shop per case, so one case's writes never show in another's state. */
  async function fixture(): Promise<Fixture> {
    const t = await aShop();
    const upsert = async (externalId: string) =>
      (await t.gql(`mutation ($input: CustomerUpsertInput!) { customerUpsert(input: $input) { customer { id } } }`, { input: { externalId } })).data!.customerUpsert.customer.id as string;
    const customer = await upsert('idem-1');
    const otherCustomer = await upsert('idem-2');
    await t.gql(`mutation ($input: LoyaltyProgramUpdateInput!) { loyaltyProgramUpdate(input: $input) { ${UE} } }`, {
      input: { pointsPerUnit: 1, pendingDays: 0, actions: [{ action: 'REVIEW', points: 10 }, { action: 'SOCIAL_SHARE', points: 5 }] },
    });
    const reward = async (pointsCost: number) =>
      (await t.gql(`mutation ($input: LoyaltyRewardCreateInput!) { loyaltyRewardCreate(input: $input) { reward { rewardId } } }`, { input: { name: `r${pointsCost}`, kind: 'FREE_SHIPPING', pointsCost } })).data!.loyaltyRewardCreate.reward.rewardId as string;
    const rewardId = await reward(50);
    const otherRewardId = await reward(80);
    await t.gql(`mutation ($input: LoyaltyPointsAdjustInput!) { loyaltyPointsAdjust(input: $input) { ${UE} } }`, {
      input: { customer, points: 500, reason: 'starting balance', idempotencyKey: 'setup' },
    });
    const survey = await t.gql(`mutation ($input: SurveyCreateInput!) { surveyCreate(input: $input) { survey { id } } }`, { input: aSurvey('setup') });
    const surveyId = survey.data!.surveyCreate.survey.id as string;
    await t.gql(`mutation ($id: ID!) { surveyActivate(input: { id: $id }) { ${UE} } }`, { id: surveyId });
    const f = { t, customer, otherCustomer, surveyId, rewardId, otherRewardId };
    fixtures.push(f);
    return f;
  }

  let shared: Fixture;
  beforeAll(async () => {
    shared = await fixture();
  });

  it.each(Object.entries(cases))('%s: the same key with the same payload replays the first result', async (_name, c) => {
    const f = shared;
    const key = `same-${c.mutation}`;
    const call = () => f.t.gql(c.query, { input: { ...c.input(f), idempotencyKey: key } });

    const first = await call();
    const afterFirst = await c.state(f);
    const replay = await call();

    expect(first.errors).toBeUndefined();
    const [firstPayload, replayPayload] = [first.data![c.mutation], replay.data![c.mutation]];
    expect(firstPayload.userErrors).toEqual([]);
    expect(replayPayload.userErrors).toEqual([]);
    expect(c.identity(replayPayload)).toBeDefined();
    expect(c.identity(replayPayload)).toEqual(c.identity(firstPayload));
    if ('replayed' in replayPayload) expect(replayPayload.replayed).toBe(true);
    expect(await c.state(f)).toEqual(afterFirst);
  });

  it.each(Object.entries(cases).filter(([, c]) => c.other))(
    '%s: the same key with another payload is a CONFLICT and changes nothing',
    async (_name, c) => {
      const f = await fixture();
      const key = `other-${c.mutation}`;
      const first = await f.t.gql(c.query, { input: { ...c.input(f), idempotencyKey: key } });
      const before = await c.state(f);

      const reused = await f.t.gql(c.query, { input: { ...c.other!(f), idempotencyKey: key } });

      expect(first.data![c.mutation].userErrors).toEqual([]);
      expect(reused.errors).toBeUndefined();
      expect(reused.data![c.mutation].userErrors).toEqual([expect.objectContaining({ code: 'CONFLICT', field: ['input', 'idempotencyKey'] })]);
      // The payload's empty result: null, or 0 for a count of points.
      expect([null, 0]).toContain(c.identity(reused.data![c.mutation]) ?? null);
      expect(await c.state(f)).toEqual(before);
    },
  );
});
