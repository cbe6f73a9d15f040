/**
 * `metricsRebuild`: recomputes a tenant's counters from its orders into a fresh generation, then
 * switches the reports to it. Correct while orders keep arriving, because the stream consumer
 * knows about the build (the tenant's metrics state names it): from the start of the build, every
 * consumer write adds the customer's whole contribution to the new generation the first time, and
 * its diff after that. The job's phases, each resumable from a cursor and idempotent:
 *
 * - COUNT: counts customers and orders (progress).
 * - CUSTOMERS: per customer, merges all their orders and their loyalty membership into the
 *   activity state and adds the contribution to the new generation (`applyOrdersToCustomer`),
 *   repairing any missed record,
 *   and applies each order to the purchase read models (`applyOrderToPurchases`: a backfill for
 *   orders recorded before that projection existed, a no-op for the others).
 * - PROGRAMS: replays every source of the loyalty, referral and feedback reports (ledger entries,
 *   referrals, survey responses, invitations) into the new generation of their counters
 *   (`domain-reports.rebuild.ts`); the stream fills that generation too from the build's start,
 *   and both meet on per-item marks.
 * - VERIFY: sweeps the activity items, adds any not yet in the new generation (customers the
 *   customer listing did not show yet) and finishes any change left half applied (see
 *   `applyOrdersToCustomer`); then switches generation and settings in one transaction.
 * - CLEANUP: deletes the old generation's counters (and program counters and marks).
 */
import { randomUUID } from 'node:crypto';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo } from '../db/client.js';
import { db } from '../db/service.js';
import { backoff, maxOptimisticAttempts, writeTransaction } from '../db/transactions.js';
import { listCustomersForShop } from '../customers/index.js';
import { getLoyaltyMember } from '../loyalty/index.js';
import { listOrdersForCustomer } from '../orders/index.js';
import { getShop } from '../shops/index.js';
import { activityShards, type MetricsRebuildJobItem } from './metrics.entities.js';
import { orderFactsOf } from './metrics.projection.js';
import { applyOrderToPurchases } from './metrics.purchases.js';
import { applyOrdersToCustomer, deleteCounterGeneration, getMetricsState } from './metrics.service.js';
import { programScopes, replayProgramsStep, replayProgress } from './domain-reports.rebuild.js';
import { deleteDomainGeneration } from './domain-reports.service.js';

const customersPerPage = 25;

/** Reads one rebuild job. */
export async function getRebuildJob(tenantId: string, jobId: string): Promise<MetricsRebuildJobItem | undefined> {
  return (await db().entities.metricsRebuildJob.get({ tenantId, jobId }).go({ consistent: true })).data ?? undefined;
}

/**
 * Starts a rebuild of the tenant's counters with the shop's current time zone and revenue basis,
 * or returns the one already running (a rebuild is idempotent while it runs).
 */
export async function startRebuild(tenantId: string, now: Date): Promise<MetricsRebuildJobItem> {
  for (let attempt = 0; attempt < maxOptimisticAttempts; attempt += 1) {
    const state = await getMetricsState(tenantId);
    if (state.build) {
      const running = await getRebuildJob(tenantId, state.build.jobId);
      if (running) return running;
    }
    const shop = await getShop(tenantId);
    if (!shop) throw new Error(`metrics: no shop ${tenantId}`);
    const job: MetricsRebuildJobItem = {
      tenantId,
      jobId: `mrb_${randomUUID().replaceAll('-', '')}`,
      status: 'RUNNING',
      phase: 'COUNT',
      generation: state.generation + 1,
      previousGeneration: state.generation,
      timeZone: shop.timeZone,
      revenueBasis: shop.revenueBasis,
      totalCustomers: 0,
      processedCustomers: 0,
      totalOrders: 0,
      processedOrders: 0,
      version: 1,
      createdAt: now.toISOString(),
      updatedAt: now.toISOString(),
    };
    const build = {
      buildGeneration: job.generation,
      buildJobId: job.jobId,
      buildTimeZone: job.timeZone,
      buildRevenueBasis: job.revenueBasis,
    };
    const outcome = await writeTransaction(db(), (entities) => [
      entities.metricsRebuildJob.create(job).commit(),
      state.exists
        ? entities.metricsState
            .patch({ tenantId })
            .set({ ...build, stateVersion: state.stateVersion + 1 })
            .where((attr, op) => `${op.eq(attr.stateVersion, state.stateVersion)} AND ${op.notExists(attr.buildJobId)}`)
            .commit()
        : entities.metricsState
            .create({ tenantId, generation: 0, timeZone: state.timeZone, revenueBasis: state.revenueBasis, stateVersion: 1, ...build })
            .commit(),
    ]);
    if (outcome.ok) return job;
    await backoff(attempt);
  }
  throw new Error('metricsRebuild: too much contention on the metrics state');
}

