import { defaultSealer, isSealed } from '../common/envelope.js';
import { randomToken } from '../common/hash.js';
import { db } from '../db/service.js';
import { isConditionFailure } from '../idempotency/index.js';
import { mintApiKey, type ApiKeyKind } from './keys.js';
import { ApiKeyNotFoundError, ShopAlreadyExistsError, ShopNotFoundError } from './shops.errors.js';
import {
  shopCreateInput,
  shopSettingsUpdateInput,
  type ApiScope,
  type ShopCreateInput,
  type ShopSettingsUpdateInput,
} from './shops.inputs.js';
import type { ApiKeyItem, ShopItem } from './shops.entities.js';

/** How long tokens signed with the previous storefront secret stay valid after a rotation. */
export const previousSecretGraceMs = 60 * 60 * 1000;

/**
 * Creates a shop (tenant) with a fresh storefront signing secret, stored sealed (read it with
 * {@link storefrontSecretsOf}); an existing id is a conflict.
 */
export async function createShop(input: ShopCreateInput, now: Date): Promise<ShopItem> {
  const valid = shopCreateInput.parse(input);
  try {
    const storefrontSecret = await defaultSealer().seal(randomToken(32), valid.tenantId);
    const { data } = await db()
      .entities.shop.create({ ...valid, storefrontSecret, createdAt: now.toISOString() })
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

/** A shop setting: the two the metrics are computed with, the storefront origins (CORS), and the event thresholds. */
export type ShopSetting = 'timeZone' | 'revenueBasis' | 'allowedOrigins' | EventSetting;

type EventSetting = 'churnRiskThreshold' | 'replenishmentLeadDays' | 'birthdayLeadDays';
const eventSettingNames: readonly EventSetting[] = ['churnRiskThreshold', 'replenishmentLeadDays', 'birthdayLeadDays'];

/** The thresholds of the events jobs find, as a shop set them or by default. */
export interface EventSettings {
  /** `customer.churn_risk_high` fires when P(alive) falls under this. */
  churnRiskThreshold: number;
  /** `replenishment.due` fires this many days before the expected next purchase. */
  replenishmentLeadDays: number;
  /** `customer.birthday_upcoming` fires this many days before the birthday. */
  birthdayLeadDays: number;
}

export const defaultEventSettings: EventSettings = { churnRiskThreshold: 0.3, replenishmentLeadDays: 7, birthdayLeadDays: 7 };

/** Given a shop, returns its event thresholds (the defaults where it set none). */
export function eventSettingsOf(shop: Pick<ShopItem, EventSetting>): EventSettings {
  return {
    churnRiskThreshold: shop.churnRiskThreshold ?? defaultEventSettings.churnRiskThreshold,
    replenishmentLeadDays: shop.replenishmentLeadDays ?? defaultEventSettings.replenishmentLeadDays,
    birthdayLeadDays: shop.birthdayLeadDays ?? defaultEventSettings.birthdayLeadDays,
  };
}

export interface SettingChange {
  setting: ShopSetting;
  from: string | string[] | number;
  to: string | string[] | number;
}

const sameValue = (a: unknown, b: unknown): boolean => JSON.stringify(a ?? []) === JSON.stringify(b ?? []);

/**
 * Given a shop and new reporting settings (omitted ones keep their value), stores them and returns
 * the shop as it is now and the settings that changed, old and new. Values the shop already has
 * write nothing, so a retry, or a concurrent request with the same values, reports no change. The
 * metrics keep their own settings until `metricsRebuild`, which reads the shop's.
 */
export async function updateShopSettings(
  tenantId: string,
  input: ShopSettingsUpdateInput,
  now: Date,
): Promise<{ shop: ShopItem; changes: SettingChange[] }> {
  const valid = shopSettingsUpdateInput.parse(input);
  const next: Partial<Pick<ShopItem, ShopSetting>> = {};
  if (valid.timeZone != null) next.timeZone = valid.timeZone;
  if (valid.revenueBasis != null) next.revenueBasis = valid.revenueBasis;
  if (valid.allowedOrigins != null) next.allowedOrigins = valid.allowedOrigins;
  for (const name of eventSettingNames) {
    const value = valid.eventSettings?.[name];
    if (value != null) next[name] = value;
  }
  const settings = Object.keys(next) as ShopSetting[];
  try {
    // The condition makes the comparison atomic: the write happens only if some value differs,
    // and the old item it returns tells which.
    const { data: before } = await db()
      .entities.shop.patch({ tenantId })
      .set({ ...next, settingsChangedAt: now.toISOString() })
      .where((attr, op) => {
        const differs: string[] = [];
        if (next.timeZone != null) differs.push(op.ne(attr.timeZone, next.timeZone));
        if (next.revenueBasis != null) differs.push(op.ne(attr.revenueBasis, next.revenueBasis));
        // Shops created before allowedOrigins existed lack the attribute, and `<>` is false
        // against a missing one.
        if (next.allowedOrigins != null) differs.push(op.notExists(attr.allowedOrigins), op.ne(attr.allowedOrigins, next.allowedOrigins));
        for (const name of eventSettingNames) {
          const value = next[name];
          if (value != null) differs.push(op.notExists(attr[name]), op.ne(attr[name], value));
        }
        return `(${differs.join(' OR ')})`;
      })
      .go({ response: 'all_old' });
    return {
      shop: { ...before, ...next, settingsChangedAt: now.toISOString() } as ShopItem,
      changes: settings
        .filter((setting) => !sameValue(before[setting], next[setting]))
        .map((setting) => ({ setting, from: before[setting] ?? [], to: next[setting]! }) as SettingChange),
    };
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
    // Either the shop does not exist (patch requires it) or it already has these values.
    const { data: shop } = await db().entities.shop.get({ tenantId }).go({ consistent: true });
    if (!shop) throw new ShopNotFoundError(tenantId);
    return { shop, changes: [] };
  }
}

/**
 * Replaces the storefront signing secret. Tokens signed with the old one stay valid for an hour,
 * so storefront sessions survive a planned rotation; returns the new secret (shown once). Both
 * are stored sealed, whatever form the old one was in.
 */
export async function rotateStorefrontSecret(tenantId: string, now: Date): Promise<string> {
  const shop = await getShop(tenantId);
  if (!shop) throw new Error(`No shop ${tenantId}`);
  const { current } = await storefrontSecretsOf(shop, now, { migrate: false });
  const secret = randomToken(32);
  const sealer = defaultSealer();
  await db()
    .entities.shop.patch({ tenantId })
    .set({
      storefrontSecret: await sealer.seal(secret, tenantId),
      previousStorefrontSecret: await sealer.seal(current, tenantId),
      previousSecretExpiresAt: new Date(now.getTime() + previousSecretGraceMs).toISOString(),
    })
    .where((attr, op) => op.eq(attr.storefrontSecret, shop.storefrontSecret))
    .go();
  return secret;
}

/**
 * Given a shop as read, returns its storefront signing secret and, during the grace hour after a
 * rotation, the previous one, in plaintext (never stored so). A shop stored before secrets were
 * sealed holds plaintext: it is still accepted, and (unless `migrate` is false) sealed in place on
 * this first read, guarded on the value read so a concurrent rotation wins.
 */
export async function storefrontSecretsOf(
  shop: ShopItem,
  now: Date,
  options: { migrate?: boolean } = {},
): Promise<{ current: string; previous?: string }> {
  const sealer = defaultSealer();
  const open = (value: string) => (isSealed(value) ? sealer.open(value, shop.tenantId) : Promise.resolve(value));
  const current = await open(shop.storefrontSecret);
  const previousLive =
    shop.previousStorefrontSecret && shop.previousSecretExpiresAt && Date.parse(shop.previousSecretExpiresAt) > now.getTime()
      ? await open(shop.previousStorefrontSecret)
      : undefined;
  const legacy = !isSealed(shop.storefrontSecret) || (shop.previousStorefrontSecret !== undefined && !isSealed(shop.previousStorefrontSecret));
  if (legacy && options.migrate !== false && !sealedThisContainer.has(shop.tenantId)) {
    await sealInPlace(shop);
    sealedThisContainer.add(shop.tenantId);
  }
  return previousLive === undefined ? { current } : { current, previous: previousLive };
}

/** Shops this container already sealed in place: its cached copy of the shop still shows plaintext. */
const sealedThisContainer = new Set<string>();

async function sealInPlace(shop: ShopItem): Promise<void> {
  const sealer = defaultSealer();
  const seal = (value: string) => (isSealed(value) ? Promise.resolve(value) : sealer.seal(value, shop.tenantId));
  const changes: Partial<Pick<ShopItem, 'storefrontSecret' | 'previousStorefrontSecret'>> = { storefrontSecret: await seal(shop.storefrontSecret) };
  if (shop.previousStorefrontSecret !== undefined) changes.previousStorefrontSecret = await seal(shop.previousStorefrontSecret);
  try {
    await db()
      .entities.shop.patch({ tenantId: shop.tenantId })
      .set(changes)
      .where((attr, op) => op.eq(attr.storefrontSecret, shop.storefrontSecret))
      .go();
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
  }
}

/** Given the scopes a caller holds and those it asks a new key to have, returns the ones it lacks. */
export function scopesNotHeld(held: ReadonlySet<ApiScope>, requested: readonly ApiScope[]): ApiScope[] {
  return [...new Set(requested)].filter((scope) => !held.has(scope));
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
