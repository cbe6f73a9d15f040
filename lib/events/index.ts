export { defineEvent, type EventDefinition } from './define.js';
export { eventId, type EventEnvelope } from './envelope.js';
export { EventEntity, envelopeOf, eventRetentionDays, type EventItem } from './events.entities.js';
export { emit, eventTxItem, type EmitInput } from './emit.js';
export { eventProjections, type EventHandler } from './handlers.js';