/** Given a job, returns its progress in percent: counting is 0, then customers, the program sources, then the sweep. */
export function rebuildProgress(job: MetricsRebuildJobItem): number {
  if (job.status === 'SUCCEEDED') return 100;
  if (job.phase === 'COUNT') return 0;
  if (job.phase === 'CUSTOMERS') return job.totalCustomers === 0 ? 80 : (80 * Math.min(job.processedCustomers, job.totalCustomers)) / job.totalCustomers;
  if (job.phase === 'PROGRAMS') return 80 + 10 * replayProgress(job.cursor);
  if (job.phase === 'VERIFY') return 90 + (9 * activityShards.indexOf((job.cursor ?? '00').split('|')[0] ?? '00')) / activityShards.length;
  return 99;
}

type JobUpdate = Partial<Pick<MetricsRebuildJobItem, 'phase' | 'cursor' | 'status' | 'totalCustomers' | 'processedCustomers' | 'totalOrders' | 'processedOrders' | 'completedAt'>>;

// Saves a step's progress; false when another runner moved the job first (this one then stops).
async function saveJob(job: MetricsRebuildJobItem, update: JobUpdate, now: Date): Promise<MetricsRebuildJobItem | undefined> {
  const next = { ...job, ...update, version: job.version + 1, updatedAt: now.toISOString() };
  const { tenantId, jobId, createdAt: _createdAt, ...rest } = next;
  const remove = update.cursor === undefined && 'cursor' in update ? (['cursor'] as const) : [];
  const setValues = Object.fromEntries(Object.entries(rest).filter(([, value]) => value !== undefined));
  try {
    let op = db().entities.metricsRebuildJob.patch({ tenantId, jobId }).set(setValues);
    if (remove.length > 0) op = op.remove([...remove]);
    await op.where((attr, o) => o.eq(attr.version, job.version)).go();
    return update.cursor === undefined && 'cursor' in update ? (({ cursor: _c, ...withoutCursor }) => withoutCursor)(next) : next;
  } catch (error) {
    if ((error as { cause?: { name?: string } }).cause?.name === 'ConditionalCheckFailedException') return undefined;
    throw error;
  }
}

async function countOrders(tenantId: string, customerId: string): Promise<number> {
  const params = db().entities.order.query.byCustomer({ tenantId, customerId }).params() as Record<string, unknown>;
  let count = 0;
  let start: Record<string, unknown> | undefined;
  do {
    const page = await dynamo().doc.send(new QueryCommand({ ...(params as object), Select: 'COUNT', ExclusiveStartKey: start } as never));
    count += page.Count ?? 0;
    start = page.LastEvaluatedKey;
  } while (start);
  return count;
}

async function allOrdersOf(tenantId: string, customerId: string) {
  const orders = [];
  let cursor: string | null = null;
  do {
    const page = await listOrdersForCustomer({ tenantId, customerId, first: 100, cursor });
    orders.push(...page.items);
    cursor = page.hasNextPage ? (page.cursors.at(-1) ?? null) : null;
  } while (cursor);
  return orders;
}

// One step of a phase: a page of work, and the job update that records it.
async function stepOf(job: MetricsRebuildJobItem): Promise<JobUpdate> {
  const { tenantId } = job;
  switch (job.phase) {
    case 'COUNT': {
      const page = await listCustomersForShop({ tenantId, first: 100, cursor: job.cursor ?? null, filter: {} });
      let orders = 0;
      for (const customer of page.items) orders += await countOrders(tenantId, customer.customerId);
      const next = page.hasNextPage ? page.cursors.at(-1) : undefined;
      return {
        totalCustomers: job.totalCustomers + page.items.length,
        totalOrders: job.totalOrders + orders,
        ...(next ? { cursor: next } : { phase: 'CUSTOMERS', cursor: undefined }),
      };
    }
    case 'CUSTOMERS': {
      const page = await listCustomersForShop({ tenantId, first: customersPerPage, cursor: job.cursor ?? null, filter: {} });
      let orders = 0;
      for (const customer of page.items) {
        const [stored, member] = await Promise.all([allOrdersOf(tenantId, customer.customerId), getLoyaltyMember(tenantId, customer.customerId)]);
        orders += stored.length;
        await applyOrdersToCustomer(
          tenantId,
          customer.customerId,
          stored.map((order) => orderFactsOf(order as unknown as Record<string, unknown>)),
          member?.joined && member.joinedAt ? { joinedAt: member.joinedAt } : undefined,
        );
        // Also backfills the purchase read models (replenishment, bright spots); a no-op for orders already applied.
        for (const order of stored) await applyOrderToPurchases(order as unknown as Record<string, unknown>);
      }
      const next = page.hasNextPage ? page.cursors.at(-1) : undefined;
      return {
        processedCustomers: job.processedCustomers + page.items.length,
        processedOrders: job.processedOrders + orders,
        ...(next ? { cursor: next } : { phase: 'PROGRAMS', cursor: undefined }),
      };
    }
    case 'PROGRAMS': {
      const next = await replayProgramsStep(tenantId, job.generation, job.cursor);
      return next ? { cursor: next } : { phase: 'VERIFY', cursor: `${activityShards[0]}|` };
    }
    case 'VERIFY': {
      const [shard = activityShards[0] as string, cursor = ''] = (job.cursor ?? '').split('|');
      const page = await db()
        .entities.metricsActivity.query.byShard({ tenantId, shard })
        .go({ consistent: true, cursor: cursor || null, limit: 100, attributes: ['customerId', 'generation', 'pendingChunk'] });
      for (const activity of page.data) {
        if (activity.generation !== job.generation || activity.pendingChunk !== undefined) await applyOrdersToCustomer(tenantId, activity.customerId, []);
      }
      if (page.cursor) return { cursor: `${shard}|${page.cursor}` };
      const nextShard = activityShards[activityShards.indexOf(shard) + 1];
      if (nextShard) return { cursor: `${nextShard}|` };
      return { phase: 'CLEANUP', cursor: undefined };
    }
    case 'CLEANUP': {
      await deleteCounterGeneration(tenantId, job.previousGeneration);
      await deleteDomainGeneration(tenantId, job.previousGeneration, await programScopes(tenantId));
      return { phase: 'DONE', status: 'SUCCEEDED' };
    }
    default:
      return {};
  }
}

