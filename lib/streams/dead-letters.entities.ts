import { Entity, type EntityItem } from 'electrodb';
import { registerEntities } from '../db/registry.js';

/**
 * A stream record a projection could not apply after its in-process retries: kept in the table
 * (the same path locally and in AWS) until it is replayed, so no record is ever dropped. The key
 * carries the record's tenant (`_unknown` for an item without one).
 */
export const StreamDeadLetterEntity = new Entity({
  model: { entity: 'streamdeadletter', version: '1', service: 'retention' },
  attributes: {
    tenantId: { type: 'string', required: true, readOnly: true },
    /** `<sequence number>.<projection>`: a redelivered failure of the same pair overwrites, never piles up. */
    deadLetterId: { type: 'string', required: true, readOnly: true },
    sequenceNumber: { type: 'string', required: true, readOnly: true },
    /** The projection that failed; `*` when the whole record failed (every projection is replayed). */
    projection: { type: 'string', required: true, readOnly: true },
    entity: { type: 'string' },
    eventName: { type: 'string' },
    /** The Lambda DynamoDB Streams record as delivered, JSON. */
    record: { type: 'string', required: true },
    error: { type: 'string', required: true },
    attempts: { type: 'number', required: true },
    failedAt: { type: 'string', required: true, readOnly: true },
    /** When a replay last failed. */
    lastTriedAt: { type: 'string' },
    status: { type: ['PENDING', 'REPLAYED'] as const, required: true },
    replayedAt: { type: 'string' },
  },
  indexes: {
    byTenant: {
      pk: { field: 'pk', composite: ['tenantId'], casing: 'none' },
      sk: { field: 'sk', composite: ['deadLetterId'], casing: 'none' },
    },
    // Operators list and replay across shops (`stream-dlq list`, `replay --all`).
    allDeadLetters: {
      index: 'gsi3',
      pk: { field: 'gsi3pk', composite: [], casing: 'none' },
      sk: { field: 'gsi3sk', composite: ['failedAt', 'tenantId', 'deadLetterId'], casing: 'none' },
    },
  },
});

export type StreamDeadLetterItem = EntityItem<typeof StreamDeadLetterEntity>;

declare module '../db/registry.js' {
  interface EntityRegistry {
    streamDeadLetter: typeof StreamDeadLetterEntity;
  }
}

registerEntities({ streamDeadLetter: StreamDeadLetterEntity });
