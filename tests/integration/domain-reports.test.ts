import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loyaltyProjection, runLoyaltyExpiry } from '../../lib/loyalty/index.js';
import { domainReportProjections } from '../../lib/metrics/domain-reports.projections.js';
import { metricsMembershipProjection, metricsProjection } from '../../lib/metrics/metrics.projection.js';
import { referralProjection, runReferralCompletion } from '../../lib/referrals/index.js';
import { createStreamHandler } from '../../lib/streams/handler.js';
import { aShop, anOrder, mutateOk, ORDER_RECORD, type TestShop } from '../fixtures/api.js';
import { feedStream } from '../fixtures/stream.js';

// The domain projections that produce ledger entries and referrals, then the report counters
// (the retention counters hold the members' purchases).
const streamHandler = createStreamHandler([metricsProjection, metricsMembershipProjection, loyaltyProjection, referralProjection, ...domainReportProjections]);
const stream = feedStream(streamHandler);
const { delivered } = stream;

const USER_ERRORS = 'userErrors { field code message }';
const MONTHS = ['2026-01', '2026-02', '2026-03', '2026-04'];

/** The shops are in Europe/Berlin, UTC+1 until 2026-03-29: the local month of an instant before then. */
const berlinMonth = (iso: string) => new Date(new Date(iso).getTime() + 3_600_000).toISOString().slice(0, 7);
const rate = (numerator: number, denominator: number) => (denominator === 0 ? null : (numerator / denominator) * 100);
const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);

/** Redelivers every batch seen so far twice, as Lambda does after a failed batch. */
async function redeliverEverything(): Promise<void> {
  const batches = [...delivered];
  for (const event of [...batches, ...batches]) await streamHandler(event);
}

async function placeOrder(t: TestShop, overrides: Record<string, unknown>): Promise<Record<string, any>> {
  const input = anOrder(overrides);
  const res = await t.gql(ORDER_RECORD, { input });
  expect(res.data!.orderRecord.userErrors).toEqual([]);
  await stream.poller.drain();
  return input;
}

async function customerId(t: TestShop, externalId: string): Promise<string> {
  const res = await t.gql(`query ($e: String!) { customerByExternalId(externalId: $e) { id } }`, { e: externalId });
  return res.data!.customerByExternalId.id;
}

const ok = mutateOk;

// ---------------------------------------------------------------------------------------------

const LOYALTY_REPORT = /* GraphQL */ `
  query ($g: MetricsGranularity!, $from: String!, $to: String!) {
    loyaltyReport(granularity: $g, from: $from, to: $to) {
      definitions { granularity timeZone revenueBasis currencyCode formulas }
      periods {
        period startsAt endsAt pointsIssued pointsRedeemed pointsExpired pointsReversed redemptionRate breakageRate
        outstandingPoints members newMembers
        memberPurchases { ...purchases }
        nonMemberPurchases { ...purchases }
      }
    }
  }
`;
const PURCHASES = /* GraphQL */ `
  fragment purchases on GroupPurchases {
    customers repeatCustomers repeatPurchaseRate orders revenue { amount currencyCode } averageOrderValue { amount exactAmount }
  }
`;
const LOYALTY_ACCOUNT = /* GraphQL */ `
  query ($e: String!) {
    customerByExternalId(externalId: $e) {
      loyalty { joined joinedAt balance { available pending } entries(first: 100) { nodes { type points at } pageInfo { hasNextPage } } }
    }
  }
`;

