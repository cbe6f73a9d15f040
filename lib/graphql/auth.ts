import { GraphQLError } from 'graphql';
import { errors as joseErrors, jwtVerify } from 'jose';
import type { Clock } from '../common/clock.js';
import { safeEqual } from '../common/hash.js';
import { getApiKey, getShop, parseApiKey, storefrontSecretsOf, touchApiKey, type ApiKeyItem, type ApiScope, type ShopItem } from '../shops/index.js';

/** Who is calling: a server-side key with scopes, or a storefront with an optional signed-in customer. */
export type Principal =
  | { kind: 'SECRET'; keyId: string; scopes: ReadonlySet<ApiScope> }
  | { kind: 'PUBLISHABLE'; keyId: string; customerExternalId: string | null };

export interface Authenticated {
  shop: ShopItem;
  principal: Principal;
}

/** Storefront tokens live minutes, not days: a longer `exp - iat`, or `exp - now`, is refused. */
export const maxCustomerTokenLifetimeSeconds = 24 * 60 * 60;
/** How far a token's `iat` may lie ahead of our clock (the shop's backend clock may run fast). */
export const customerTokenClockSkewSeconds = 60;

const cacheTtlMs = Number(process.env.AUTH_CACHE_TTL_MS ?? 30_000);
const keyCache = new Map<string, { key: ApiKeyItem; shop: ShopItem; fetchedAt: number }>();

/** Forgets a cached key (after revocation in this container; other containers wait out the TTL). */
export function forgetCachedKey(keyId: string): void {
  for (const [hash, entry] of keyCache) if (entry.key.keyId === keyId) keyCache.delete(hash);
}

/**
 * Forgets every cached key of a shop, so this container's next request reads the shop's current
 * settings (other containers wait out the TTL).
 */
export function forgetCachedShop(tenantId: string): void {
  for (const [hash, entry] of keyCache) if (entry.shop.tenantId === tenantId) keyCache.delete(hash);
}

export function unauthenticated(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'UNAUTHENTICATED', http: { status: 401 } } });
}

/**
 * Given the request headers, returns the shop and principal, or throws UNAUTHENTICATED (HTTP 401)
 * for a missing, malformed, unknown or revoked key and for a bad or expired customer token.
 */
export async function authenticate(headers: Record<string, string | undefined>, clock: Clock): Promise<Authenticated> {
  const header = headers.authorization ?? '';
  const raw = header.startsWith('Bearer ') ? header.slice('Bearer '.length).trim() : '';
  if (!raw) throw unauthenticated('Send an API key as "Authorization: Bearer <key>"');
  const parsed = parseApiKey(raw);
  if (!parsed) throw unauthenticated('Invalid API key');

  const now = clock.now();
  let entry = keyCache.get(parsed.keyHash);
  if (!entry || now.getTime() - entry.fetchedAt > cacheTtlMs || entry.fetchedAt > now.getTime()) {
    const [key, shop] = await Promise.all([getApiKey(parsed.tenantId, parsed.keyId), getShop(parsed.tenantId)]);
    if (!key || !shop || !safeEqual(key.keyHash, parsed.keyHash) || key.kind !== parsed.kind) throw unauthenticated('Invalid API key');
    entry = { key, shop, fetchedAt: now.getTime() };
    keyCache.set(parsed.keyHash, entry);
    if (!key.revokedAt) await touchApiKey(key.tenantId, key.keyId, now);
  }
  const { key, shop } = entry;
  if (key.revokedAt) throw unauthenticated('This API key was revoked');

  if (key.kind === 'SECRET') {
    return { shop, principal: { kind: 'SECRET', keyId: key.keyId, scopes: new Set(key.scopes as ApiScope[]) } };
  }
  const token = headers['x-customer-token'];
  const customerExternalId = token ? await verifyCustomerToken(shop, token, now) : null;
  return { shop, principal: { kind: 'PUBLISHABLE', keyId: key.keyId, customerExternalId } };
}

/**
 * Verifies a storefront customer token (HS256, signed by the shop's backend with its storefront
 * secret, or the previous secret during its grace hour) and returns its subject: the shop's id
 * of the customer.
 */
async function verifyCustomerToken(shop: ShopItem, token: string, now: Date): Promise<string> {
  const { current, previous } = await storefrontSecretsOf(shop, now);
  const secrets = previous === undefined ? [current] : [current, previous];
  let lastError: unknown;
  for (const secret of secrets) {
    try {
      const { payload } = await jwtVerify(token, new TextEncoder().encode(secret), {
        algorithms: ['HS256'],
        currentDate: now,
        clockTolerance: 5,
        requiredClaims: ['sub', 'exp', 'iat'],
      });
      const nowSeconds = Math.floor(now.getTime() / 1000);
      // A token "issued" in the future would otherwise stay valid until then plus its lifetime.
      if (payload.iat! > nowSeconds + customerTokenClockSkewSeconds) throw unauthenticated('Customer token issued in the future');
      if (payload.exp! - payload.iat! > maxCustomerTokenLifetimeSeconds || payload.exp! - nowSeconds > maxCustomerTokenLifetimeSeconds) {
        throw unauthenticated('Customer token lifetime exceeds 24 hours');
      }
      return payload.sub!;
    } catch (error) {
      if (error instanceof GraphQLError) throw error;
      if (error instanceof joseErrors.JWTExpired) throw unauthenticated('Customer token expired');
      lastError = error;
    }
  }
  void lastError;
  throw unauthenticated('Invalid customer token');
}
