import { db } from '../db/service.js';
import { listCustomerActivities } from './activities.js';
import type { MetricsSegmentRunItem } from './metrics.entities.js';
import { getCustomerActivity, getMetricsState } from './metrics.service.js';
import { churnRiskOf, median, quintileThresholds, RFM_GROUPS, rfmScoresOf, rfmValuesOf, type ChurnRisk, type RfmScores, type RfmValues } from './segments.js';

/**
 * Recomputes a tenant's RFM segmentation as of `now` from every customer's activity (one pass over
 * the activity partitions) and stores it as one run item; returns the run.
 */
export async function computeSegments(tenantId: string, now: Date): Promise<MetricsSegmentRunItem> {
  const { revenueBasis } = await getMetricsState(tenantId);
  const all: RfmValues[] = [];
  for await (const { activity } of listCustomerActivities(tenantId)) {
    const values = rfmValuesOf(activity, now, revenueBasis);
    if (values) all.push(values);
  }
  const thresholds = {
    recency: quintileThresholds(all.map((v) => v.recencyDays)),
    frequency: quintileThresholds(all.map((v) => v.frequency)),
    monetary: quintileThresholds(all.map((v) => v.monetary)),
  };
  const counts: Record<string, number> = Object.fromEntries(RFM_GROUPS.map((group) => [group, 0]));
  for (const values of all) counts[rfmScoresOf(values, thresholds).group]! += 1;
  const medianIntervalDays = median(all.flatMap((v) => (v.meanIntervalDays === null ? [] : [v.meanIntervalDays])));
  const run: MetricsSegmentRunItem = {
    tenantId,
    computedAt: now.toISOString(),
    customers: all.length,
    recencyThresholds: thresholds.recency,
    frequencyThresholds: thresholds.frequency,
    monetaryThresholds: thresholds.monetary,
    ...(medianIntervalDays === null ? {} : { medianIntervalDays }),
    counts,
  };
  // Same tenant and instant, same result: a repeated run overwrites itself.
  await db().entities.metricsSegmentRun.put(run).go();
  return run;
}

/** Reads a tenant's latest segmentation run. */
export async function getLatestSegmentRun(tenantId: string): Promise<MetricsSegmentRunItem | undefined> {
  const { data } = await db().entities.metricsSegmentRun.query.byTime({ tenantId }).go({ order: 'desc', limit: 1 });
  return data[0];
}

/** Lists a tenant's segmentation runs between two instants (inclusive), oldest first; at most `limit`. */
export async function listSegmentRuns(tenantId: string, from: Date, to: Date, limit: number): Promise<MetricsSegmentRunItem[]> {
  const { data } = await db()
    .entities.metricsSegmentRun.query.byTime({ tenantId })
    .between({ computedAt: from.toISOString() }, { computedAt: to.toISOString() })
    .go({ limit });
  return data;
}

/** Given a customer, returns their RFM scores against the latest run and their churn risk as of `now`; null without counted orders. */
export async function getCustomerSegment(
  tenantId: string,
  customerId: string,
  now: Date,
): Promise<{ rfm: (RfmScores & { computedAt: string }) | null; churnRisk: ChurnRisk } | null> {
  const [{ revenueBasis }, stored, run] = await Promise.all([getMetricsState(tenantId), getCustomerActivity(tenantId, customerId), getLatestSegmentRun(tenantId)]);
  const values = rfmValuesOf(stored.activity, now, revenueBasis);
  if (!values) return null;
  return {
    rfm: run
      ? { ...rfmScoresOf(values, { recency: run.recencyThresholds, frequency: run.frequencyThresholds, monetary: run.monetaryThresholds }), computedAt: run.computedAt }
      : null,
    churnRisk: churnRiskOf(values, run?.medianIntervalDays ?? null),
  };
}

/** Recomputes the segmentation of every given tenant (the scheduled function). */
export async function computeAllSegments(tenantIds: readonly string[], now: Date): Promise<void> {
  for (const tenantId of tenantIds) await computeSegments(tenantId, now);
}
