import { Entity, type EntityItem } from 'electrodb';
import { registerEntities } from '../db/registry.js';

const service = 'retention';

/**
 * One customer's membership of an RFM group at one segmentation run: the run's instant and the
 * group are in the partition key, so the customers of a group at the current run are one
 * paginated Query, and a customer of an older run can never show up in the current listing. The
 * job deletes the members of older runs once the new run is complete. `byCustomer` answers
 * "which group was this customer in at run R" (Customer.rfm, the purchase projection).
 */
export const MetricsSegmentMemberEntity = new Entity({
  model: { entity: 'metricsSegmentMember', version: '1', service },
  attributes: {
    tenantId: { type: 'string', required: true, readOnly: true },
    computedAt: { type: 'string', required: true, readOnly: true },
    group: { type: 'string', required: true, readOnly: true },
    customerId: { type: 'string', required: true, readOnly: true },
    recency: { type: 'number', required: true },
    frequency: { type: 'number', required: true },
    monetary: { type: 'number', required: true },
  },
  indexes: {
    byGroup: {
      pk: { field: 'pk', composite: ['tenantId', 'computedAt', 'group'], casing: 'none' },
      sk: { field: 'sk', composite: ['customerId'], casing: 'none' },
    },
    byCustomer: {
      index: 'gsi1',
      pk: { field: 'gsi1pk', composite: ['tenantId', 'customerId'], casing: 'none' },
      sk: { field: 'gsi1sk', composite: ['computedAt'], casing: 'none' },
    },
  },
});

/**
 * Per customer and product category: the counted orders with a line of that category (order id →
 * placedAt ms), so a cancellation or a redelivery changes nothing twice, and what the
 * replenishment rule derives from them. `expectedNextAt` is set from two distinct purchase days
 * on; `byExpectedNext` (sparse in effect: without it the sort key sorts before every instant)
 * makes "due between from and to in category C" one range Query.
 */
export const MetricsCategoryPurchaseEntity = new Entity({
  model: { entity: 'metricsCategoryPurchase', version: '1', service },
  attributes: {
    tenantId: { type: 'string', required: true, readOnly: true },
    customerId: { type: 'string', required: true, readOnly: true },
    category: { type: 'string', required: true, readOnly: true },
    orders: { type: 'any', required: true },
    purchaseDays: { type: 'number', required: true },
    lastPurchaseAt: { type: 'string' },
    meanIntervalDays: { type: 'number' },
    expectedNextAt: { type: 'string' },
    version: { type: 'number', required: true },
  },
  indexes: {
    byCustomer: {
      pk: { field: 'pk', composite: ['tenantId', 'customerId'], casing: 'none' },
      sk: { field: 'sk', composite: ['category'], casing: 'none' },
    },
    byExpectedNext: {
      index: 'gsi2',
      pk: { field: 'gsi2pk', composite: ['tenantId', 'category'], casing: 'none' },
      sk: { field: 'gsi2sk', composite: ['expectedNextAt'], casing: 'none' },
    },
  },
});

/**
 * What the purchase projection counted for one order: the order version it saw, whether it
 * counted (not cancelled), its UTC day, the customer's side (loyal or others) when it was first
 * counted, and its units and revenue per product and per category. A later change of the order
 * moves the counters by the difference from this record, under a version condition.
 */
export const MetricsOrderPurchaseEntity = new Entity({
  model: { entity: 'metricsOrderPurchase', version: '1', service },
  attributes: {
    tenantId: { type: 'string', required: true, readOnly: true },
    orderId: { type: 'string', required: true, readOnly: true },
    customerId: { type: 'string', required: true },
    orderVersion: { type: 'number', required: true },
    counted: { type: 'boolean', required: true },
    day: { type: 'string', required: true },
    side: { type: ['LOYAL', 'OTHERS'] as const, required: true },
    /** `P#<product>` / `C#<category>` → [units, revenue]; absent for an order without lines. */
    lines: { type: 'any' },
    placedAt: { type: 'number', required: true },
  },
  indexes: {
    byOrder: {
      pk: { field: 'pk', composite: ['tenantId', 'orderId'], casing: 'none' },
      sk: { field: 'sk', composite: [], casing: 'none' },
    },
  },
});

/**
 * Units and revenue of counted orders per UTC day and product (`kind` P) or category (`kind` C),
 * split by the customer's side when the order was counted. A period's bright spots read one
 * sort-key range of the tenant's partition: O(days × keys sold), never the orders.
 */
export const MetricsProductDayEntity = new Entity({
  model: { entity: 'metricsProductDay', version: '1', service },
  attributes: {
    tenantId: { type: 'string', required: true, readOnly: true },
    day: { type: 'string', required: true, readOnly: true },
    kind: { type: ['P', 'C'] as const, required: true, readOnly: true },
    key: { type: 'string', required: true, readOnly: true },
    loyalUnits: { type: 'number' },
    loyalRevenue: { type: 'number' },
    otherUnits: { type: 'number' },
    otherRevenue: { type: 'number' },
  },
  indexes: {
    byDay: {
      pk: { field: 'pk', composite: ['tenantId'], casing: 'none' },
      sk: { field: 'sk', composite: ['day', 'kind', 'key'], casing: 'none' },
    },
  },
});

export type MetricsSegmentMemberItem = EntityItem<typeof MetricsSegmentMemberEntity>;
export type MetricsCategoryPurchaseItem = EntityItem<typeof MetricsCategoryPurchaseEntity>;
export type MetricsOrderPurchaseItem = EntityItem<typeof MetricsOrderPurchaseEntity>;
export type MetricsProductDayItem = EntityItem<typeof MetricsProductDayEntity>;

declare module '../db/registry.js' {
  interface EntityRegistry {
    metricsCategoryPurchase: typeof MetricsCategoryPurchaseEntity;
    metricsOrderPurchase: typeof MetricsOrderPurchaseEntity;
    metricsProductDay: typeof MetricsProductDayEntity;
    metricsSegmentMember: typeof MetricsSegmentMemberEntity;
  }
}

registerEntities({ metricsCategoryPurchase: MetricsCategoryPurchaseEntity, metricsOrderPurchase: MetricsOrderPurchaseEntity, metricsProductDay: MetricsProductDayEntity, metricsSegmentMember: MetricsSegmentMemberEntity });
