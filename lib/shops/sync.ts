import { db } from '../db/service.js';
import type { ShopSyncItem } from './shops.entities.js';

/**
 * The freshness of a shop's projections (reports, loyalty balances, referrals, segments): what the
 * stream consumer last recorded. See Shop.syncStatus in schema/shop.graphql for what each number
 * means.
 */
export type SyncStatus = Pick<ShopSyncItem, 'newestRecordAt' | 'processedAt' | 'lagSeconds' | 'pendingRecords'>;

/**
 * A change older than this when applied means the consumer is behind (a bulk import, a backlog).
 * Two minutes, not less: DynamoDB Local rounds a record's creation time down to the minute (AWS
 * to the second), so a caught-up local consumer shows up to 60 s of lag.
 */
export const behindAfterSeconds = 120;

/** Reads a shop's sync status; undefined before the consumer has applied any change of the shop. */
export async function getSyncStatus(tenantId: string): Promise<SyncStatus | undefined> {
  const { data } = await db().entities.shopSync.get({ tenantId }).go();
  return data ?? undefined;
}

/**
 * Given a sync status, returns whether the projections were behind when it was recorded: records
 * received but not applied, or the last change applied more than {@link behindAfterSeconds} after
 * it was made.
 */
export function isBehind(status: SyncStatus | undefined): boolean {
  return status !== undefined && (status.pendingRecords > 0 || status.lagSeconds > behindAfterSeconds);
}

/**
 * Records the consumer's progress for a shop. Only forward: a write whose newest change is older
 * than the stored one (another container, a redelivery) changes nothing. Returns whether it wrote.
 */
export async function recordSyncProgress(tenantId: string, status: SyncStatus): Promise<boolean> {
  try {
    await db()
      .entities.shopSync.upsert({ tenantId, ...status })
      .where((attr, op) => `${op.notExists(attr.newestRecordAt)} OR ${op.lte(attr.newestRecordAt, status.newestRecordAt)}`)
      .go({ response: 'none' });
    return true;
  } catch (error) {
    if (isConditionalFailure(error)) return false;
    throw error;
  }
}

/**
 * Records that the consumer holds records of a shop it has not applied (it applied none of the
 * shop's in this batch so far). A shop with no status yet gets none: nothing was ever applied, so
 * no report has numbers to be partial about.
 */
export async function recordSyncBacklog(tenantId: string, pendingRecords: number): Promise<void> {
  try {
    await db().entities.shopSync.patch({ tenantId }).set({ pendingRecords }).go({ response: 'none' });
  } catch (error) {
    if (!isConditionalFailure(error)) throw error;
  }
}

function isConditionalFailure(error: unknown): boolean {
  for (let e: unknown = error; e; e = (e as { cause?: unknown }).cause) {
    if ((e as { name?: string }).name === 'ConditionalCheckFailedException') return true;
  }
  return false;
}

const perScope = new WeakMap<object, Promise<SyncStatus | undefined>>();

/** {@link getSyncStatus}, read once per `scope` (a GraphQL request's context): every report of a request states the same freshness. */
export function syncStatusOnce(scope: object, tenantId: string): Promise<SyncStatus | undefined> {
  let status = perScope.get(scope);
  if (!status) {
    status = getSyncStatus(tenantId);
    perScope.set(scope, status);
  }
  return status;
}