/** The loyalty figures per month, computed from every customer's ledger and membership as the API shows them. */
async function loyaltyFromLedgers(t: TestShop, customers: string[], placed: Array<{ customer: string; at: string; total: number; refunded: number }>) {
  const entries: Array<{ type: string; points: number; at: string }> = [];
  const joins: string[] = [];
  let balances = 0;
  const joinedAt: Record<string, string | undefined> = {};
  for (const externalId of customers) {
    const loyalty = (await t.gql(LOYALTY_ACCOUNT, { e: externalId })).data!.customerByExternalId.loyalty;
    expect(loyalty.entries.pageInfo.hasNextPage).toBe(false);
    entries.push(...loyalty.entries.nodes);
    if (loyalty.joined) joins.push(loyalty.joinedAt);
    joinedAt[externalId] = loyalty.joined ? loyalty.joinedAt : undefined;
    balances += loyalty.balance.available + loyalty.balance.pending;
  }
  const rows = MONTHS.map((month) => {
    const upTo = (at: string) => berlinMonth(at) <= month;
    const inMonth = entries.filter((e) => berlinMonth(e.at) === month);
    const points = (f: (e: { type: string; points: number }) => boolean) => sum(inMonth.filter(f).map((e) => Math.abs(e.points)));
    const issued = points((e) => e.type === 'EARN' || (e.type === 'ADJUST' && e.points > 0));
    const redeemed = points((e) => e.type === 'REDEEM');
    const expired = points((e) => e.type === 'EXPIRE');
    return {
      period: month,
      pointsIssued: issued,
      pointsRedeemed: redeemed,
      pointsExpired: expired,
      pointsReversed: points((e) => e.type === 'REVERSE' || (e.type === 'ADJUST' && e.points < 0)),
      redemptionRate: rate(redeemed, issued),
      breakageRate: rate(expired, issued),
      outstandingPoints: sum(entries.filter((e) => upTo(e.at)).map((e) => e.points)),
      members: joins.filter(upTo).length,
      newMembers: joins.filter((at) => berlinMonth(at) === month).length,
      memberPurchases: purchasesOf(month, true),
      nonMemberPurchases: purchasesOf(month, false),
    };
  });
  // METRICS.md: members are the customers who had joined by the end of the period.
  function purchasesOf(month: string, members: boolean) {
    const inGroup = placed.filter((o) => {
      const joined = joinedAt[o.customer];
      return berlinMonth(o.at) === month && members === (joined !== undefined && berlinMonth(joined) <= month);
    });
    const perCustomer = new Map<string, number>();
    for (const o of inGroup) perCustomer.set(o.customer, (perCustomer.get(o.customer) ?? 0) + 1);
    const repeat = [...perCustomer.values()].filter((n) => n >= 2).length;
    const revenue = sum(inGroup.map((o) => o.total - o.refunded));
    const aov = inGroup.length === 0 ? null : revenue / inGroup.length;
    return {
      customers: perCustomer.size,
      repeatCustomers: repeat,
      repeatPurchaseRate: rate(repeat, perCustomer.size),
      orders: inGroup.length,
      revenue: { amount: revenue, currencyCode: 'EUR' },
      averageOrderValue: aov === null ? null : { amount: Math.round(aov), exactAmount: aov },
    };
  }
  return { rows, entries, balances };
}

