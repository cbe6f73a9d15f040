import { createHmac } from 'node:crypto';

/** Holdout share bounds: a flow holds back between none and half of its eligible customers. */
export const holdoutShareBounds = { min: 0, max: 0.5, default: 0.1 } as const;

export type FlowGroup = 'TREATMENT' | 'HOLDOUT';

/**
 * Given the flow's secret salt, the flow and the customer, returns the customer's group. The HMAC
 * makes the draw deterministic (a rerun or a redelivery lands in the same group) yet unguessable
 * to anyone without the salt (a partner cannot steer customers into treatment). The first 52 bits
 * of the digest, as a fraction of 2^52, are uniform on [0, 1).
 */
export function assignGroup(salt: string, flowId: string, customerId: string, holdoutShare: number): FlowGroup {
  const digest = createHmac('sha256', salt).update(`${flowId}\u0000${customerId}`).digest();
  const draw = (digest.readUIntBE(0, 6) * 16 + (digest[6]! >>> 4)) / 2 ** 52;
  return draw < holdoutShare ? 'HOLDOUT' : 'TREATMENT';
}
