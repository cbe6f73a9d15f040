import { createHash } from 'node:crypto';

/** An event as it is stored, delivered to webhooks and served by the pull feed. */
export interface EventEnvelope<D = unknown> {
  /** `evt_` and 26 base32 characters, derived from the fact: the same fact always has the same id. */
  id: string;
  type: string;
  version: number;
  shopId: string;
  /** When the fact happened (the order's date, the segmentation's as-of, ...). */
  occurredAt: string;
  /** When the event was written; orders the pull feed. */
  recordedAt: string;
  data: D;
  /** A sample sent by `webhookTest`, not a fact of the shop. */
  test?: boolean;
}

const base32 = 'abcdefghijklmnopqrstuvwxyz234567';

/**
 * Given the shop, the type and a key naming the fact within them, returns the event's id. Derived,
 * not random, so that a redelivered stream record or a rerun job finds the event it already wrote
 * (and receivers deduplicating on `webhook-id` see one id per fact).
 */
export function eventId(shopId: string, type: string, factKey: string): string {
  const digest = createHash('sha256').update(`${shopId}\u0000${type}\u0000${factKey}`).digest();
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of digest) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5 && out.length < 26) {
      out += base32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
    if (out.length === 26) break;
  }
  return `evt_${out}`;
}
