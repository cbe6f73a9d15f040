import { describe, expect, it } from 'vitest';
import { eventProjections } from '../../lib/events/index.js';
import { db } from '../../lib/db/service.js';
import { flowEntryHandler, flowGoalHandler } from '../../lib/flows/flows.handlers.js';
import { createStreamHandler } from '../../lib/streams/handler.js';
import { aShop, anOrder, mutateOk, ORDER_RECORD } from '../fixtures/api.js';
import { feedStream } from '../fixtures/stream.js';

const stream = feedStream(createStreamHandler(eventProjections([flowEntryHandler, flowGoalHandler]), { retryDelayMs: () => 0 }));

const CREATE = /* GraphQL */ `
  mutation ($input: FlowCreateInput!) { flowCreate(input: $input) { flow { id status version holdoutShare } userErrors { field code message } } }
`;
const ACTIVATE = /* GraphQL */ `
  mutation ($input: FlowStatusInput!) { flowActivate(input: $input) { flow { id status } userErrors { field code message } } }
`;
const UPSERT = /* GraphQL */ `
  mutation ($input: CustomerUpsertInput!) { customerUpsert(input: $input) { customer { id } userErrors { field code message } } }
`;
const REPORT = /* GraphQL */ `
  query ($flow: ID!) { flowReport(flow: $flow) {
    version significant verdict
    treatment { entered pending decided converted orders revenue }
    holdout { entered pending decided converted orders revenue }
  } }
`;

describe('flows end to end', () => {
  it('enters newsletter sign-ups once, splits them by holdout and counts goal orders exactly', async () => {
    const t = await aShop({ now: '2026-03-01T12:00:00.000Z' });
    const created = await mutateOk(t, CREATE, { idempotencyKey: 'welcome-1', name: 'Welcome coupon', triggerType: 'customer.newsletter_subscribed', couponCode: 'WELCOME10', holdoutShare: 0.5, goalDays: 30 });
    const replay = await mutateOk(t, CREATE, { idempotencyKey: 'welcome-1', name: 'Welcome coupon', triggerType: 'customer.newsletter_subscribed', couponCode: 'WELCOME10', holdoutShare: 0.5, goalDays: 30 });
    expect(replay.flow.id).toBe(created.flow.id);
    await mutateOk(t, ACTIVATE, { id: created.flow.id });

    const externalIds = Array.from({ length: 12 }, (_, i) => `fl-${i}`);
    for (const externalId of externalIds) await mutateOk(t, UPSERT, { externalId, marketingConsent: { newsletter: 'SUBSCRIBED', source: 'checkout' } });
    await stream.poller.drain();
    // A redelivered batch must not enter anyone twice.
    await stream.poller.drain();

    const { data: entries } = await db().entities.flowEntry.scan.where(({ tenantId }, { eq }) => eq(tenantId, t.tenantId)).go({ pages: 'all' });
    expect(entries).toHaveLength(12);
    const groupOf = new Map(entries.map((entry) => [entry.customerId, entry.group]));

    // Every third customer orders within the goal window.
    t.clock.set('2026-03-05T12:00:00.000Z');
    const buyers = [...groupOf.keys()].sort().filter((_, i) => i % 3 === 0);
    const customers = await db().entities.customer.scan.where(({ tenantId }, { eq }) => eq(tenantId, t.tenantId)).go({ pages: 'all' });
    for (const customer of customers.data.filter((c) => buyers.includes(c.customerId))) {
      await mutateOk(t, ORDER_RECORD, anOrder({ customer: { externalId: customer.externalId }, placedAt: '2026-03-05T10:00:00Z', subtotal: 4_000, shipping: 0 }));
    }
    await stream.poller.drain();

    const before = await t.gql(REPORT, { flow: created.flow.id });
    t.clock.set('2026-04-15T12:00:00.000Z');
    const after = await t.gql(REPORT, { flow: created.flow.id });

    const expected = (group: string) => {
      const entered = [...groupOf.values()].filter((g) => g === group).length;
      const converted = buyers.filter((id) => groupOf.get(id) === group).length;
      return { entered, converted };
    };
    expect(before.errors).toBeUndefined();
    expect(before.data!.flowReport.treatment.entered).toBe(expected('TREATMENT').entered);
    expect(before.data!.flowReport.treatment.pending).toBe(expected('TREATMENT').entered - expected('TREATMENT').converted);
    for (const [key, group] of [['treatment', 'TREATMENT'], ['holdout', 'HOLDOUT']] as const) {
      const { entered, converted } = expected(group);
      expect(after.data!.flowReport[key]).toMatchObject({ entered, pending: 0, decided: entered, converted, orders: converted, revenue: converted * 4_000 });
    }
    expect(after.data!.flowReport.treatment.entered + after.data!.flowReport.holdout.entered).toBe(12);
  });

  it('rejects a holdout share above half with the field path', async () => {
    const t = await aShop();
    const res = await t.gql(CREATE, { input: { name: 'x', triggerType: 'customer.newsletter_subscribed', holdoutShare: 0.8 } });
    expect(res.errors).toBeUndefined();
    expect(res.data!.flowCreate).toMatchObject({ flow: null, userErrors: [expect.objectContaining({ field: ['input', 'holdoutShare'], code: 'INVALID' })] });
  });
});