describe('loyaltyReport', () => {
  const customers = ['ann', 'bob', 'cyd'];
  /** Every order of the scenario, with what was refunded of it. */
  const placed: Array<{ customer: string; at: string; total: number; refunded: number }> = [];
  let t: TestShop;

  beforeAll(async () => {
    t = await aShop({ now: '2026-01-02T12:00:00.000Z' });
    await ok(t, `mutation ($input: LoyaltyProgramUpdateInput!) { loyaltyProgramUpdate(input: $input) { ${USER_ERRORS} } }`, {
      pointsPerUnit: 1,
      pendingDays: 0,
      enrollment: 'HYBRID',
      expiry: { type: 'AFTER_DAYS', days: 40 },
    });
    const reward = await ok(t, `mutation ($input: LoyaltyRewardCreateInput!) { loyaltyRewardCreate(input: $input) { reward { rewardId } ${USER_ERRORS} } }`, {
      name: '2 EUR off',
      kind: 'FIXED_AMOUNT',
      value: 200,
      pointsCost: 20,
    });
    const order = async (at: string, externalId: string, subtotal: number) => {
      t.clock.set(at);
      const input = await placeOrder(t, { customer: { externalId }, subtotal, placedAt: at });
      placed.push({ customer: externalId, at, total: input.total, refunded: 0 });
      return input;
    };
    await order('2026-01-05T10:00:00Z', 'ann', 4_000);
    await order('2026-01-20T10:00:00Z', 'bob', 5_000);
    // 2026-01-31T23:30Z is already February in Berlin.
    await order('2026-01-31T23:30:00Z', 'ann', 3_000);
    t.clock.set('2026-02-10T09:00:00Z');
    await ok(t, `mutation ($input: LoyaltyJoinInput!) { loyaltyJoin(input: $input) { ${USER_ERRORS} } }`, { customer: await customerId(t, 'ann') });
    const bobsFebruary = await order('2026-02-14T10:00:00Z', 'bob', 1_000);
    await order('2026-02-20T10:00:00Z', 'cyd', 6_000);
    await order('2026-02-22T10:00:00Z', 'cyd', 2_500);
    t.clock.set('2026-02-25T09:00:00Z');
    await runLoyaltyExpiry(t.clock);
    await stream.poller.drain();

    await order('2026-03-03T10:00:00Z', 'ann', 2_000);
    await order('2026-03-04T10:00:00Z', 'ann', 1_500);
    t.clock.set('2026-03-05T09:00:00Z');
    await ok(t, `mutation ($input: LoyaltyJoinInput!) { loyaltyJoin(input: $input) { ${USER_ERRORS} } }`, { customer: await customerId(t, 'bob') });
    await ok(t, `mutation ($input: LoyaltyRewardRedeemInput!) { loyaltyRewardRedeem(input: $input) { ${USER_ERRORS} } }`, {
      customer: await customerId(t, 'ann'),
      rewardId: reward.reward.rewardId,
    });
    await ok(t, `mutation ($input: LoyaltyPointsAdjustInput!) { loyaltyPointsAdjust(input: $input) { ${USER_ERRORS} } }`, {
      customer: await customerId(t, 'cyd'),
      points: 15,
      reason: 'goodwill',
      idempotencyKey: 'goodwill-cyd',
    });
    await ok(t, `mutation ($input: OrderRefundInput!) { orderRefund(input: $input) { ${USER_ERRORS} } }`, { orderId: bobsFebruary.orderId, refundId: 'r1', amount: 500 });
    placed.find((o) => o.at === '2026-02-14T10:00:00Z')!.refunded = 500;
    await stream.poller.drain();
    t.clock.set('2026-03-25T09:00:00Z');
    await runLoyaltyExpiry(t.clock);
    await stream.poller.drain();
  });

  it('reports points, rates, the outstanding liability and members per month as the ledgers add up', async () => {
    const expected = await loyaltyFromLedgers(t, customers, placed);

    const res = await t.gql(LOYALTY_REPORT + PURCHASES, { g: 'MONTH', from: '2026-01', to: '2026-04' });

    expect(res.errors).toBeUndefined();
    const report = res.data!.loyaltyReport;
    expect(report.periods).toEqual(expected.rows.map((row) => expect.objectContaining(row)));
    // The scenario exercises every kind of entry, and the liability is what the members hold.
    expect(new Set(expected.entries.map((e) => e.type))).toEqual(new Set(['EARN', 'REDEEM', 'EXPIRE', 'REVERSE', 'ADJUST']));
    expect(report.periods[2].outstandingPoints).toBe(expected.balances);
    expect(report.periods[3]).toMatchObject({ pointsIssued: 0, redemptionRate: null, breakageRate: null, newMembers: 0, members: 2 });
    expect(report.definitions).toEqual({ granularity: 'MONTH', timeZone: 'Europe/Berlin', revenueBasis: 'TOTAL', currencyCode: 'EUR', formulas: expect.any(Array) });
    // ann joined on 10 February after ordering on 1 February (Berlin): a member for the whole month,
    // in one group only; in March she and bob (joined 5 March, after his last order) are members.
    expect(report.periods[1].memberPurchases).toMatchObject({ customers: 1, orders: 1 });
    expect(report.periods[1].nonMemberPurchases).toMatchObject({ customers: 2, orders: 3, repeatCustomers: 1 });
    expect(report.periods[2].memberPurchases).toMatchObject({ customers: 1, repeatCustomers: 1, repeatPurchaseRate: 100 });
    expect(report.periods[0].memberPurchases).toMatchObject({ customers: 0, repeatPurchaseRate: null, averageOrderValue: null });
    expect(report.periods[1]).toMatchObject({ startsAt: '2026-01-31T23:00:00.000Z', endsAt: '2026-02-28T23:00:00.000Z' });
  });

  it('starts the running sums at the first period ever when the range starts later', async () => {
    const expected = await loyaltyFromLedgers(t, customers, placed);

    const res = await t.gql(LOYALTY_REPORT + PURCHASES, { g: 'MONTH', from: '2026-03', to: '2026-03' });

    expect(res.data!.loyaltyReport.periods).toEqual([expect.objectContaining(expected.rows[2])]);
  });

  it('counts nothing twice when every batch is delivered again', async () => {
    const before = (await t.gql(LOYALTY_REPORT + PURCHASES, { g: 'QUARTER', from: '2026-Q1', to: '2026-Q1' })).data!.loyaltyReport;

    await redeliverEverything();
    const after = (await t.gql(LOYALTY_REPORT + PURCHASES, { g: 'QUARTER', from: '2026-Q1', to: '2026-Q1' })).data!.loyaltyReport;

    const expected = await loyaltyFromLedgers(t, customers, placed);
    expect(after).toEqual(before);
    expect(after.periods[0]).toMatchObject({
      pointsIssued: sum(expected.rows.map((r) => r.pointsIssued)),
      pointsExpired: sum(expected.rows.map((r) => r.pointsExpired)),
      outstandingPoints: expected.balances,
    });
  });
});

