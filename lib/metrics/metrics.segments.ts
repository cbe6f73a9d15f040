import { systemClock, type Clock } from '../common/clock.js';
import { pageFromKeyedItems } from '../db/pagination.js';
import { db } from '../db/service.js';
import { backoff } from '../db/transactions.js';
import { emit } from '../events/index.js';
import { getSyncStatus, isBehind } from '../shops/index.js';
import { segmentEntered, segmentLeft } from './metrics.events.js';
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
 *
 * Each customer whose group differs from the previous complete run gets `segment.entered` (and
 * `segment.left` for the group they had), keyed by (run, customer, group); `clock` stamps when
 * the events were written.
 */
export async function computeSegments(tenantId: string, now: Date, clock: Clock = systemClock): Promise<MetricsSegmentRunItem> {
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
  // Events before the purge: a crash in between leaves the previous run's members for the rerun,
  // which finds the same differences and writes nothing new (each event is keyed by run, customer, group).
  const previous = await previousRunMembers(tenantId, computedAt);
  if (previous !== 'purged') await emitSegmentChanges(tenantId, computedAt, previous?.groups ?? new Map(), members, clock);
  await purgeOlderMembers(tenantId, computedAt, previous === 'purged' ? undefined : previous);
  return run;
}

type PreviousMembers = { computedAt: string; groups: Map<string, RfmGroup> };

/**
 * The members of the latest complete run before `computedAt`, by customer, read from the group
 * partitions the purge deletes anyway (it reuses them); undefined without one (the shop's first
 * run); 'purged' when this run already ran to its purge (a rerun: its events are written).
 */
async function previousRunMembers(tenantId: string, computedAt: string): Promise<PreviousMembers | 'purged' | undefined> {
  const { data } = await db()
    .entities.metricsSegmentRun.query.byTime({ tenantId })
    .lt({ computedAt })
    .where((attr, op) => op.notExists(attr.pending))
    .go({ order: 'desc', count: 1, attributes: ['computedAt', 'membersPurged'] });
  const runAt = data[0]?.computedAt;
  if (!runAt) return undefined;
  if (data[0]?.membersPurged) return 'purged';
  const groups = new Map<string, RfmGroup>();
  for (const group of RFM_GROUPS) {
    let cursor: string | null = null;
    do {
      const page: { data: Array<{ customerId: string }>; cursor: string | null } = await db()
        .entities.metricsSegmentMember.query.byGroup({ tenantId, computedAt: runAt, group })
        .go({ cursor, attributes: ['customerId'] });
      for (const { customerId } of page.data) groups.set(customerId, group);
      cursor = page.cursor;
    } while (cursor);
  }
  return { computedAt: runAt, groups };
}

const emitConcurrency = 25;

/** Publishes `segment.entered` / `segment.left` for every customer whose group differs from the previous run. */
async function emitSegmentChanges(tenantId: string, computedAt: string, previous: Map<string, RfmGroup>, members: MetricsSegmentMemberItem[], clock: Clock): Promise<void> {
  const writes: Array<() => Promise<unknown>> = [];
  const current = new Map(members.map((member) => [member.customerId, member]));
  for (const member of members) {
    const before = previous.get(member.customerId) ?? null;
    const group = member.group as RfmGroup;
    if (before === group) continue;
    const scores = { recency: member.recency, frequency: member.frequency, monetary: member.monetary };
    writes.push(() => emit(segmentEntered, { shopId: tenantId, factKey: `${computedAt}:${member.customerId}:${group}`, occurredAt: computedAt, data: { customerId: member.customerId, group, previousGroup: before, runAsOf: computedAt, scores } }, clock));
    if (before) {
      writes.push(() => emit(segmentLeft, { shopId: tenantId, factKey: `${computedAt}:${member.customerId}:${before}`, occurredAt: computedAt, data: { customerId: member.customerId, group: before, nextGroup: group, runAsOf: computedAt, scores } }, clock));
    }
  }
  for (const [customerId, before] of previous) {
    if (current.has(customerId)) continue;
    writes.push(() => emit(segmentLeft, { shopId: tenantId, factKey: `${computedAt}:${customerId}:${before}`, occurredAt: computedAt, data: { customerId, group: before, nextGroup: null, runAsOf: computedAt, scores: null } }, clock));
  }
  for (let i = 0; i < writes.length; i += emitConcurrency) {
    await Promise.all(writes.slice(i, i + emitConcurrency).map((write) => write()));
  }
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
async function purgeOlderMembers(tenantId: string, computedAt: string, prefetched?: PreviousMembers): Promise<void> {
  const { data: older } = await db()
    .entities.metricsSegmentRun.query.byTime({ tenantId })
    .lt({ computedAt })
    .where((attr, op) => op.notExists(attr.membersPurged))
    .go({ pages: 'all', attributes: ['computedAt'] });
  for (const { computedAt: runAt } of older) {
    if (prefetched?.computedAt === runAt) {
      await deleteMembers([...prefetched.groups].map(([customerId, group]) => ({ tenantId, computedAt: runAt, group, customerId })));
      await db().entities.metricsSegmentRun.patch({ tenantId, computedAt: runAt }).set({ membersPurged: true }).go();
      continue;
    }
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

async function deleteMembers(keys: Array<{ tenantId: string; computedAt: string; group: RfmGroup; customerId: string }>): Promise<void> {
  for (let i = 0; i < keys.length; i += 25) {
    let batch = keys.slice(i, i + 25);
    for (let attempt = 0; batch.length > 0; attempt += 1) {
      if (attempt > 0) await backoff(attempt);
      const { unprocessed } = await db().entities.metricsSegmentMember.delete(batch).go();
      batch = unprocessed as typeof batch;
    }
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
