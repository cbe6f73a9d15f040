/**
 * Global ids. Every id the API hands out is base64url of `v1:<Type>:<tenantId>:<localId>`: unique
 * across shops (two shops' order `A-1` differ), opaque to clients, and versioned so the format can
 * change again. Every id the API reads goes through here: an id of another shop parses to nothing,
 * exactly like an id that does not exist, so no lookup ever leaves the caller's shop.
 *
 * Ids issued before v1 (`gid://retention/<Type>/<id>`) carry no shop; they are still read, within
 * the caller's shop, as they always were.
 */
export const nodeTypes = [
  'Customer',
  'Order',
  'ApiKey',
  'Shop',
  'Survey',
  'SurveyResponse',
  'SurveyInvitation',
  'FeedbackFollowUp',
  'PredictionJob',
  'MetricsRebuildJob',
  'LoyaltyReward',
  'LoyaltyCoupon',
  'Referral',
  'ReferralCoupon',
  'WebhookSubscription',
  'WebhookDelivery',
  'Flow',
] as const;

export type NodeType = (typeof nodeTypes)[number];

const VERSION = 'v1';
const legacyPattern = /^gid:\/\/retention\/([A-Za-z]+)\/(.+)$/;
// Tenant ids are lower-case letters, digits and dashes (shops.inputs.ts), so the first three colons
// delimit version, type and tenant; the local id (a shop's own order id, say) may hold anything.
const currentPattern = /^v1:([A-Za-z]+):([a-z0-9-]+):(.+)$/s;
const base64url = /^[A-Za-z0-9_-]+$/;

function isNodeType(type: string): type is NodeType {
  return (nodeTypes as readonly string[]).includes(type);
}

export function toGlobalId(tenantId: string, type: NodeType, localId: string): string {
  return Buffer.from(`${VERSION}:${type}:${tenantId}:${localId}`, 'utf8').toString('base64url');
}

/**
 * The type and local id of a global id read by a caller of `tenantId`, or undefined when it is not
 * one of ours or belongs to another shop.
 */
export function parseGlobalId(tenantId: string, globalId: string): { type: NodeType; id: string } | undefined {
  const legacy = legacyPattern.exec(globalId);
  if (legacy) {
    if (!isNodeType(legacy[1]!)) return undefined;
    try {
      return { type: legacy[1], id: decodeURIComponent(legacy[2]!) };
    } catch {
      return undefined;
    }
  }
  if (!base64url.test(globalId)) return undefined;
  const current = currentPattern.exec(Buffer.from(globalId, 'base64url').toString('utf8'));
  if (!current || !isNodeType(current[1]!) || current[2] !== tenantId) return undefined;
  return { type: current[1], id: current[3]! };
}

/** The local id of a global id of the expected type read by a caller of `tenantId`, or undefined. */
export function localIdOf(tenantId: string, globalId: string, type: NodeType): string | undefined {
  const parsed = parseGlobalId(tenantId, globalId);
  return parsed?.type === type ? parsed.id : undefined;
}

/**
 * Like localIdOf, for the job types whose `id` was the bare job id before v1: a string that is not
 * a global id at all is read as such a bare id (looked up within the caller's shop).
 */
export function jobIdOf(tenantId: string, globalId: string, type: 'PredictionJob' | 'MetricsRebuildJob'): string | undefined {
  const parsed = parseGlobalId(tenantId, globalId);
  if (parsed) return parsed.type === type ? parsed.id : undefined;
  return looksGlobal(globalId) ? undefined : globalId;
}

/** True for anything in a global id format, whichever shop or type it names. */
function looksGlobal(globalId: string): boolean {
  if (globalId.startsWith('gid://')) return true;
  return base64url.test(globalId) && Buffer.from(globalId, 'base64url').toString('utf8').startsWith(`${VERSION}:`);
}
