import { Entity, type EntityItem } from 'electrodb';
import { registerEntities } from '../db/registry.js';

/**
 * An order, keyed by the shop's order id so that recording it twice hits the same item:
 * `attribute_not_exists` on that key is what makes `orderRecord` idempotent.
 */
export const OrderEntity = new Entity({
  model: { entity: 'order', version: '1', service: 'retention' },
  attributes: {
    tenantId: { type: 'string', required: true, readOnly: true },
    orderId: { type: 'string', required: true, readOnly: true },
    customerId: { type: 'string', required: true },
    placedAt: { type: 'string', required: true },
    status: { type: ['PLACED', 'CANCELLED'] as const, required: true, default: 'PLACED' },
    currencyCode: { type: 'string', required: true },
    subtotal: { type: 'number', required: true },
    discounts: { type: 'number', required: true },
    shipping: { type: 'number', required: true },
    tax: { type: 'number', required: true },
    total: { type: 'number', required: true },
    refunded: { type: 'number', required: true, default: 0 },
    lineItems: {
      type: 'list',
      items: {
        type: 'map',
        properties: {
          sku: { type: 'string' },
          productId: { type: 'string' },
          title: { type: 'string' },
          category: { type: 'string' },
          quantity: { type: 'number', required: true },
          unitPrice: { type: 'number', required: true },
        },
      },
      default: () => [],
    },
    discountCodes: { type: 'list', items: { type: 'string' }, default: () => [] },
    referralCode: { type: 'string' },
    channel: { type: 'string' },
    riskSignals: {
      type: 'map',
      properties: { shippingAddressHash: { type: 'string' }, ipHash: { type: 'string' }, paymentFingerprintHash: { type: 'string' } },
    },
    refunds: {
      type: 'list',
      items: {
        type: 'map',
        properties: {
          refundId: { type: 'string', required: true },
          amount: { type: 'number', required: true },
          reason: { type: 'string' },
          createdAt: { type: 'string', required: true },
        },
      },
      default: () => [],
    },
    /** Hash of the recorded payload: a repeat with another payload is a conflict, not a replay. */
    payloadHash: { type: 'string', required: true, readOnly: true },
    version: { type: 'number', required: true, default: 0 },
    cancelledAt: { type: 'string' },
    createdAt: { type: 'string', required: true, readOnly: true },
  },
  indexes: {
    byId: {
      pk: { field: 'pk', composite: ['tenantId', 'orderId'], casing: 'none' },
      sk: { field: 'sk', composite: [], casing: 'none' },
    },
    byCustomer: {
      index: 'gsi1',
      pk: { field: 'gsi1pk', composite: ['tenantId', 'customerId'], casing: 'none' },
      sk: { field: 'gsi1sk', composite: ['placedAt', 'orderId'], casing: 'none' },
    },
  },
});

export type OrderItem = EntityItem<typeof OrderEntity>;

declare module '../db/registry.js' {
  interface EntityRegistry {
    order: typeof OrderEntity;
  }
}

registerEntities({ order: OrderEntity });
