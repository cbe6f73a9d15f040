import type { ItemChange, Projection } from '../streams/handler.js';
import type { EventEnvelope } from './envelope.js';
import { envelopeOf, type EventItem } from './events.entities.js';

/**
 * A domain's reaction to another domain's fact. Delivery is at least once (the stream redelivers a
 * failed batch), so `handle` must be idempotent: key what it writes by the event's id or its fact.
 */
export interface EventHandler {
  /** `<domain>.<reaction>`, e.g. `loyalty.survey-earn`: names the handler in logs and dead letters. */
  name: string;
  /** The event types it reacts to. */
  types: readonly string[];
  handle(event: EventEnvelope): Promise<void>;
}

function isEventInsert(change: ItemChange): boolean {
  return change.eventName === 'INSERT' && change.entity === 'event' && change.newImage !== undefined;
}

/**
 * Turns the outbox's INSERTs on the table's stream into handler calls, one projection per handler,
 * so that each keeps its own retries and dead letters (one failing reaction does not replay the
 * others).
 */
export function eventProjections(handlers: readonly EventHandler[]): Projection[] {
  return handlers.map((handler) => ({
    name: `event:${handler.name}`,
    accepts: (change) => isEventInsert(change) && handler.types.includes((change.newImage as { type?: string }).type ?? ''),
    apply: (change) => handler.handle(envelopeOf(change.newImage as EventItem)),
  }));
}
