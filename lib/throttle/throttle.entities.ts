import { createConversions, Entity } from 'electrodb';
import { registerEntities } from '../db/registry.js';

/**
 * One leaky bucket of cost points: per API key, or per storefront customer under a publishable
 * key. It holds a single number, `tat` (the "theoretical arrival time" of the generic cell rate
 * algorithm, epoch ms): the instant at which the bucket would be full again. Every request moves
 * it with one conditional update, so containers share the bucket without a read-then-write race.
 */
export const ThrottleBucketEntity = new Entity({
  model: { entity: 'throttlebucket', version: '1', service: 'retention' },
  attributes: {
    tenantId: { type: 'string', required: true, readOnly: true },
    /** `key#<key id>` or `customer#<key id>#<customer id>`. */
    bucketKey: { type: 'string', required: true, readOnly: true },
    tat: { type: 'number', required: true },
    /** Epoch seconds: an idle bucket is full, so it may vanish a day after it filled. */
    ttl: { type: 'number' },
  },
  indexes: {
    byKey: {
      pk: { field: 'pk', composite: ['tenantId', 'bucketKey'], casing: 'none' },
      sk: { field: 'sk', composite: [], casing: 'none' },
    },
  },
});

const conversions = createConversions(ThrottleBucketEntity);

/** Given a bucket's identity, returns its table keys. */
export function throttleBucketKey(tenantId: string, bucketKey: string): Record<string, string> {
  return conversions.fromComposite.toKeys({ tenantId, bucketKey }) as Record<string, string>;
}

declare module '../db/registry.js' {
  interface EntityRegistry {
    throttleBucket: typeof ThrottleBucketEntity;
  }
}

registerEntities({ throttleBucket: ThrottleBucketEntity });
