import { describe, expect, it } from 'vitest';
import { maxAttempts, nextRetryDelayMs, retryScheduleMs } from '../../../lib/webhooks/retry.js';

describe('webhook retry schedule', () => {
  it.each([
    [1, 5_000],
    [2, 300_000],
    [3, 1_800_000],
    [4, 7_200_000],
    [5, 18_000_000],
    [6, 36_000_000],
    [7, 36_000_000],
  ])('waits the scheduled delay after attempt %i at the jitter midpoint', (attempts, delay) => {
    expect(nextRetryDelayMs(attempts, 0.5)).toBe(delay);
  });

  it('jitters by at most 20 % either way', () => {
    expect(nextRetryDelayMs(2, 0)).toBe(240_000);
    expect(nextRetryDelayMs(2, 0.999_999)).toBeLessThanOrEqual(360_000);
    expect(nextRetryDelayMs(2, 0.999_999)).toBeGreaterThan(359_000);
  });

  it('gives up after the last retry: eight attempts over about 27 hours', () => {
    expect(maxAttempts).toBe(8);
    expect(nextRetryDelayMs(8, 0.5)).toBeNull();
    expect(retryScheduleMs.reduce((a, b) => a + b, 0) / 3_600_000).toBeCloseTo(27.58, 1);
  });
});
