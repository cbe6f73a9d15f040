import { Entity, type EntityItem } from 'electrodb';

const service = 'retention';

/** A shop: the tenant. Everything else lives under its id. */
export const ShopEntity = new Entity({
  model: { entity: 'shop', version: '1', service },
  attributes: {
    tenantId: { type: 'string', required: true, readOnly: true },
    name: { type: 'string', required: true },
    currencyCode: { type: 'string', required: true },
    timeZone: { type: 'string', required: true, default: 'UTC' },
    revenueBasis: { type: ['TOTAL', 'SUBTOTAL'] as const, required: true, default: 'TOTAL' },
    /** When `timeZone` or `revenueBasis` last changed after creation. */
    settingsChangedAt: { type: 'string' },
    /** HS256 secret the shop's backend signs storefront customer tokens with. */
    storefrontSecret: { type: 'string', required: true },
    /** The secret before the last rotation, accepted until `previousSecretExpiresAt`. */
    previousStorefrontSecret: { type: 'string' },
    previousSecretExpiresAt: { type: 'string' },
    createdAt: { type: 'string', required: true, readOnly: true },
    /** Throttle plan (lib/throttle/plans.ts); a shop without one is STANDARD. */
    plan: { type: ['STANDARD', 'PLUS'] as const },
  },
  indexes: {
    byId: {
      pk: { field: 'pk', composite: ['tenantId'], casing: 'none' },
      sk: { field: 'sk', composite: [], casing: 'none' },
    },
    // The one cross-tenant question: which shops exist, asked only by scheduled jobs that then
    // work tenant by tenant.
    allShops: {
      index: 'gsi3',
      pk: { field: 'gsi3pk', composite: [], casing: 'none' },
      sk: { field: 'gsi3sk', composite: ['tenantId'], casing: 'none' },
    },
  },
});

/** An API key. Only its SHA-256 hash is stored; `keyId` is derived from the hash. */
export const ApiKeyEntity = new Entity({
  model: { entity: 'apikey', version: '1', service },
  attributes: {
    tenantId: { type: 'string', required: true, readOnly: true },
    keyId: { type: 'string', required: true, readOnly: true },
    keyHash: { type: 'string', required: true, readOnly: true },
    kind: { type: ['SECRET', 'PUBLISHABLE'] as const, required: true, readOnly: true },
    name: { type: 'string', required: true },
    prefix: { type: 'string', required: true, readOnly: true },
    scopes: { type: 'list', items: { type: 'string' }, required: true },
    createdAt: { type: 'string', required: true, readOnly: true },
    lastUsedAt: { type: 'string' },
    revokedAt: { type: 'string' },
  },
  indexes: {
    // Keys share the shop's partition, so listing a shop's keys is one Query.
    byShop: {
      pk: { field: 'pk', composite: ['tenantId'], casing: 'none' },
      sk: { field: 'sk', composite: ['keyId'], casing: 'none' },
    },
  },
});

export type ShopItem = EntityItem<typeof ShopEntity>;
export type ApiKeyItem = EntityItem<typeof ApiKeyEntity>;