// ---------------------------------------------------------------------------------------------

const REFERRAL_REPORT = /* GraphQL */ `
  query ($g: MetricsGranularity!, $from: String!, $to: String!) {
    referralReport(granularity: $g, from: $from, to: $to) {
      definitions { granularity timeZone currencyCode }
      periods {
        period referralsStarted referralsCompleted referralsRejected rejectedByReason { reason count } completionRate
        referredRevenue { amount currencyCode }
      }
    }
  }
`;
const INVALID_CODE = ['PROGRAM_DISABLED', 'UNKNOWN_CODE', 'CODE_EXPIRED'];

describe('referralReport', () => {
  let t: TestShop;
  let referrals: Array<{ status: string; reason: string; placedAt: string; orderTotal: { amount: number } }>;

  beforeAll(async () => {
    t = await aShop({ now: '2026-01-05T12:00:00.000Z' });
    await ok(t, `mutation ($input: LoyaltyProgramUpdateInput!) { loyaltyProgramUpdate(input: $input) { ${USER_ERRORS} } }`, { pointsPerUnit: 1, pendingDays: 0 });
    await ok(t, `mutation ($input: ReferralProgramUpdateInput!) { referralProgramUpdate(input: $input) { ${USER_ERRORS} } }`, {
      referrerReward: { type: 'POINTS', points: 500 },
      refereeReward: { kind: 'FIXED_AMOUNT', value: 1000, minimumOrderAmount: 3000 },
      holdDays: 14,
      minimumOrderAmount: 2000,
    });
    await placeOrder(t, { customer: { externalId: 'referrer', email: 'referrer@example.com' }, placedAt: '2025-12-01T10:00:00Z' });
    const code = (await t.gql(`query { customerByExternalId(externalId: "referrer") { referral { code } } }`)).data!.customerByExternalId.referral.code;
    const refer = async (at: string, externalId: string, overrides: Record<string, unknown> = {}) => {
      t.clock.set(at);
      return placeOrder(t, { customer: { externalId, email: `${externalId}@example.com` }, placedAt: at, referralCode: code, ...overrides });
    };
    await refer('2026-01-10T10:00:00Z', 'r1', { subtotal: 5_000 });
    await refer('2026-01-12T10:00:00Z', 'r2', { subtotal: 1_000, shipping: 0 });
    await refer('2026-01-15T10:00:00Z', 'r3', { referralCode: 'NOPE2345' });
    const cancelled = await refer('2026-02-03T10:00:00Z', 'r4');
    await ok(t, `mutation ($input: OrderCancelInput!) { orderCancel(input: $input) { ${USER_ERRORS} } }`, { orderId: cancelled.orderId });
    await stream.poller.drain();
    await refer('2026-02-10T10:00:00Z', 'r5', { subtotal: 7_000 });
    await refer('2026-03-20T10:00:00Z', 'r6', { subtotal: 4_000 });
    t.clock.set('2026-03-01T12:00:00Z');
    await runReferralCompletion(t.clock);
    await stream.poller.drain();
    const listed = await t.gql(`query { referrals(first: 100) { nodes { status reason placedAt orderTotal { amount } } } }`);
    referrals = listed.data!.referrals.nodes;
  });

  function expectedFor(months: string[]) {
    return months.map((month) => {
      const inMonth = referrals.filter((r) => berlinMonth(r.placedAt) === month);
      const started = inMonth.filter((r) => !INVALID_CODE.includes(r.reason)).length;
      const completed = inMonth.filter((r) => r.status === 'COMPLETED');
      const rejected = inMonth.filter((r) => r.status === 'REJECTED');
      const reasons = [...new Set(rejected.map((r) => r.reason))].sort();
      return {
        period: month,
        referralsStarted: started,
        referralsCompleted: completed.length,
        referralsRejected: rejected.length,
        rejectedByReason: reasons.map((reason) => ({ reason, count: rejected.filter((r) => r.reason === reason).length })),
        completionRate: rate(completed.length, started),
        referredRevenue: { amount: sum(completed.map((r) => r.orderTotal.amount)), currencyCode: 'EUR' },
      };
    });
  }

  it('reports started, completed and rejected referrals by reason, and referred revenue, per month of the first order', async () => {
    const res = await t.gql(REFERRAL_REPORT, { g: 'MONTH', from: '2026-01', to: '2026-04' });

    expect(res.errors).toBeUndefined();
    expect(res.data!.referralReport.periods).toEqual(expectedFor(MONTHS));
    expect(res.data!.referralReport.definitions).toEqual({ granularity: 'MONTH', timeZone: 'Europe/Berlin', currencyCode: 'EUR' });
    // The scenario has every outcome: completed, rejected for a reason, an invalid code, still pending.
    expect(referrals.map((r) => r.status).sort()).toEqual(['COMPLETED', 'COMPLETED', 'PENDING', 'REJECTED', 'REJECTED', 'REJECTED']);
    expect(new Set(referrals.map((r) => r.reason))).toEqual(new Set(['HOLD_PERIOD_PASSED', 'BELOW_MINIMUM_ORDER', 'UNKNOWN_CODE', 'ORDER_CANCELLED', 'PASSED_RULES']));
    expect(res.data!.referralReport.periods[3].completionRate).toBeNull();
  });

  it('counts nothing twice when every batch is delivered again', async () => {
    await redeliverEverything();

    const res = await t.gql(REFERRAL_REPORT, { g: 'YEAR', from: '2026', to: '2026' });

    const months = expectedFor(MONTHS);
    expect(res.data!.referralReport.periods[0]).toMatchObject({
      referralsStarted: sum(months.map((m) => m.referralsStarted)),
      referralsCompleted: sum(months.map((m) => m.referralsCompleted)),
      referralsRejected: sum(months.map((m) => m.referralsRejected)),
      referredRevenue: { amount: sum(months.map((m) => m.referredRevenue.amount)) },
    });
  });
});

