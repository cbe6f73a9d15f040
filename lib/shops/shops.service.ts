import { randomToken } from '../common/hash.js';
import { db } from '../db/service.js';
import { isConditionFailure } from '../idempotency/index.js';
import { mintApiKey, type ApiKeyKind } from './keys.js';
import { ApiKeyNotFoundError, ShopAlreadyExistsError } from './shops.errors.js';
import { shopCreateInput, type ApiScope, type ShopCreateInput } from './shops.inputs.js';
import type { ApiKeyItem, ShopItem } from './shops.entities.js';

/** How long tokens signed with the previous storefront secret stay valid after a rotation. */
export const previousSecretGraceMs = 60 * 60 * 1000;

/** Creates a shop (tenant) with a fresh storefront signing secret; an existing id is a conflict. */
export async function createShop(input: ShopCreateInput, now: Date): Promise<ShopItem> {
  const valid = shopCreateInput.parse(input);
  try {
    const { data } = await db()
      .entities.shop.create({ ...valid, storefrontSecret: randomToken(32), createdAt: now.toISOString() })
      .go();
    return data;
  } catch (error) {
    if (isConditionFailure(error)) throw new ShopAlreadyExistsError(valid.tenantId);
    throw error;
  }
}

/** Lists every shop's id (scheduled jobs iterate tenants with it; nothing else may). */
export async function listShopIds(): Promise<string[]> {
  const { data } = await db().entities.shop.query.allShops({}).go({ pages: 'all', attributes: ['tenantId'] });
  return data.map((shop) => shop.tenantId);
}

/** Reads one shop by id. */
export async function getShop(tenantId: string): Promise<ShopItem | undefined> {
  return (await db().entities.shop.get({ tenantId }).go()).data ?? undefined;
}

/**
 * Replaces the storefront signing secret. Tokens signed with the old one stay valid for an hour,
 * so storefront sessions survive a planned rotation; returns the new secret (shown once).
 */
export async function rotateStorefrontSecret(tenantId: string, now: Date): Promise<string> {
  const shop = await getShop(tenantId);
  if (!shop) throw new Error(`No shop ${tenantId}`);
  const secret = randomToken(32);
  await db()
    .entities.shop.patch({ tenantId })
    .set({
      storefrontSecret: secret,
      previousStorefrontSecret: shop.storefrontSecret,
      previousSecretExpiresAt: new Date(now.getTime() + previousSecretGraceMs).toISOString(),
    })
    .where((attr, op) => op.eq(attr.storefrontSecret, shop.storefrontSecret))
    .go();
  return secret;
}

/** Mints and stores a key; the raw key is returned here and never again. */
export async function createApiKey(
  tenantId: string,
  args: { name: string; kind: ApiKeyKind; scopes: ApiScope[] },
  now: Date,
): Promise<{ apiKey: ApiKeyItem; secret: string }> {
  const minted = mintApiKey(tenantId, args.kind);
  const { data } = await db()
    .entities.apiKey.create({
      tenantId,
      keyId: minted.parsed.keyId,
      keyHash: minted.parsed.keyHash,
      kind: args.kind,
      name: args.name,
      prefix: minted.displayPrefix,
      scopes: args.kind === 'SECRET' ? args.scopes : [],
      createdAt: now.toISOString(),
    })
    .go();
  return { apiKey: data, secret: minted.raw };
}

/** Reads one key of a shop by its id. */
export async function getApiKey(tenantId: string, keyId: string): Promise<ApiKeyItem | undefined> {
  return (await db().entities.apiKey.get({ tenantId, keyId }).go()).data ?? undefined;
}

/** Lists every key of a shop, revoked ones included. */
export async function listApiKeysForShop(tenantId: string): Promise<ApiKeyItem[]> {
  return (await db().entities.apiKey.query.byShop({ tenantId }).go({ pages: 'all' })).data;
}

/** Revokes a key (idempotent: revoking twice keeps the first revocation time). */
export async function revokeApiKey(tenantId: string, keyId: string, now: Date): Promise<ApiKeyItem> {
  try {
    await db()
      .entities.apiKey.patch({ tenantId, keyId })
      .set({ revokedAt: now.toISOString() })
      .where((attr, op) => op.notExists(attr.revokedAt))
      .go();
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
  }
  const key = await getApiKey(tenantId, keyId);
  if (!key) throw new ApiKeyNotFoundError();
  return key;
}

/** Records that a key was used (called at most once a minute per key and container). */
export async function touchApiKey(tenantId: string, keyId: string, now: Date): Promise<void> {
  await db().entities.apiKey.patch({ tenantId, keyId }).set({ lastUsedAt: now.toISOString() }).go();
}
