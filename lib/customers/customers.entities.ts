import { Entity, type EntityItem } from 'electrodb';
import { registerEntities } from '../db/registry.js';

/**
 * A customer, with the statistics its orders keep current. `version` guards every
 * read-modify-write (optimistic concurrency): a write only lands on the version it read.
 */
export const CustomerEntity = new Entity({
  model: { entity: 'customer', version: '1', service: 'retention' },
  attributes: {
    tenantId: { type: 'string', required: true, readOnly: true },
    customerId: { type: 'string', required: true, readOnly: true },
    externalId: { type: 'string' },
    email: { type: 'string' },
    /** Trimmed and lower-cased: the key of `customerByEmail`. */
    emailNormalized: { type: 'string' },
    firstName: { type: 'string' },
    lastName: { type: 'string' },
    phone: { type: 'string' },
    birthday: { type: 'string' },
    locale: { type: 'string' },
    tags: { type: 'list', items: { type: 'string' }, default: () => [] },
    attributes: { type: 'any' },
    newsletter: { type: ['SUBSCRIBED', 'UNSUBSCRIBED', 'NOT_SUBSCRIBED'] as const, default: 'NOT_SUBSCRIBED' },
    optedInAt: { type: 'string' },
    optInSource: { type: 'string' },
    optedOutAt: { type: 'string' },
    ordersCount: { type: 'number', default: 0 },
    totalSpent: { type: 'number', default: 0 },
    firstOrderAt: { type: 'string' },
    lastOrderAt: { type: 'string' },
    version: { type: 'number', required: true, default: 0 },
    createdAt: { type: 'string', required: true, readOnly: true },
    updatedAt: { type: 'string', required: true },
    erasedAt: { type: 'string' },
  },
  indexes: {
    byId: {
      pk: { field: 'pk', composite: ['tenantId', 'customerId'], casing: 'none' },
      sk: { field: 'sk', composite: [], casing: 'none' },
    },
    listByShop: {
      index: 'gsi3',
      pk: { field: 'gsi3pk', composite: ['tenantId'], casing: 'none' },
      sk: { field: 'gsi3sk', composite: ['customerId'], casing: 'none' },
    },
  },
});

export type CustomerItem = EntityItem<typeof CustomerEntity>;

/**
 * A unique claim on an external id or a normalised email: created with `attribute_not_exists` in
 * the same transaction as the customer, so two concurrent first orders cannot create two customers,
 * and deleted on erasure, which cuts the link between the person and the anonymous record.
 */
export const CustomerRefEntity = new Entity({
  model: { entity: 'customerref', version: '1', service: 'retention' },
  attributes: {
    tenantId: { type: 'string', required: true, readOnly: true },
    refType: { type: ['EXTERNAL_ID', 'EMAIL'] as const, required: true, readOnly: true },
    refValue: { type: 'string', required: true, readOnly: true },
    customerId: { type: 'string', required: true },
  },
  indexes: {
    byValue: {
      pk: { field: 'pk', composite: ['tenantId', 'refType', 'refValue'], casing: 'none' },
      sk: { field: 'sk', composite: [], casing: 'none' },
    },
  },
});

export type CustomerRefItem = EntityItem<typeof CustomerRefEntity>;

declare module '../db/registry.js' {
  interface EntityRegistry {
    customer: typeof CustomerEntity;
    customerRef: typeof CustomerRefEntity;
  }
}

registerEntities({ customer: CustomerEntity, customerRef: CustomerRefEntity });
