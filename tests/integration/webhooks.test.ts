import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { eventCatalogue } from '../../lib/app/event-catalogue.js';
import { eventProjections } from '../../lib/events/index.js';
import { createStreamHandler } from '../../lib/streams/handler.js';
import { dispatchDeliveries, memoryQueue, sweepDueDeliveries, useDeliveryQueue, webhookFanOutHandler } from '../../lib/webhooks/index.js';
import { aShop, anOrder, mutateOk, ORDER_RECORD, type TestShop } from '../fixtures/api.js';
import { feedStream } from '../fixtures/stream.js';

const queue = memoryQueue();
useDeliveryQueue(queue);
const fanOut = () => createStreamHandler(eventProjections([webhookFanOutHandler(eventCatalogue.map((d) => d.type))]), { retryDelayMs: () => 0 });
const stream = feedStream(fanOut());

interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** A real HTTP receiver on 127.0.0.1: each path answers with the status its script says next ('hang' never answers). */
let server: Server;
let base = '';
const received: Received[] = [];
const scripts = new Map<string, Array<number | 'hang'>>();
beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      const path = req.url ?? '/';
      received.push({ path, headers: req.headers, body });
      const next = scripts.get(path)?.shift() ?? 200;
      if (next === 'hang') return;
      res.writeHead(next).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const CREATE = /* GraphQL */ `
  mutation ($input: WebhookSubscriptionCreateInput!) {
    webhookSubscriptionCreate(input: $input) { secret subscription { id url eventTypes enabled } userErrors { field code message } }
  }
`;
const DELIVERIES = /* GraphQL */ `
  query ($subscription: ID!, $status: WebhookDeliveryStatus) {
    webhookDeliveries(subscription: $subscription, status: $status, first: 50) {
      nodes { id eventId eventType status attempts responseStatus latencyMs nextAttemptAt lastError test }
    }
  }
`;
const REPLAY = /* GraphQL */ `
  mutation ($input: WebhookEventsReplayInput!) { webhookEventsReplay(input: $input) { queued userErrors { field code message } } }
`;

async function subscribe(t: TestShop, path: string, eventTypes: string[] = ['order.recorded']) {
  const payload = await mutateOk(t, CREATE, { url: `${base}${path}`, eventTypes });
  return { id: payload.subscription.id as string, secret: payload.secret as string };
}

/** Verifies as a receiver would, at the instant the test clock says (the package checks the timestamp against Date.now). */
function verify(secret: string, delivery: Received, at: Date) {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(at);
  try {
    return new Webhook(secret).verify(delivery.body, delivery.headers as Record<string, string>);
  } finally {
    vi.useRealTimers();
  }
}

async function deliverPending(t: TestShop, options: { timeoutMs?: number } = {}) {
  await stream.poller.drain();
  return dispatchDeliveries(queue.take(), { clock: t.clock, random: () => 0.5, ...options });
}

const at = (path: string) => received.filter((r) => r.path === path);

