/** Delays after attempt 1, 2, ...: about 24 hours in all (Standard Webhooks' suggestion). */
export const retryScheduleMs = [5_000, 5 * 60_000, 30 * 60_000, 2 * 3_600_000, 5 * 3_600_000, 10 * 3_600_000, 10 * 3_600_000] as const;

/** Total attempts: the first and one per retry. */
export const maxAttempts = retryScheduleMs.length + 1;

/** A 2xx within this long is a success; anything slower is a timeout. */
export const deliveryTimeoutMs = 10_000;

/** An endpoint failing continuously this long is disabled. */
export const disableAfterDays = 5;

/**
 * Given how many attempts were made and a random number in [0, 1), returns the delay before the
 * next one (±20 % jitter, so endpoints that failed together do not retry together), or null when
 * the schedule is exhausted and the delivery is FAILED.
 */
export function nextRetryDelayMs(attemptsMade: number, random: number): number | null {
  const base = retryScheduleMs[attemptsMade - 1];
  if (base === undefined) return null;
  return Math.round(base * (0.8 + 0.4 * random));
}

/** True for a response that counts as delivered. */
export function isSuccess(status: number): boolean {
  return status >= 200 && status < 300;
}