// VERIFY's last step switches the reports to the new generation, atomically with the job.
async function switchGeneration(job: MetricsRebuildJobItem, now: Date): Promise<MetricsRebuildJobItem | undefined> {
  for (let attempt = 0; attempt < maxOptimisticAttempts; attempt += 1) {
    const state = await getMetricsState(job.tenantId);
    if (state.build?.jobId !== job.jobId) return undefined;
    const outcome = await writeTransaction(db(), (entities) => [
      entities.metricsState
        .patch({ tenantId: job.tenantId })
        .set({ generation: job.generation, timeZone: job.timeZone, revenueBasis: job.revenueBasis, stateVersion: state.stateVersion + 1 })
        .remove(['buildGeneration', 'buildJobId', 'buildTimeZone', 'buildRevenueBasis'])
        .where((attr, op) => `${op.eq(attr.stateVersion, state.stateVersion)} AND ${op.eq(attr.buildJobId, job.jobId)}`)
        .commit(),
      entities.metricsRebuildJob
        .patch({ tenantId: job.tenantId, jobId: job.jobId })
        .set({ phase: 'CLEANUP', version: job.version + 1, updatedAt: now.toISOString() })
        .remove(['cursor'])
        .where((attr, op) => op.eq(attr.version, job.version))
        .commit(),
    ]);
    if (outcome.ok) return getRebuildJob(job.tenantId, job.jobId);
    if (outcome.reasons[1] === 'ConditionalCheckFailed') return undefined;
    await backoff(attempt);
  }
  return undefined;
}

/**
 * Advances a tenant's running rebuild by at least one step, until it completes or `budgetMs` has
 * passed; safe to run concurrently with itself (a step whose job save loses the version race
 * stops, and its work was idempotent). Returns the job as it stands.
 */
export async function advanceRebuild(tenantId: string, jobId: string, clock: { now(): Date }, budgetMs: number): Promise<MetricsRebuildJobItem | undefined> {
  const deadline = Date.now() + budgetMs;
  let job = await getRebuildJob(tenantId, jobId);
  let steps = 0;
  while (job && job.status === 'RUNNING' && (steps++ === 0 || Date.now() < deadline)) {
    const update = await stepOf(job);
    if (update.phase === 'CLEANUP' && job.phase === 'VERIFY') {
      job = await switchGeneration({ ...job, ...update }, clock.now());
      continue;
    }
    const saved = await saveJob(job, update.status === 'SUCCEEDED' ? { ...update, completedAt: clock.now().toISOString() } : update, clock.now());
    if (!saved) return getRebuildJob(tenantId, jobId);
    job = saved;
  }
  return job;
}

/** Advances every tenant's running rebuild (the scheduled function). */
export async function advanceAllRebuilds(tenantIds: readonly string[], clock: { now(): Date }, budgetMs: number): Promise<void> {
  const deadline = Date.now() + budgetMs;
  for (const tenantId of tenantIds) {
    if (Date.now() >= deadline) return;
    const state = await getMetricsState(tenantId).catch(() => undefined);
    if (state?.build) await advanceRebuild(tenantId, state.build.jobId, clock, deadline - Date.now());
  }
}
