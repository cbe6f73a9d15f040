import { randomToken, sha256Hex } from '../common/hash.js';

/**
 * API key format: `<sk|pk>_<tenantId>_<secret>`. The tenant id in the key lets authentication go
 * straight to the shop's partition (every key carries the tenant); the secret has 192 bits of
 * entropy, so a fast hash (SHA-256) is the right way to store it, unlike a password.
 */
export type ApiKeyKind = 'SECRET' | 'PUBLISHABLE';

const prefixOf: Record<ApiKeyKind, string> = { SECRET: 'sk', PUBLISHABLE: 'pk' };
const keyPattern = /^(sk|pk)_([a-z0-9][a-z0-9-]{1,38}[a-z0-9])_([A-Za-z0-9_-]{32})$/;

export const tenantIdPattern = /^[a-z0-9][a-z0-9-]{1,38}[a-z0-9]$/;

export interface ParsedApiKey {
  kind: ApiKeyKind;
  tenantId: string;
  keyId: string;
  keyHash: string;
}

/** Given a raw key as a caller sent it, returns its parts, or undefined if it is malformed. */
export function parseApiKey(raw: string): ParsedApiKey | undefined {
  const match = keyPattern.exec(raw);
  if (!match) return undefined;
  const keyHash = sha256Hex(raw);
  return {
    kind: match[1] === 'sk' ? 'SECRET' : 'PUBLISHABLE',
    tenantId: match[2]!,
    keyHash,
    keyId: keyIdOf(keyHash),
  };
}

/** The public id of a key: the first 24 hex digits of its hash (its storage key too). */
export function keyIdOf(keyHash: string): string {
  return keyHash.slice(0, 24);
}

/** Mints a new key for a shop: the raw key (shown once) and what may be stored. */
export function mintApiKey(tenantId: string, kind: ApiKeyKind): { raw: string; parsed: ParsedApiKey; displayPrefix: string } {
  const raw = `${prefixOf[kind]}_${tenantId}_${randomToken(24)}`;
  const parsed = parseApiKey(raw);
  if (!parsed) throw new Error('minted key does not parse');
  return { raw, parsed, displayPrefix: `${raw.slice(0, prefixOf[kind].length + tenantId.length + 6)}…` };
}
