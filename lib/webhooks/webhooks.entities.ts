import { Entity, type EntityItem } from 'electrodb';
import { registerEntities } from '../db/registry.js';

const service = 'retention';

/** A partner's endpoint for the shop's events. The secrets are sealed (lib/common/envelope.ts). */
export const WebhookSubscriptionEntity = new Entity({
  model: { entity: 'webhookSubscription', version: '1', service },
  attributes: {
    tenantId: { type: 'string', required: true, readOnly: true },
    subscriptionId: { type: 'string', required: true, readOnly: true },
    url: { type: 'string', required: true },
    /** Catalogue types, or `*` for every type. */
    eventTypes: { type: 'list', items: { type: 'string' }, required: true },
    enabled: { type: 'boolean', required: true },
    description: { type: 'string' },
    secret: { type: 'string', required: true },
    /** The secret before the last rotation: it still signs until `previousSecretExpiresAt`. */
    previousSecret: { type: 'string' },
    previousSecretExpiresAt: { type: 'string' },
    /** Set by the first failed attempt after a success; the endpoint is disabled N days after it. */
    failingSince: { type: 'string' },
    disabledReason: { type: 'string' },
    createdAt: { type: 'string', required: true, readOnly: true },
    updatedAt: { type: 'string', required: true },
  },
  indexes: {
    // A shop's subscriptions share its partition: the fan-out reads them with one Query per event.
    byShop: {
      pk: { field: 'pk', composite: ['tenantId'], casing: 'none' },
      sk: { field: 'sk', composite: ['subscriptionId'], casing: 'none' },
    },
  },
});

export type WebhookSubscriptionItem = EntityItem<typeof WebhookSubscriptionEntity>;

export const deliveryStatuses = ['PENDING', 'SUCCEEDED', 'FAILED'] as const;
export type DeliveryStatus = (typeof deliveryStatuses)[number];

/** Deliveries still to be attempted sit in this GSI partition, ordered by their next attempt. */
export const dueShard = 'webhook-due';

/**
 * One event for one subscription: keyed by both, so a redelivered stream batch creates nothing new.
 * Holds the body exactly as it is signed, so every retry and replay sends the same bytes.
 */
export const WebhookDeliveryEntity = new Entity({
  model: { entity: 'webhookDelivery', version: '1', service },
  attributes: {
    tenantId: { type: 'string', required: true, readOnly: true },
    subscriptionId: { type: 'string', required: true, readOnly: true },
    eventId: { type: 'string', required: true, readOnly: true },
    eventType: { type: 'string', required: true, readOnly: true },
    recordedAt: { type: 'string', required: true, readOnly: true },
    payload: { type: 'string', required: true, readOnly: true },
    test: { type: 'boolean' },
    status: { type: deliveryStatuses, required: true },
    attempts: { type: 'number', required: true },
    nextAttemptAt: { type: 'string', required: true },
    /** `webhook-due` while PENDING; `settled#<tenant>` after, so the due partition holds only due work. */
    shard: { type: 'string', required: true },
    lastAttemptAt: { type: 'string' },
    responseStatus: { type: 'number' },
    latencyMs: { type: 'number' },
    lastError: { type: 'string' },
    createdAt: { type: 'string', required: true, readOnly: true },
    ttl: { type: 'number', required: true },
  },
  indexes: {
    byEvent: {
      pk: { field: 'pk', composite: ['tenantId', 'subscriptionId'], casing: 'none' },
      sk: { field: 'sk', composite: ['eventId'], casing: 'none' },
    },
    /** The delivery log of a subscription, by the events' time. */
    log: {
      index: 'gsi1',
      pk: { field: 'gsi1pk', composite: ['tenantId', 'subscriptionId'], casing: 'none' },
      sk: { field: 'gsi1sk', composite: ['recordedAt', 'eventId'], casing: 'none' },
    },
    /** What the sweep retries: pending deliveries by their next attempt. */
    due: {
      index: 'gsi2',
      pk: { field: 'gsi2pk', composite: ['shard'], casing: 'none' },
      sk: { field: 'gsi2sk', composite: ['nextAttemptAt', 'tenantId', 'subscriptionId', 'eventId'], casing: 'none' },
    },
  },
});

export type WebhookDeliveryItem = EntityItem<typeof WebhookDeliveryEntity>;

declare module '../db/registry.js' {
  interface EntityRegistry {
    webhookSubscription: typeof WebhookSubscriptionEntity;
    webhookDelivery: typeof WebhookDeliveryEntity;
  }
}

registerEntities({ webhookSubscription: WebhookSubscriptionEntity, webhookDelivery: WebhookDeliveryEntity });
