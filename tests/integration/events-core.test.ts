import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { fixedClock } from '../../lib/common/clock.js';
import { db } from '../../lib/db/service.js';
import { writeTransaction } from '../../lib/db/transactions.js';
import { defineEvent, emit, eventId, eventProjections, eventTxItem, type EventEnvelope } from '../../lib/events/index.js';
import { createStreamHandler } from '../../lib/streams/handler.js';
import { feedStream } from '../fixtures/stream.js';

const pinged = defineEvent({
  type: 'test.pinged',
  version: 1,
  description: 'A test fact.',
  data: z.object({ n: z.number().int() }),
  sample: { n: 1 },
});

const seen: EventEnvelope[] = [];
const stream = feedStream(
  createStreamHandler(eventProjections([{ name: 'test.collect', types: ['test.pinged'], handle: async (event) => void seen.push(event) }]), { retryDelayMs: () => 0 }),
);
const clock = fixedClock('2026-05-01T10:00:00.000Z');

async function eventsOf(shopId: string) {
  return (await db().entities.event.query.byTime({ tenantId: shopId }).go({ pages: 'all' })).data;
}

describe('the events core', () => {
  it('derives one id per fact, stable across calls and distinct across shops, types and facts', () => {
    const id = eventId('shop-a', 'test.pinged', 'fact-1');
    expect(id).toMatch(/^evt_[a-z2-7]{26}$/);
    expect(eventId('shop-a', 'test.pinged', 'fact-1')).toBe(id);
    expect(new Set([id, eventId('shop-b', 'test.pinged', 'fact-1'), eventId('shop-a', 'test.other', 'fact-1'), eventId('shop-a', 'test.pinged', 'fact-2')]).size).toBe(4);
  });

  it('writes an emitted fact once however often it is emitted, and feeds it to its handler once', async () => {
    const shopId = `events-${Date.now()}-a`;
    const first = await emit(pinged, { shopId, factKey: 'f1', occurredAt: '2026-05-01T09:00:00.000Z', data: { n: 7 } }, clock);
    const again = await emit(pinged, { shopId, factKey: 'f1', occurredAt: '2026-05-01T09:00:00.000Z', data: { n: 7 } }, clock);
    expect(first.created).toBe(true);
    expect(again).toMatchObject({ id: first.id, created: false });

    await stream.poller.drain();
    const stored = await eventsOf(shopId);
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({ eventId: first.id, type: 'test.pinged', version: 1, data: { n: 7 } });
    expect(stored[0]!.ttl).toBe(Date.parse('2026-05-01T10:00:00.000Z') / 1000 + 30 * 86_400);
    expect(seen.filter((event) => event.shopId === shopId)).toEqual([
      { id: first.id, type: 'test.pinged', version: 1, shopId, occurredAt: '2026-05-01T09:00:00.000Z', recordedAt: '2026-05-01T10:00:00.000Z', data: { n: 7 } },
    ]);

    // Lambda redelivers a batch after a failure: the handler is called again, the outbox is unchanged.
    const handler = createStreamHandler(eventProjections([{ name: 'test.collect', types: ['test.pinged'], handle: async (event) => void seen.push(event) }]));
    for (const batch of stream.delivered) await handler(batch);
    expect((await eventsOf(shopId))).toHaveLength(1);
  });

  it('publishes an event in its fact’s transaction, and not at all when the transaction is cancelled', async () => {
    const shopId = `events-${Date.now()}-b`;
    const ok = await writeTransaction(db(), (tx) => [eventTxItem(tx, pinged, { shopId, factKey: 'tx-1', occurredAt: '2026-05-01T09:00:00.000Z', data: { n: 1 } }, clock)]);
    const duplicate = await writeTransaction(db(), (tx) => [
      eventTxItem(tx, pinged, { shopId, factKey: 'tx-2', occurredAt: '2026-05-01T09:00:00.000Z', data: { n: 2 } }, clock),
      eventTxItem(tx, pinged, { shopId, factKey: 'tx-1', occurredAt: '2026-05-01T09:00:00.000Z', data: { n: 1 } }, clock),
    ]);
    expect(ok.ok).toBe(true);
    expect(duplicate).toEqual({ ok: false, reasons: ['None', 'ConditionalCheckFailed'] });
    expect((await eventsOf(shopId)).map((event) => event.data)).toEqual([{ n: 1 }]);
  });

  it('refuses a payload that does not match its declaration before anything is written', async () => {
    const shopId = `events-${Date.now()}-c`;
    await expect(emit(pinged, { shopId, factKey: 'bad', occurredAt: '2026-05-01T09:00:00.000Z', data: { n: 1.5 } }, clock)).rejects.toThrow();
    expect(await eventsOf(shopId)).toEqual([]);
  });
});
