import { Entity, type EntityItem } from 'electrodb';
import { registerEntities } from '../db/registry.js';

/** How long the pull feed keeps an event (DynamoDB's TTL sweeper removes it after). */
export const eventRetentionDays = 30;

/**
 * The outbox: one item per event, written in the same transaction as its fact (or by a conditional
 * put keyed by the fact, for facts found by jobs and stream reactions). Its INSERT on the table's
 * stream is what feeds event handlers and webhook deliveries.
 */
export const EventEntity = new Entity({
  model: { entity: 'event', version: '1', service: 'retention' },
  attributes: {
    tenantId: { type: 'string', required: true, readOnly: true },
    eventId: { type: 'string', required: true, readOnly: true },
    type: { type: 'string', required: true, readOnly: true },
    version: { type: 'number', required: true, readOnly: true },
    occurredAt: { type: 'string', required: true, readOnly: true },
    recordedAt: { type: 'string', required: true, readOnly: true },
    data: { type: 'any', required: true, readOnly: true },
    test: { type: 'boolean' },
    /** Epoch seconds: recordedAt + the retention. */
    ttl: { type: 'number', required: true },
  },
  indexes: {
    byId: {
      pk: { field: 'pk', composite: ['tenantId', 'eventId'], casing: 'none' },
      sk: { field: 'sk', composite: [], casing: 'none' },
    },
    /** The ordered pull feed: a shop's events by the time they were written. */
    byTime: {
      index: 'gsi1',
      pk: { field: 'gsi1pk', composite: ['tenantId'], casing: 'none' },
      sk: { field: 'gsi1sk', composite: ['recordedAt', 'eventId'], casing: 'none' },
    },
  },
});

export type EventItem = EntityItem<typeof EventEntity>;

/** Given a stored event item, returns the envelope partners see. */
export function envelopeOf(item: EventItem) {
  return {
    id: item.eventId,
    type: item.type,
    version: item.version,
    shopId: item.tenantId,
    occurredAt: item.occurredAt,
    recordedAt: item.recordedAt,
    data: item.data as unknown,
    ...(item.test ? { test: true } : {}),
  };
}

declare module '../db/registry.js' {
  interface EntityRegistry {
    event: typeof EventEntity;
  }
}

registerEntities({ event: EventEntity });
