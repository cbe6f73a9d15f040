import { pageFromKeyedItems } from '../db/pagination.js';
import { db } from '../db/service.js';
import { backoff } from '../db/transactions.js';
import { getSyncStatus, isBehind } from '../shops/index.js';
import type { MetricsSegmentMemberItem } from './metrics.segment-entities.js';
import { listCustomerActivities } from './activities.js';
import type { MetricsSegmentRunItem } from './metrics.entities.js';
import { getCustomerActivity, getMetricsState } from './metrics.service.js';
import { churnRiskOf, median, quintileThresholds, RFM_GROUPS, rfmScoresOf, rfmValuesOf, type ChurnRisk, type RfmGroup, type RfmScores, type RfmValues } from './segments.js';

/**
 * Recomputes a tenant's RFM segmentation as of `now` from every customer's activity (one pass over
 * the activity partitions) and stores it: the run item first, marked pending, then one member
 * item per customer under the run's instant, then the run is marked complete (from then on it is
 * the latest) and the members of older runs are deleted. A crash leaves a pending run that no
 * read sees and whose members the next complete run deletes. Same tenant and instant, same
 * result: a repeated run overwrites itself. Returns the run.
 *
 * A run made while the stream projections are behind (the shop's sync status, read before the
 * pass) is kept but marked `partial`: the activities it read may miss orders still in the stream.
 */
export async function computeSegments(tenantId: string, now: Date): Promise<MetricsSegmentRunItem> {
  const [{ revenueBasis }, sync] = await Promise.all([getMetricsState(tenantId), getSyncStatus(tenantId)]);
  const all: Array<{ customerId: string; values: RfmValues }> = [];
  for await (const { customerId, activity } of listCustomerActivities(tenantId)) {
    const values = rfmValuesOf(activity, now, revenueBasis);
    if (values) all.push({ customerId, values });
  }
  const thresholds = {
    recency: quintileThresholds(all.map(({ values: v }) => v.recencyDays)),
    frequency: quintileThresholds(all.map(({ values: v }) => v.frequency)),
    monetary: quintileThresholds(all.map(({ values: v }) => v.monetary)),
  };
  const computedAt = now.toISOString();
  const members = all.map(({ customerId, values }) => {
    const scores = rfmScoresOf(values, thresholds);
    return { tenantId, computedAt, customerId, group: scores.group, recency: scores.recency, frequency: scores.frequency, monetary: scores.monetary };
  });
  const counts: Record<string, number> = Object.fromEntries(RFM_GROUPS.map((group) => [group, 0]));
  for (const member of members) counts[member.group]! += 1;
  const medianIntervalDays = median(all.flatMap(({ values: v }) => (v.meanIntervalDays === null ? [] : [v.meanIntervalDays])));
  const run: MetricsSegmentRunItem = {
    tenantId,
    computedAt,
    customers: all.length,
    recencyThresholds: thresholds.recency,
    frequencyThresholds: thresholds.frequency,
    monetaryThresholds: thresholds.monetary,
    ...(medianIntervalDays === null ? {} : { medianIntervalDays }),
    counts,
    partial: isBehind(sync),
    ...(sync ? { dataFreshAsOf: sync.newestRecordAt } : {}),
  };
  await db().entities.metricsSegmentRun.put({ ...run, pending: true }).go();
  await putAll(members);
  await db().entities.metricsSegmentRun.patch({ tenantId, computedAt }).remove(['pending']).go();
  await purgeOlderMembers(tenantId, computedAt);
  return run;
}

async function putAll(members: MetricsSegmentMemberItem[]): Promise<void> {
  const byCustomer = new Map(members.map((member) => [member.customerId, member]));
  for (let i = 0; i < members.length; i += 25) {
    let batch: MetricsSegmentMemberItem[] = members.slice(i, i + 25);
    for (let attempt = 0; batch.length > 0; attempt += 1) {
      if (attempt > 0) await backoff(attempt);
      const { unprocessed } = await db().entities.metricsSegmentMember.put(batch).go();
      // Unprocessed writes come back as their keys: put the whole members again.
      batch = (unprocessed as Array<{ customerId: string }>).map(({ customerId }) => byCustomer.get(customerId)!);
    }
  }
}

/** Deletes the members of every run before `computedAt` (complete or crashed), once per run. */
async function purgeOlderMembers(tenantId: string, computedAt: string): Promise<void> {
  const { data: older } = await db()
    .entities.metricsSegmentRun.query.byTime({ tenantId })
    .lt({ computedAt })
    .where((attr, op) => op.notExists(attr.membersPurged))
    .go({ pages: 'all', attributes: ['computedAt'] });
  for (const { computedAt: runAt } of older) {
    for (const group of RFM_GROUPS) {
      let cursor: string | null = null;
      do {
        const page: { data: Array<{ customerId: string }>; cursor: string | null } = await db()
          .entities.metricsSegmentMember.query.byGroup({ tenantId, computedAt: runAt, group })
          .go({ cursor, attributes: ['customerId'] });
        let keys = page.data.map(({ customerId }) => ({ tenantId, computedAt: runAt, group, customerId }));
        for (let attempt = 0; keys.length > 0; attempt += 1) {
          if (attempt > 0) await backoff(attempt);
          const { unprocessed } = await db().entities.metricsSegmentMember.delete(keys).go();
          keys = unprocessed as typeof keys;
        }
        cursor = page.cursor;
      } while (cursor);
    }
    await db().entities.metricsSegmentRun.patch({ tenantId, computedAt: runAt }).set({ membersPurged: true }).go();
  }
}

