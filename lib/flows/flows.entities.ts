import { Entity, type EntityItem } from 'electrodb';
import { registerEntities } from '../db/registry.js';

/** A flow's definition: trigger, conditions, action, holdout, limits, goal; versioned on change. */
export const FlowEntity = new Entity({
  model: { entity: 'flow', version: '1', service: 'retention' },
  attributes: {
    tenantId: { type: 'string', required: true, readOnly: true },
    flowId: { type: 'string', required: true, readOnly: true },
    name: { type: 'string', required: true },
    status: { type: ['DRAFT', 'ACTIVE', 'PAUSED', 'ARCHIVED'] as const, required: true },
    triggerType: { type: 'string', required: true },
    /** Conditions on the trigger's payload and on the customer (zod-checked `FlowConditions`). */
    conditions: { type: 'any', required: true },
    couponCode: { type: 'string' },
    holdoutShare: { type: 'number', required: true },
    /** HMAC key of the holdout draw; never leaves the service. */
    salt: { type: 'string', required: true, readOnly: true },
    reentryDays: { type: 'number', required: true },
    goalDays: { type: 'number', required: true },
    goalMinimumAmount: { type: 'number' },
    version: { type: 'number', required: true },
    createdAt: { type: 'string', required: true, readOnly: true },
    updatedAt: { type: 'string', required: true },
  },
  indexes: {
    byId: {
      pk: { field: 'pk', composite: ['tenantId', 'flowId'], casing: 'none' },
      sk: { field: 'sk', composite: [], casing: 'none' },
    },
    byShop: {
      index: 'gsi1',
      pk: { field: 'gsi1pk', composite: ['tenantId'], casing: 'none' },
      sk: { field: 'gsi1sk', composite: ['createdAt', 'flowId'], casing: 'none' },
    },
  },
});
export type FlowItem = EntityItem<typeof FlowEntity>;

/** A customer's group in a flow, drawn once and kept: a redelivery cannot move them. */
export const FlowAssignmentEntity = new Entity({
  model: { entity: 'flowassignment', version: '1', service: 'retention' },
  attributes: {
    tenantId: { type: 'string', required: true, readOnly: true },
    flowId: { type: 'string', required: true, readOnly: true },
    customerId: { type: 'string', required: true, readOnly: true },
    group: { type: ['TREATMENT', 'HOLDOUT'] as const, required: true, readOnly: true },
    assignedAt: { type: 'string', required: true, readOnly: true },
    /** The last entry's time, for the once-per-N-days limit. */
    lastEnteredAt: { type: 'string', required: true },
  },
  indexes: {
    byFlowCustomer: {
      pk: { field: 'pk', composite: ['tenantId', 'flowId', 'customerId'], casing: 'none' },
      sk: { field: 'sk', composite: [], casing: 'none' },
    },
  },
});
export type FlowAssignmentItem = EntityItem<typeof FlowAssignmentEntity>;

/** One entry: (flow, customer, trigger fact), created once; credited by the customer's orders in the goal window. */
export const FlowEntryEntity = new Entity({
  model: { entity: 'flowentry', version: '1', service: 'retention' },
  attributes: {
    tenantId: { type: 'string', required: true, readOnly: true },
    flowId: { type: 'string', required: true, readOnly: true },
    customerId: { type: 'string', required: true, readOnly: true },
    triggerEventId: { type: 'string', required: true, readOnly: true },
    flowVersion: { type: 'number', required: true, readOnly: true },
    group: { type: ['TREATMENT', 'HOLDOUT'] as const, required: true, readOnly: true },
    enteredAt: { type: 'string', required: true, readOnly: true },
    /** The counter bucket (UTC day of entry). */
    day: { type: 'string', required: true, readOnly: true },
    goalEndsAt: { type: 'string', required: true, readOnly: true },
    couponCode: { type: 'string' },
    converted: { type: 'boolean', required: true },
    revenue: { type: 'number', required: true },
    orders: { type: 'number', required: true },
    /** Orders and refunds already credited (idempotency of the goal handler). */
    credited: { type: 'list', items: { type: 'string' }, required: true, default: () => [] },
  },
  indexes: {
    byId: {
      pk: { field: 'pk', composite: ['tenantId', 'flowId', 'customerId', 'triggerEventId'], casing: 'none' },
      sk: { field: 'sk', composite: [], casing: 'none' },
    },
    byCustomer: {
      index: 'gsi1',
      pk: { field: 'gsi1pk', composite: ['tenantId', 'customerId'], casing: 'none' },
      sk: { field: 'gsi1sk', composite: ['enteredAt', 'flowId'], casing: 'none' },
    },
  },
});
export type FlowEntryItem = EntityItem<typeof FlowEntryEntity>;

/** Counters per (flow, version, group, entry day), added to atomically; the report sums days. */
export const FlowCounterEntity = new Entity({
  model: { entity: 'flowcounter', version: '1', service: 'retention' },
  attributes: {
    tenantId: { type: 'string', required: true, readOnly: true },
    flowId: { type: 'string', required: true, readOnly: true },
    flowVersion: { type: 'number', required: true, readOnly: true },
    group: { type: ['TREATMENT', 'HOLDOUT'] as const, required: true, readOnly: true },
    day: { type: 'string', required: true, readOnly: true },
    entered: { type: 'number', default: 0 },
    converted: { type: 'number', default: 0 },
    orders: { type: 'number', default: 0 },
    revenue: { type: 'number', default: 0 },
    revenueSquares: { type: 'number', default: 0 },
    rewardCost: { type: 'number', default: 0 },
    optedOut: { type: 'number', default: 0 },
  },
  indexes: {
    byFlow: {
      pk: { field: 'pk', composite: ['tenantId', 'flowId'], casing: 'none' },
      sk: { field: 'sk', composite: ['flowVersion', 'day', 'group'], casing: 'none' },
    },
  },
});
export type FlowCounterItem = EntityItem<typeof FlowCounterEntity>;

declare module '../db/registry.js' {
  interface EntityRegistry {
    flow: typeof FlowEntity;
    flowAssignment: typeof FlowAssignmentEntity;
    flowEntry: typeof FlowEntryEntity;
    flowCounter: typeof FlowCounterEntity;
  }
}

registerEntities({ flow: FlowEntity, flowAssignment: FlowAssignmentEntity, flowEntry: FlowEntryEntity, flowCounter: FlowCounterEntity });