describe('webhook deliveries', () => {
  it('delivers an event once, signed so that standardwebhooks verifies it and a tampered body fails', async () => {
    const t = await aShop();
    const sub = await subscribe(t, '/once');
    expect(sub.secret).toMatch(/^whsec_/);
    const order = anOrder({ customer: { externalId: 'wh-1' } });

    await mutateOk(t, ORDER_RECORD, order);
    await deliverPending(t);
    for (const batch of stream.delivered) await fanOut()(batch);
    await deliverPending(t);

    const got = at('/once');
    expect(got).toHaveLength(1);
    const event = verify(sub.secret, got[0]!, t.clock.now()) as { id: string; type: string; data: { orderId: string }; shopId: string };
    expect(event).toMatchObject({ type: 'order.recorded', shopId: t.tenantId, data: { orderId: order.orderId } });
    expect(got[0]!.headers['webhook-id']).toBe(event.id);
    expect(() => verify(sub.secret, { ...got[0]!, body: got[0]!.body.replace(order.orderId, 'other') }, t.clock.now())).toThrow();
    const log = await t.gql(DELIVERIES, { subscription: sub.id });
    expect(log.data!.webhookDeliveries.nodes).toEqual([expect.objectContaining({ eventId: event.id, status: 'SUCCEEDED', attempts: 1, responseStatus: 200, nextAttemptAt: null })]);
  });

  it('retries a failing receiver on the schedule with the same webhook-id until it succeeds', async () => {
    const t = await aShop();
    const sub = await subscribe(t, '/flaky');
    scripts.set('/flaky', [500, 503, 500, 200]);
    await mutateOk(t, ORDER_RECORD, anOrder({ customer: { externalId: 'wh-2' } }));

    await deliverPending(t);
    const afterFirst = (await t.gql(DELIVERIES, { subscription: sub.id })).data!.webhookDeliveries.nodes[0];
    // 5 s, jitter at its midpoint.
    expect(afterFirst).toMatchObject({ status: 'PENDING', attempts: 1, responseStatus: 500, nextAttemptAt: new Date(t.clock.now().getTime() + 5_000).toISOString() });
    expect(await sweepDueDeliveries({ clock: t.clock, random: () => 0.5 })).toMatchObject({ attempted: 0 });
    for (const wait of [5_000, 300_000, 1_800_000]) {
      t.clock.advance(wait);
      await sweepDueDeliveries({ clock: t.clock, random: () => 0.5 });
    }

    const got = at('/flaky');
    expect(got).toHaveLength(4);
    expect(new Set(got.map((r) => r.headers['webhook-id'])).size).toBe(1);
    const log = (await t.gql(DELIVERIES, { subscription: sub.id })).data!.webhookDeliveries.nodes;
    expect(log).toEqual([expect.objectContaining({ status: 'SUCCEEDED', attempts: 4, responseStatus: 200 })]);
  });

  it('times out a hanging receiver without holding up another subscription', async () => {
    const t = await aShop();
    const slow = await subscribe(t, '/hang');
    await subscribe(t, '/fast');
    scripts.set('/hang', ['hang']);
    await mutateOk(t, ORDER_RECORD, anOrder({ customer: { externalId: 'wh-3' } }));

    const summary = await deliverPending(t, { timeoutMs: 500 });

    expect(summary).toMatchObject({ attempted: 2, succeeded: 1, failed: 1 });
    expect(at('/fast')).toHaveLength(1);
    const log = (await t.gql(DELIVERIES, { subscription: slow.id })).data!.webhookDeliveries.nodes;
    expect(log).toEqual([expect.objectContaining({ status: 'PENDING', attempts: 1, responseStatus: null, lastError: 'timed out after 500 ms' })]);
  });

  it('never sends shop A’s events to shop B, even at the same URL', async () => {
    const a = await aShop();
    const b = await aShop();
    await subscribe(a, '/shared');
    const subB = await subscribe(b, '/shared');

    await mutateOk(a, ORDER_RECORD, anOrder({ customer: { externalId: 'wh-4' } }));
    await deliverPending(a);

    const got = at('/shared');
    expect(got).toHaveLength(1);
    expect(JSON.parse(got[0]!.body).shopId).toBe(a.tenantId);
    expect((await b.gql(DELIVERIES, { subscription: subB.id })).data!.webhookDeliveries.nodes).toEqual([]);
    // Shop A's subscription id means nothing to shop B.
    const foreign = await b.gql(REPLAY, { input: { subscription: (await a.gql('{ webhookSubscriptions { id } }')).data!.webhookSubscriptions[0].id, from: '2026-01-01T00:00:00Z', to: '2027-01-01T00:00:00Z' } });
    expect(foreign.data!.webhookEventsReplay.userErrors).toEqual([expect.objectContaining({ code: 'NOT_FOUND', field: ['input', 'subscription'] })]);
  });

  it('replays exactly the events recorded in the range', async () => {
    const t = await aShop();
    const sub = await subscribe(t, '/replay');
    const recordedAt: string[] = [];
    const orderIds: string[] = [];
    for (let i = 0; i < 3; i++) {
      recordedAt.push(t.clock.now().toISOString());
      const order = anOrder({ customer: { externalId: `wh-5-${i}` } });
      orderIds.push(order.orderId);
      await mutateOk(t, ORDER_RECORD, order);
      t.clock.advance(60_000);
    }
    await deliverPending(t);
    const before = at('/replay').length;

    const res = await t.gql(REPLAY, { input: { subscription: sub.id, from: recordedAt[1], to: recordedAt[2] } });
    await dispatchDeliveries(queue.take(), { clock: t.clock });

    expect(before).toBe(3);
    expect(res.data!.webhookEventsReplay).toEqual({ queued: 1, userErrors: [] });
    const replayed = at('/replay').slice(before);
    expect(replayed).toHaveLength(1);
    // The first sends went out concurrently: find the original by its order, not its arrival.
    const original = at('/replay').slice(0, before).find((r) => JSON.parse(r.body).data.orderId === orderIds[1]);
    expect(JSON.parse(replayed[0]!.body).data.orderId).toBe(orderIds[1]);
    expect(replayed[0]!.headers['webhook-id']).toBe(original!.headers['webhook-id']);
  });

  it('refuses bad subscriptions with the field paths of the mistakes', async () => {
    const t = await aShop();

    const res = await t.gql(CREATE, { input: { url: 'http://example.com/hook', eventTypes: ['order.recorded', 'order.exploded'] } });

    expect(res.errors).toBeUndefined();
    expect(res.data!.webhookSubscriptionCreate.subscription).toBeNull();
    expect(res.data!.webhookSubscriptionCreate.userErrors.map((e: { field: string[] }) => e.field)).toEqual([['input', 'url'], ['input', 'eventTypes', '1']]);
    expect((await t.gql('{ webhookSubscriptions { id } }')).data!.webhookSubscriptions).toEqual([]);
  });
  it('signs with both secrets for 24 hours after a rotation, then with the new one only', async () => {
    const t = await aShop();
    const sub = await subscribe(t, '/rotate');
    const rotated = await mutateOk(t, /* GraphQL */ `mutation ($input: WebhookByIdInput!) { webhookSecretRotate(input: $input) { secret subscription { previousSecretExpiresAt } userErrors { field code message } } }`, { id: sub.id });

    await mutateOk(t, ORDER_RECORD, anOrder({ customer: { externalId: 'wh-6' } }));
    await deliverPending(t);
    t.clock.advance(24 * 3_600_000 + 1);
    await mutateOk(t, ORDER_RECORD, anOrder({ customer: { externalId: 'wh-7' } }));
    await deliverPending(t);

    const [during, after] = at('/rotate');
    expect(rotated.secret).not.toBe(sub.secret);
    expect(String(during!.headers['webhook-signature']).split(' ')).toHaveLength(2);
    expect(verify(sub.secret, during!, new Date(Number(during!.headers['webhook-timestamp']) * 1000))).toBeTruthy();
    expect(verify(rotated.secret, during!, new Date(Number(during!.headers['webhook-timestamp']) * 1000))).toBeTruthy();
    expect(String(after!.headers['webhook-signature']).split(' ')).toHaveLength(1);
    expect(() => verify(sub.secret, after!, t.clock.now())).toThrow();
  });
});

