import { createConversions, Entity } from 'electrodb';
import type { Granularity, PeriodKey } from './periods.js';

/**
 * Counters of the loyalty, referral and feedback reports (METRICS.md "Loyalty, referrals,
 * feedback"), kept by the stream projections of `domain-reports.projections.ts`:
 * - a counter item per tenant + report + scope (`ALL`, or a survey id) + granularity, sorted by
 *   period; its counters are top-level number attributes moved by `ADD` (names in
 *   `domain-reports.ts`);
 * - a mark per applied change (an entry, a referral version, a response version, an invitation),
 *   created with `attribute_not_exists` in the transaction that moves the counters, so a
 *   redelivered change moves nothing. Marks expire after the stream's retention (TTL).
 */

export type DomainReport = 'LOYALTY' | 'REFERRAL' | 'FEEDBACK';

export const DomainCounterEntity = new Entity({
  model: { entity: 'domainCounter', version: '1', service: 'retention' },
  attributes: {
    tenantId: { type: 'string', required: true, readOnly: true },
    report: { type: ['LOYALTY', 'REFERRAL', 'FEEDBACK'] as const, required: true, readOnly: true },
    scope: { type: 'string', required: true, readOnly: true },
    granularity: { type: ['WEEK', 'MONTH', 'QUARTER', 'YEAR'] as const, required: true, readOnly: true },
    period: { type: 'string', required: true, readOnly: true },
  },
  indexes: {
    byPeriod: {
      pk: { field: 'pk', composite: ['tenantId', 'report', 'scope', 'granularity'], casing: 'none' },
      sk: { field: 'sk', composite: ['period'], casing: 'none' },
    },
  },
});

export const DomainCounterMarkEntity = new Entity({
  model: { entity: 'domainCounterMark', version: '1', service: 'retention' },
  attributes: {
    tenantId: { type: 'string', required: true, readOnly: true },
    markId: { type: 'string', required: true, readOnly: true },
    /** Epoch seconds: after the stream's 24 h retention no redelivery can come. */
    ttl: { type: 'number', required: true, readOnly: true },
  },
  indexes: {
    byId: {
      pk: { field: 'pk', composite: ['tenantId', 'markId'], casing: 'none' },
      sk: { field: 'sk', composite: [], casing: 'none' },
    },
  },
});

/**
 * A customer's counted orders in one period, per group (M: placed as a loyalty member, N: not),
 * so the membership split knows when a customer becomes active or a repeat buyer in the period.
 * Written with a condition on its `orders`.
 */
export const DomainCustomerPeriodEntity = new Entity({
  model: { entity: 'domainCustomerPeriod', version: '1', service: 'retention' },
  attributes: {
    tenantId: { type: 'string', required: true, readOnly: true },
    customerId: { type: 'string', required: true, readOnly: true },
    granularity: { type: ['WEEK', 'MONTH', 'QUARTER', 'YEAR'] as const, required: true, readOnly: true },
    period: { type: 'string', required: true, readOnly: true },
    group: { type: ['M', 'N'] as const, required: true, readOnly: true },
    orders: { type: 'number', required: true },
  },
  indexes: {
    byCustomer: {
      pk: { field: 'pk', composite: ['tenantId', 'customerId'], casing: 'none' },
      sk: { field: 'sk', composite: ['granularity', 'period', 'group'], casing: 'none' },
    },
  },
});

export interface DomainCounterId {
  readonly tenantId: string;
  readonly report: DomainReport;
  readonly scope: string;
  readonly granularity: Granularity;
  readonly period: PeriodKey;
}

const counterConversions = createConversions(DomainCounterEntity);
const markConversions = createConversions(DomainCounterMarkEntity);
const customerPeriodConversions = createConversions(DomainCustomerPeriodEntity);

/** Given a customer-period-group identity, returns its table keys. */
export function domainCustomerPeriodKey(id: { tenantId: string; customerId: string; granularity: Granularity; period: PeriodKey; group: 'M' | 'N' }): Record<string, string> {
  return customerPeriodConversions.fromComposite.toKeys({ ...id }) as Record<string, string>;
}

/** Given a counter item's identity, returns its table keys. */
export function domainCounterKey(id: DomainCounterId): Record<string, string> {
  return counterConversions.fromComposite.toKeys({ ...id }) as Record<string, string>;
}

/** Given a tenant and a mark id, returns the mark's table keys. */
export function domainCounterMarkKey(tenantId: string, markId: string): Record<string, string> {
  return markConversions.fromComposite.toKeys({ tenantId, markId }) as Record<string, string>;
}