// ---------------------------------------------------------------------------------------------

const FEEDBACK_REPORT = /* GraphQL */ `
  query ($g: MetricsGranularity!, $from: String!, $to: String!, $surveyId: ID) {
    feedbackReport(granularity: $g, from: $from, to: $to, surveyId: $surveyId) {
      definitions { granularity timeZone currencyCode }
      surveyId
      periods {
        period responses invitedResponses invitations responseRate
        nps { score promoters passives detractors responses }
        csat { score satisfied responses satisfiedFrom }
        ces { mean sum responses }
      }
    }
  }
`;
const SUBMIT = `mutation ($input: SurveyResponseSubmitInput!) { surveyResponseSubmit(input: $input) { response { id } ${USER_ERRORS} } }`;

interface Given {
  survey: 'NPS' | 'CSAT' | 'CES';
  score: number;
  at: string;
  invited: boolean;
}

describe('feedbackReport', () => {
  let t: TestShop;
  const surveys: Record<string, string> = {};
  const responses: Given[] = [];
  const invitations: Array<{ survey: string; at: string }> = [];

  beforeAll(async () => {
    t = await aShop({ now: '2026-01-10T12:00:00.000Z' });
    for (const kind of ['NPS', 'CSAT', 'CES']) {
      const created = await ok(t, `mutation ($input: SurveyCreateInput!) { surveyCreate(input: $input) { survey { id } ${USER_ERRORS} } }`, {
        name: kind,
        kind,
        defaultLocale: 'en',
        scoreQuestion: { texts: [{ locale: 'en', text: 'Score?' }] },
        questions: [],
      });
      surveys[kind] = created.survey.id;
      await ok(t, `mutation ($input: SurveyStatusInput!) { surveyActivate(input: $input) { ${USER_ERRORS} } }`, { id: created.survey.id });
    }
    const customers: Record<string, string> = {};
    for (const name of ['c1', 'c2', 'c3', 'c4', 'c5', 'c6', 'c7']) {
      customers[name] = (await ok(t, `mutation ($input: CustomerUpsertInput!) { customerUpsert(input: $input) { customer { id } ${USER_ERRORS} } }`, { externalId: name })).customer.id;
    }
    const answer = (score: number) => [{ questionKey: 'score', rating: score }];
    const submit = async (survey: Given['survey'], customer: string, score: number) => {
      const payload = await ok(t, SUBMIT, { surveyId: surveys[survey], customerId: customers[customer], answers: answer(score) });
      responses.push({ survey, score, at: t.clock.now().toISOString(), invited: false });
      return payload.response.id as string;
    };
    const invite = async (survey: string, customer: string) => {
      const payload = await ok(t, `mutation ($input: SurveyInvitationCreateInput!) { surveyInvitationCreate(input: $input) { token ${USER_ERRORS} } }`, {
        surveyId: surveys[survey],
        customerId: customers[customer],
      });
      invitations.push({ survey, at: t.clock.now().toISOString() });
      return payload.token as string;
    };

    // January: NPS 10, 8, 3 (then edited to 7), CSAT 5 and 3, three NPS invitations, one answered.
    await submit('NPS', 'c1', 10);
    await submit('NPS', 'c2', 8);
    const edited = await submit('NPS', 'c3', 3);
    await submit('CSAT', 'c1', 5);
    await submit('CSAT', 'c2', 3);
    const token = await invite('NPS', 'c4');
    await invite('NPS', 'c5');
    await invite('NPS', 'c6');
    const viaToken = await t.gql(SUBMIT, { input: { surveyId: surveys.NPS, invitationToken: token, answers: answer(9) } }, { authorization: `Bearer ${t.publishableKey}` });
    expect(viaToken.data!.surveyResponseSubmit.userErrors).toEqual([]);
    responses.push({ survey: 'NPS', score: 9, at: t.clock.now().toISOString(), invited: true });
    t.clock.advance(60_000);
    await ok(t, `mutation ($input: SurveyResponseUpdateInput!) { surveyResponseUpdate(input: $input) { ${USER_ERRORS} } }`, { id: edited, answers: answer(7) });
    responses.find((r) => r.survey === 'NPS' && r.score === 3)!.score = 7;
    // February (the last hour of 31 January UTC is February in Berlin): NPS 6, CES 2 and 5, a CSAT invitation.
    t.clock.set('2026-01-31T23:30:00Z');
    await submit('NPS', 'c7', 6);
    t.clock.set('2026-02-15T12:00:00Z');
    await submit('CES', 'c1', 2);
    await submit('CES', 'c2', 5);
    await invite('CSAT', 'c3');
    await stream.poller.drain();
  });

  function expectedFor(months: string[], survey?: string) {
    return months.map((month) => {
      const given = responses.filter((r) => berlinMonth(r.at) === month && (!survey || r.survey === survey));
      const invited = invitations.filter((i) => berlinMonth(i.at) === month && (!survey || i.survey === survey)).length;
      const scores = (kind: string) => given.filter((r) => r.survey === kind).map((r) => r.score);
      const nps = scores('NPS');
      const promoters = nps.filter((s) => s >= 9).length;
      const detractors = nps.filter((s) => s <= 6).length;
      const csat = scores('CSAT');
      const ces = scores('CES');
      const invitedResponses = given.filter((r) => r.invited).length;
      return {
        period: month,
        responses: given.length,
        invitedResponses,
        invitations: invited,
        responseRate: rate(invitedResponses, invited),
        nps: { score: nps.length === 0 ? null : ((promoters - detractors) / nps.length) * 100, promoters, passives: nps.length - promoters - detractors, detractors, responses: nps.length },
        csat: { score: rate(csat.filter((s) => s >= 4).length, csat.length), satisfied: csat.filter((s) => s >= 4).length, responses: csat.length, satisfiedFrom: 4 },
        ces: { mean: ces.length === 0 ? null : sum(ces) / ces.length, sum: sum(ces), responses: ces.length },
      };
    });
  }

  it('reports NPS, CSAT, CES and the response rate per month, with their counts', async () => {
    const res = await t.gql(FEEDBACK_REPORT, { g: 'MONTH', from: '2026-01', to: '2026-04' });

    expect(res.errors).toBeUndefined();
    expect(res.data!.feedbackReport.periods).toEqual(expectedFor(MONTHS));
    expect(res.data!.feedbackReport.definitions).toEqual({ granularity: 'MONTH', timeZone: 'Europe/Berlin', currencyCode: null });
  });

  it.each(['NPS', 'CSAT', 'CES'])('restricts the report to one survey (%s)', async (kind) => {
    const res = await t.gql(FEEDBACK_REPORT, { g: 'MONTH', from: '2026-01', to: '2026-04', surveyId: surveys[kind] });

    expect(res.data!.feedbackReport).toMatchObject({ surveyId: surveys[kind], periods: expectedFor(MONTHS, kind) });
  });

  it('counts nothing twice when every batch is delivered again', async () => {
    await redeliverEverything();

    const res = await t.gql(FEEDBACK_REPORT, { g: 'MONTH', from: '2026-01', to: '2026-04' });

    expect(res.data!.feedbackReport.periods).toEqual(expectedFor(MONTHS));
  });
});