describe('the events feed', () => {
  it('pages through the shop’s events in order with a cursor, filtered by type', async () => {
    const t = await aShop();
    for (let i = 0; i < 3; i++) {
      await mutateOk(t, ORDER_RECORD, anOrder({ customer: { externalId: `feed-${i}` } }));
      t.clock.advance(1_000);
    }
    const FEED = /* GraphQL */ `query ($after: String, $types: [String!]) { events(first: 2, after: $after, types: $types) { nodes { id type data } pageInfo { hasNextPage endCursor } } }`;

    const first = (await t.gql(FEED, { types: ['order.recorded'] })).data!.events;
    const second = (await t.gql(FEED, { types: ['order.recorded'], after: first.pageInfo.endCursor })).data!.events;
    const all = (await t.gql(FEED, {})).data!.events;
    const denied = await t.gql(FEED, {}, { authorization: `Bearer ${await t.keyWith(['ORDERS_READ'])}` });

    expect(first.nodes.map((e: { data: { customerId: string } }) => e.data)).toHaveLength(2);
    expect(first.pageInfo.hasNextPage).toBe(true);
    expect(second.nodes).toHaveLength(1);
    expect(second.pageInfo.hasNextPage).toBe(false);
    expect(new Set([...first.nodes, ...second.nodes].map((e: { type: string }) => e.type))).toEqual(new Set(['order.recorded']));
    // Both events of the first order share an instant; their order between them is by id.
    expect(all.nodes.map((e: { type: string }) => e.type).sort()).toEqual(['customer.created', 'order.recorded']);
    expect(denied.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });
});