/** Reads a tenant's latest complete segmentation run. */
export async function getLatestSegmentRun(tenantId: string): Promise<MetricsSegmentRunItem | undefined> {
  const { data } = await db()
    .entities.metricsSegmentRun.query.byTime({ tenantId })
    .where((attr, op) => op.notExists(attr.pending))
    .go({ order: 'desc', count: 1 });
  return data[0];
}

/** Given a customer, returns their scores and group at the given run, if they were in it. */
export async function getSegmentMember(tenantId: string, customerId: string, computedAt: string): Promise<MetricsSegmentMemberItem | undefined> {
  const { data } = await db().entities.metricsSegmentMember.query.byCustomer({ tenantId, customerId, computedAt }).go({ limit: 1 });
  return data[0];
}

/**
 * Lists the customers of one RFM group at the latest complete run, one page at a time (one Query
 * of the group's partition at that run); empty before the first run.
 */
export async function listCustomerIdsBySegment(args: {
  tenantId: string;
  group: RfmGroup;
  first: number;
  cursor: string | null;
}): Promise<{ items: string[]; cursors: string[]; hasNextPage: boolean }> {
  const run = await getLatestSegmentRun(args.tenantId);
  if (!run) return { items: [], cursors: [], hasNextPage: false };
  const result = await db()
    .entities.metricsSegmentMember.query.byGroup({ tenantId: args.tenantId, computedAt: run.computedAt, group: args.group })
    .go({ cursor: args.cursor, limit: args.first, data: 'includeKeys' });
  const page = pageFromKeyedItems<MetricsSegmentMemberItem>(result.data as Array<Record<string, unknown>>, null, result.cursor);
  return { items: page.items.map((item) => item.customerId), cursors: page.cursors, hasNextPage: page.hasNextPage };
}

/** Lists a tenant's segmentation runs between two instants (inclusive), oldest first; at most `limit`. */
export async function listSegmentRuns(tenantId: string, from: Date, to: Date, limit: number): Promise<MetricsSegmentRunItem[]> {
  const { data } = await db()
    .entities.metricsSegmentRun.query.byTime({ tenantId })
    .between({ computedAt: from.toISOString() }, { computedAt: to.toISOString() })
    .where((attr, op) => op.notExists(attr.pending))
    .go({ count: limit });
  return data;
}

/**
 * Given a customer, returns their RFM scores and group as stored by the latest complete run (so
 * they agree with the group listings; null when the customer was not in it) and their churn risk
 * as of `now` (null without counted orders).
 */
export async function getCustomerSegment(
  tenantId: string,
  customerId: string,
  now: Date,
): Promise<{ rfm: (RfmScores & { computedAt: string }) | null; churnRisk: ChurnRisk | null }> {
  const [{ revenueBasis }, stored, run] = await Promise.all([getMetricsState(tenantId), getCustomerActivity(tenantId, customerId), getLatestSegmentRun(tenantId)]);
  const member = run ? await getSegmentMember(tenantId, customerId, run.computedAt) : undefined;
  return { rfm: rfmOfMember(member), churnRisk: churnRiskOfActivity(stored.activity, revenueBasis, run, now) };
}

/** A segment member's scores and group, as `Customer.rfm` shows them. */
export function rfmOfMember(member: MetricsSegmentMemberItem | undefined): (RfmScores & { computedAt: string }) | null {
  return member ? { recency: member.recency, frequency: member.frequency, monetary: member.monetary, group: member.group as RfmGroup, computedAt: member.computedAt } : null;
}

/**
 * A customer's churn risk from their stored activity, the shop's revenue basis and the latest
 * run (its median interval); the pieces are passed in so a page reads the shop-wide ones once.
 */
export function churnRiskOfActivity(activity: Parameters<typeof rfmValuesOf>[0], revenueBasis: Parameters<typeof rfmValuesOf>[2], run: MetricsSegmentRunItem | undefined, now: Date): ChurnRisk | null {
  const values = rfmValuesOf(activity, now, revenueBasis);
  return values ? churnRiskOf(values, run?.medianIntervalDays ?? null) : null;
}

/**
 * Recomputes the segmentation of every given tenant (the scheduled function); returns how many
 * runs were made and which shops' runs were partial (projections behind).
 */
export async function computeAllSegments(tenantIds: readonly string[], now: Date): Promise<{ runs: number; partialShops: string[] }> {
  const partialShops: string[] = [];
  for (const tenantId of tenantIds) {
    const run = await computeSegments(tenantId, now);
    if (run.partial) partialShops.push(tenantId);
  }
  return { runs: tenantIds.length, partialShops };
}
