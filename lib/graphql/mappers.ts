// The stored items the resolvers receive as parents (GraphQL Code Generator maps SDL types to them).
export type { CustomerItem as CustomerModel } from '../customers/index.js';
export type { OrderItem as OrderModel } from '../orders/index.js';
export type { ApiKeyItem as ApiKeyModel, ShopItem as ShopModel } from '../shops/index.js';
