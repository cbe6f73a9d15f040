import { z } from 'zod';

/**
 * Bounds every caller's input shares, declared once: what a string may hold, how long an id or
 * key may be, and which dates are plausible. The GraphQL boundary (lib/graphql/input-guard.ts)
 * and the domains' zod inputs both use them.
 */

/** Longest id or key a caller may send (DynamoDB refuses key attributes over 2,048 bytes). */
export const maxIdLength = 256;

/** True unless `value` holds a lone surrogate (ill-formed UTF-16, which no UTF-8 store can hold). */
export function isWellFormedText(value: string): boolean {
  // With the u flag a surrogate pair is one code point, so \p{Cs} matches only a lone half.
  return !loneSurrogate.test(value);
}
const loneSurrogate = /\p{Cs}/u;

export const wellFormedMessage = 'must be well-formed Unicode text (it holds a lone surrogate)';

/** A trimmed, non-empty, well-formed string of at most `max` characters. */
export function text(max: number) {
  return z.string().trim().min(1).max(max).refine(isWellFormedText, wellFormedMessage);
}

/** An id or key given by a caller: non-empty, well-formed, at most {@link maxIdLength} characters. */
export const idInput = z.string().min(1).max(maxIdLength).refine(isWellFormedText, wellFormedMessage);

/**
 * Dates a caller may send. Imported history goes back decades, but nothing a shop records happened
 * before 1990; a date more than a day ahead of now is a mistake (clocks and time zones disagree by
 * less), and years past 9999 break date arithmetic downstream.
 */
export const inputDateWindow = {
  earliest: new Date(Date.UTC(1990, 0, 1)),
  /** A fixed outer bound for checks that have no clock (the zod schemas). */
  latest: new Date(Date.UTC(2100, 0, 1)),
  maxAheadMs: 24 * 60 * 60 * 1000,
} as const;

/** An ISO-8601 date-time with offset, within the fixed outer window (the clock-relative bound is the service's). */
export const inputDateTime = z.iso
  .datetime({ offset: true })
  .refine((value) => {
    const at = Date.parse(value);
    return at >= inputDateWindow.earliest.getTime() && at < inputDateWindow.latest.getTime();
  }, `must lie between ${inputDateWindow.earliest.toISOString().slice(0, 10)} and ${inputDateWindow.latest.toISOString().slice(0, 10)}`);

/** Given a date and the clock's now, returns why it is outside the window, or undefined. */
export function dateOutsideWindow(at: Date, now: Date): string | undefined {
  if (Number.isNaN(at.getTime())) return 'is not a date';
  if (at < inputDateWindow.earliest) return `must not be before ${inputDateWindow.earliest.toISOString().slice(0, 10)}`;
  if (at.getTime() > now.getTime() + inputDateWindow.maxAheadMs) return 'must not be more than a day ahead of now';
  return undefined;
}
