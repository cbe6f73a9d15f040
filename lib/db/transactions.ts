import type { Db } from './service.js';

type WriteFn = Parameters<Db['transaction']['write']>[0];

/** The entities as a transaction's builder sees them (their operations gain `.commit()`). */
export type TxEntities = Parameters<WriteFn>[0];
/** One item of a write transaction, whichever entity it touches. */
export type TxItem = ReturnType<WriteFn>[number];

export type TransactionOutcome = { ok: true } | { ok: false; reasons: string[] };

/**
 * Runs one DynamoDB transaction and returns whether it landed; when it was cancelled, the reason
 * code of each item in order ('None', 'ConditionalCheckFailed', 'TransactionConflict', ...), so
 * the caller can tell "already done" from "lost a race, retry".
 */
export async function writeTransaction(db: Db, build: WriteFn): Promise<TransactionOutcome> {
  const result = await db.transaction.write(build).go();
  if (!result.canceled) return { ok: true };
  return { ok: false, reasons: (result.data as Array<{ code: string }>).map((item) => item.code) };
}

/** Small jittered pause between optimistic-concurrency retries. */
export function backoff(attempt: number): Promise<void> {
  const ms = Math.min(200, 5 * 2 ** attempt) * (0.5 + Math.random());
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export const maxOptimisticAttempts = 12;
