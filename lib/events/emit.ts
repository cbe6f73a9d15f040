import type { z } from 'zod';
import type { Clock } from '../common/clock.js';
import type { TxEntities, TxItem } from '../db/transactions.js';
import { db } from '../db/service.js';
import type { EventDefinition } from './define.js';
import { eventId, type EventEnvelope } from './envelope.js';
import { eventRetentionDays } from './events.entities.js';

export interface EmitInput<D> {
  shopId: string;
  /** Names the fact uniquely within the shop and the type (an order id, `${runId}:${customerId}`, ...). */
  factKey: string;
  occurredAt: string;
  data: D;
  test?: boolean;
}

function itemOf<S extends z.ZodType>(definition: EventDefinition<S>, input: EmitInput<z.infer<S>>, clock: Clock) {
  // A payload that does not match its own declaration is our bug: fail loudly before it is published.
  const data = definition.data.parse(input.data);
  const recordedAt = clock.now().toISOString();
  return {
    tenantId: input.shopId,
    eventId: eventId(input.shopId, definition.type, input.factKey),
    type: definition.type,
    version: definition.version,
    occurredAt: input.occurredAt,
    recordedAt,
    data,
    ...(input.test ? { test: true } : {}),
    ttl: Math.floor(Date.parse(recordedAt) / 1000) + eventRetentionDays * 86_400,
  };
}

/**
 * The event as one item of the fact's own write transaction (the outbox): it is published if and
 * only if the fact lands. The item is a `create`, so a transaction that would publish the same fact
 * twice is cancelled rather than duplicated.
 */
export function eventTxItem<S extends z.ZodType>(tx: TxEntities, definition: EventDefinition<S>, input: EmitInput<z.infer<S>>, clock: Clock): TxItem {
  return tx.event.create(itemOf(definition, input, clock)).commit();
}

function isConditionalFailure(error: unknown): boolean {
  const seen = new Set<unknown>();
  for (let current: unknown = error; current && !seen.has(current); current = (current as { cause?: unknown }).cause) {
    seen.add(current);
    if ((current as { name?: string }).name === 'ConditionalCheckFailedException') return true;
  }
  return false;
}

/**
 * Publishes an event found outside a transaction (a job's finding, a reaction on the stream):
 * a conditional put keyed by the fact, so a rerun or a redelivery finds it written and changes
 * nothing (`created: false`).
 */
export async function emit<S extends z.ZodType>(definition: EventDefinition<S>, input: EmitInput<z.infer<S>>, clock: Clock): Promise<{ id: string; created: boolean; event: EventEnvelope<z.infer<S>> }> {
  const item = itemOf(definition, input, clock);
  const event: EventEnvelope<z.infer<S>> = {
    id: item.eventId, type: item.type, version: item.version, shopId: item.tenantId,
    occurredAt: item.occurredAt, recordedAt: item.recordedAt, data: item.data, ...(item.test ? { test: true } : {}),
  };
  try {
    await db().entities.event.create(item).go({ response: 'none' });
    return { id: item.eventId, created: true, event };
  } catch (error) {
    if (isConditionalFailure(error)) return { id: item.eventId, created: false, event };
    throw error;
  }
}
