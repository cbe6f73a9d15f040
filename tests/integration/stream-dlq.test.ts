import { describe, expect, it } from 'vitest';
import type { DynamoDBRecord } from 'aws-lambda';
import { createStreamHandler, type ItemChange, type Projection } from '../../lib/streams/handler.js';
import { deadLetterIdOf, getDeadLetter, listDeadLetters, replayDeadLetter } from '../../lib/streams/dead-letters.js';
import { aShop, anOrder, ORDER_RECORD } from '../fixtures/api.js';
import { feedStream } from '../fixtures/stream.js';

/** A read model of recorded orders that cannot apply `POISON-*` orders while `broken` is set. */
const state = { broken: true, applied: new Map<string, number>() };
const ordersApplied: Projection = {
  name: 'ordersApplied',
  accepts: (change: ItemChange) => change.entity === 'order' && change.eventName === 'INSERT',
  async apply(change) {
    const orderId = String(change.newImage!.orderId);
    if (state.broken && orderId.startsWith('POISON-')) throw new Error(`cannot apply ${orderId}`);
    state.applied.set(orderId, (state.applied.get(orderId) ?? 0) + 1);
  },
};
const stream = feedStream(createStreamHandler([ordersApplied], { retryDelayMs: () => 0 }));

describe('stream dead letters', () => {
  it('keeps a poison record as a dead letter, applies the rest of its batch, and replays it once when fixed', async () => {
    const t = await aShop();
    for (const orderId of ['OK-1', 'POISON-1', 'OK-2']) {
      const res = await t.gql(ORDER_RECORD, { input: anOrder({ orderId, customer: { externalId: `dlq-${orderId}` } }) });
      expect(res.data!.orderRecord.userErrors).toEqual([]);
    }

    await stream.poller.drain();
    const letters = await listDeadLetters({ tenantId: t.tenantId });

    expect([...state.applied.keys()].sort()).toEqual(['OK-1', 'OK-2']);
    expect(letters).toHaveLength(1);
    expect(letters[0]).toMatchObject({ tenantId: t.tenantId, projection: 'ordersApplied', entity: 'order', attempts: 3, status: 'PENDING' });
    expect(letters[0]!.error).toContain('cannot apply POISON-1');
    expect(JSON.parse(letters[0]!.record).dynamodb.NewImage.orderId.S).toBe('POISON-1');

    const stillBroken = await replayDeadLetter(letters[0]!, [ordersApplied]);
    state.broken = false;
    const fixed = await replayDeadLetter((await getDeadLetter(deadLetterIdOf(letters[0]!)))!, [ordersApplied]);
    const again = await replayDeadLetter((await getDeadLetter(deadLetterIdOf(letters[0]!)))!, [ordersApplied]);

    expect(stillBroken.status).toBe('FAILED');
    expect(fixed.status).toBe('REPLAYED');
    expect(again.status).toBe('ALREADY_REPLAYED');
    expect(state.applied.get('POISON-1')).toBe(1);
    expect(await listDeadLetters({ tenantId: t.tenantId })).toEqual([]);
    expect((await getDeadLetter(deadLetterIdOf(letters[0]!)))).toMatchObject({ status: 'REPLAYED', attempts: 4 });
  });

  it('lists dead letters across shops', async () => {
    const all = await listDeadLetters({ includeReplayed: true });

    expect(all.map((letter) => letter.projection)).toContain('ordersApplied');
  });

  it('reports the record as failed, so it is retried and not dropped, when its dead letter cannot be written', async () => {
    const failing: Projection = { name: 'failing', accepts: () => true, apply: async () => Promise.reject(new Error('always')) };
    const handler = createStreamHandler([failing], {
      retryDelayMs: () => 0,
      deadLetter: async () => Promise.reject(new Error('table unavailable')),
    });
    const record = { eventName: 'INSERT', dynamodb: { SequenceNumber: '42', NewImage: { tenantId: { S: 'shop-x' } } } } as DynamoDBRecord;

    const response = await handler({ Records: [record] });

    expect(response.batchItemFailures).toEqual([{ itemIdentifier: '42' }]);
  });
});
