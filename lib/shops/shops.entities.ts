import { Entity, type EntityItem } from 'electrodb';
import { registerEntities } from '../db/registry.js';

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
    /** Storefront origins whose pages may call the API for this shop (lib/graphql/cors.ts), sorted. */
    allowedOrigins: { type: 'list', items: { type: 'string' } },
    /**
     * HS256 secret the shop's backend signs storefront customer tokens with, sealed under the
     * key-encryption key (lib/common/envelope.ts; shops stored earlier hold plaintext until their
     * first read). Open it with `storefrontSecretsOf`.
     */
    storefrontSecret: { type: 'string', required: true },
    /** The secret before the last rotation (sealed likewise), accepted until `previousSecretExpiresAt`. */
    previousStorefrontSecret: { type: 'string' },
    previousSecretExpiresAt: { type: 'string' },
    createdAt: { type: 'string', required: true, readOnly: true },
    /** Event thresholds (absent: the defaults of `eventSettingsOf`). P(alive) under this is `customer.churn_risk_high`. */
    churnRiskThreshold: { type: 'number' },
    /** Days before a category's expected next purchase that `replenishment.due` fires. */
    replenishmentLeadDays: { type: 'number' },
    /** Days before a birthday that `customer.birthday_upcoming` fires. */
    birthdayLeadDays: { type: 'number' },
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

/**
 * How far the stream consumer has got with a shop's changes (Shop.syncStatus, reports'
 * dataFreshAsOf): written by the stream handler, at most every few seconds per container, and
 * only forward (newestRecordAt never goes back). Its own stream records are ignored.
 */
export const ShopSyncEntity = new Entity({
  model: { entity: 'shopsync', version: '1', service },
  attributes: {
    tenantId: { type: 'string', required: true, readOnly: true },
    /** Creation time (ApproximateCreationDateTime) of the newest change of this shop applied. */
    newestRecordAt: { type: 'string', required: true },
    /** When the consumer applied it. */
    processedAt: { type: 'string', required: true },
    /** processedAt − newestRecordAt, in seconds: how long that change took to reach the projections. */
    lagSeconds: { type: 'number', required: true },
    /** Records of this shop the consumer had received but not applied at processedAt. */
    pendingRecords: { type: 'number', required: true },
  },
  indexes: {
    byShop: {
      pk: { field: 'pk', composite: ['tenantId'], casing: 'none' },
      sk: { field: 'sk', composite: [], casing: 'none' },
    },
  },
});

export type ShopItem = EntityItem<typeof ShopEntity>;
export type ShopSyncItem = EntityItem<typeof ShopSyncEntity>;
export type ApiKeyItem = EntityItem<typeof ApiKeyEntity>;

declare module '../db/registry.js' {
  interface EntityRegistry {
    apiKey: typeof ApiKeyEntity;
    shop: typeof ShopEntity;
    shopSync: typeof ShopSyncEntity;
  }
}

registerEntities({ apiKey: ApiKeyEntity, shop: ShopEntity, shopSync: ShopSyncEntity });
