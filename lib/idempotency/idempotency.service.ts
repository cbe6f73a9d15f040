import { ConflictError, IdempotencyInProgressError } from '../common/errors.js';
import { canonicalJson, sha256Hex } from '../common/hash.js';
import { db } from '../db/service.js';

const retentionSeconds = 24 * 60 * 60;
/** An IN_PROGRESS record older than this belongs to a request that died: it may be taken over. */
const staleAfterMs = 60_000;
/** How long a call waits for a concurrent call with the same key and payload to finish. */
const maxWaitMs = 5_000;
const waitSteps = 12;

export interface IdempotentCall {
  tenantId: string;
  /** The mutation's name: the same key may be used for different operations. */
  operation: string;
  idempotencyKey: string | null | undefined;
  /** The request as validated; its hash tells a true retry from a reused key. */
  request: unknown;
  now: Date;
}

/**
 * Given a mutation call with an optional idempotency key, runs `effect` at most once per key
 * within 24 hours and returns its (JSON-serialisable) result; a retry returns the first result.
 * `remember` picks what is kept for retries (a secret shown once is not kept).
 * A key reused with a different request is a ConflictError (this is the one rule for every
 * mutation with an idempotencyKey: same key + same payload = replay, another payload = CONFLICT);
 * a call racing a twin still in progress waits up to 5 s for its result. When `effect` fails,
 * nothing is kept, so the caller may retry.
 */
export async function runIdempotent<T, S = T>(
  call: IdempotentCall,
  effect: () => Promise<T>,
  remember: (result: T) => S = (result) => result as unknown as S,
): Promise<{ first: T; replayed: false } | { first: S; replayed: true }> {
  if (!call.idempotencyKey) return { first: await effect(), replayed: false };
  const key = { tenantId: call.tenantId, operation: call.operation, idempotencyKey: call.idempotencyKey };
  const requestHash = sha256Hex(canonicalJson(call.request));
  const nowSeconds = Math.floor(call.now.getTime() / 1000);

  let waitedMs = 0;
  for (let attempt = 0; attempt < 3 + waitSteps; attempt++) {
    try {
      await db()
        .entities.idempotency.create({
          ...key,
          requestHash,
          status: 'IN_PROGRESS',
          createdAt: call.now.toISOString(),
          ttl: nowSeconds + retentionSeconds,
        })
        .go();
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      const existing = (await db().entities.idempotency.get(key).go({ consistent: true })).data;
      if (!existing) continue;
      const expired = existing.ttl <= nowSeconds;
      const stale = existing.status === 'IN_PROGRESS' && call.now.getTime() - Date.parse(existing.createdAt) > staleAfterMs;
      if (expired || stale) {
        await db()
          .entities.idempotency.delete(key)
          .where((attr, op) => op.eq(attr.createdAt, existing.createdAt))
          .go()
          .catch((e: unknown) => {
            if (!isConditionFailure(e)) throw e;
          });
        continue;
      }
      if (existing.requestHash !== requestHash) {
        throw new ConflictError('This idempotency key was used for a different request', ['idempotencyKey']);
      }
      if (existing.status === 'IN_PROGRESS') {
        // A concurrent twin is running: wait a little for its result rather than fail a retry
        // that merely arrived early.
        if (waitedMs >= maxWaitMs) {
          throw new IdempotencyInProgressError('A request with this idempotency key is still in progress; retry shortly', ['idempotencyKey']);
        }
        const pause = Math.min(50 * 2 ** Math.min(attempt, 4), maxWaitMs - waitedMs);
        await new Promise((resolve) => setTimeout(resolve, pause));
        waitedMs += pause;
        continue;
      }
      return { first: existing.response as S, replayed: true };
    }

    try {
      const result = await effect();
      await db().entities.idempotency.patch(key).set({ status: 'COMPLETED', response: remember(result) }).go();
      return { first: result, replayed: false };
    } catch (error) {
      await db().entities.idempotency.delete(key).go();
      throw error;
    }
  }
  throw new IdempotencyInProgressError('Could not claim the idempotency key; retry shortly', ['idempotencyKey']);
}

/** True for DynamoDB's (or ElectroDB's wrapping of) a failed condition expression. */
export function isConditionFailure(error: unknown): boolean {
  const e = error as { name?: string; cause?: { name?: string }; message?: string };
  return (
    e?.name === 'ConditionalCheckFailedException' ||
    e?.cause?.name === 'ConditionalCheckFailedException' ||
    (typeof e?.message === 'string' && e.message.includes('The conditional request failed'))
  );
}
