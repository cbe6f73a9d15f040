import { Entity, type EntityItem } from 'electrodb';
import { registerEntities } from '../db/registry.js';

/**
 * The first result of a mutation called with an `idempotencyKey`, kept 24 hours (TTL) so that a
 * retried request returns it instead of acting twice.
 */
export const IdempotencyEntity = new Entity({
  model: { entity: 'idempotency', version: '1', service: 'retention' },
  attributes: {
    tenantId: { type: 'string', required: true, readOnly: true },
    operation: { type: 'string', required: true, readOnly: true },
    idempotencyKey: { type: 'string', required: true, readOnly: true },
    requestHash: { type: 'string', required: true },
    status: { type: ['IN_PROGRESS', 'COMPLETED'] as const, required: true },
    response: { type: 'any' },
    createdAt: { type: 'string', required: true },
    /** Epoch seconds; DynamoDB's TTL sweeper removes the record after it, reads ignore it earlier. */
    ttl: { type: 'number', required: true },
  },
  indexes: {
    byKey: {
      pk: { field: 'pk', composite: ['tenantId', 'operation', 'idempotencyKey'], casing: 'none' },
      sk: { field: 'sk', composite: [], casing: 'none' },
    },
  },
});

export type IdempotencyItem = EntityItem<typeof IdempotencyEntity>;

declare module '../db/registry.js' {
  interface EntityRegistry {
    idempotency: typeof IdempotencyEntity;
  }
}

registerEntities({ idempotency: IdempotencyEntity });
