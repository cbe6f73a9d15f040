export { parseApiKey, tenantIdPattern, type ApiKeyKind } from './keys.js';
export { apiScopes, apiKeyCreateInput, shopCreateInput, shopSettingsUpdateInput, type ApiScope, type ShopSettingsUpdateInput } from './shops.inputs.js';
export type { ApiKeyItem, ShopItem } from './shops.entities.js';
export {
  createApiKey,
  createShop,
  getApiKey,
  getShop,
  listShopIds,
  listApiKeysForShop,
  revokeApiKey,
  rotateStorefrontSecret,
  scopesNotHeld,
  storefrontSecretsOf,
  touchApiKey,
  updateShopSettings,
  defaultEventSettings,
  eventSettingsOf,
  type EventSettings,
  previousSecretGraceMs,
  type SettingChange,
  type ShopSetting,
} from './shops.service.js';
export { ShopAlreadyExistsError, ShopNotFoundError, ApiKeyNotFoundError, ScopesNotHeldError } from './shops.errors.js';
export { behindAfterSeconds, getSyncStatus, isBehind, recordSyncBacklog, recordSyncProgress, syncStatusOnce, type SyncStatus } from './sync.js';
