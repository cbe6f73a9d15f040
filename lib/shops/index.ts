export { parseApiKey, tenantIdPattern, type ApiKeyKind } from './keys.js';
export { apiScopes, apiKeyCreateInput, shopCreateInput, type ApiScope } from './shops.inputs.js';
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
  touchApiKey,
  previousSecretGraceMs,
} from './shops.service.js';
export { ShopAlreadyExistsError, ApiKeyNotFoundError } from './shops.errors.js';