// ---------------------------------------------------------------------------------------------

describe('program reports of a shop without activity', () => {
  it('gives zero counts and null rates', async () => {
    const t = await aShop();

    const [loyalty, referral, feedback] = await Promise.all([
      t.gql(LOYALTY_REPORT + PURCHASES, { g: 'WEEK', from: '2026-02-23', to: '2026-03-02' }),
      t.gql(REFERRAL_REPORT, { g: 'WEEK', from: '2026-02-23', to: '2026-03-02' }),
      t.gql(FEEDBACK_REPORT, { g: 'WEEK', from: '2026-02-23', to: '2026-03-02' }),
    ]);

    expect(loyalty.data!.loyaltyReport.periods).toEqual(
      ['2026-02-23', '2026-03-02'].map((period) => expect.objectContaining({ period, pointsIssued: 0, redemptionRate: null, breakageRate: null, outstandingPoints: 0, members: 0 })),
    );
    expect(referral.data!.referralReport.periods.map((p: Record<string, unknown>) => [p.referralsStarted, p.completionRate])).toEqual([[0, null], [0, null]]);
    expect(feedback.data!.feedbackReport.periods.map((p: Record<string, any>) => [p.responseRate, p.nps.score, p.csat.score, p.ces.mean])).toEqual([
      [null, null, null, null],
      [null, null, null, null],
    ]);
  });

  it.each([
    ['a key of another granularity', { g: 'MONTH', from: '2026-Q1', to: '2026-03' }, 'from'],
    ['a range that ends before it starts', { g: 'MONTH', from: '2026-03', to: '2026-01' }, 'to'],
  ])('refuses %s, naming the argument', async (_name, variables, argumentName) => {
    const t = await aShop();

    const res = await t.gql(LOYALTY_REPORT + PURCHASES, variables);

    expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argumentName });
  });

  it('needs metrics:read', async () => {
    const t = await aShop();
    const key = await t.keyWith(['ORDERS_READ']);

    const res = await t.gql(FEEDBACK_REPORT, { g: 'MONTH', from: '2026-01', to: '2026-01' }, { authorization: `Bearer ${key}` });

    expect(res.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });
});
