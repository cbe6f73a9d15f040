import DataLoader from 'dataloader';
import { GraphQLError } from 'graphql';
import type { Clock } from '../common/clock.js';
import { findCustomerByExternalId, getCustomersByIds, type CustomerItem } from '../customers/index.js';
import type { ApiScope, ShopItem } from '../shops/index.js';
import type { Principal } from './auth.js';
import { RequestCache } from './request-cache.js';

export interface GraphQLContext {
  tenantId: string;
  shop: ShopItem;
  principal: Principal;
  clock: Clock;
  loaders: {
    customer: DataLoader<string, CustomerItem | undefined>;
  };
  /** Shop-wide items read once and per-customer items batched, for this request only. */
  cache: RequestCache;
  /** The signed-in storefront customer, resolved once per request. */
  me(): Promise<CustomerItem | undefined>;
}

/** Builds the per-request context: loaders are per request so nothing leaks between callers. */
export function buildContext(shop: ShopItem, principal: Principal, clock: Clock): GraphQLContext {
  const tenantId = shop.tenantId;
  let me: Promise<CustomerItem | undefined> | undefined;
  return {
    tenantId,
    shop,
    principal,
    clock,
    loaders: {
      customer: new DataLoader((ids) => getCustomersByIds(tenantId, ids), { maxBatchSize: 100 }),
    },
    cache: new RequestCache(),
    me() {
      if (principal.kind !== 'PUBLISHABLE' || !principal.customerExternalId) return Promise.resolve(undefined);
      me ??= findCustomerByExternalId(tenantId, principal.customerExternalId);
      return me;
    },
  };
}

export function forbidden(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'FORBIDDEN' } });
}

/** Throws FORBIDDEN unless the caller holds a secret key with this scope. */
export function requireScope(ctx: GraphQLContext, scope: ApiScope): void {
  if (ctx.principal.kind !== 'SECRET') throw forbidden(`This needs a secret key with scope ${scope}`);
  if (!ctx.principal.scopes.has(scope)) throw forbidden(`This key lacks the scope ${scope}`);
}

/** True when the caller may read this customer: a key with the scope, or the customer themself. */
export async function canReadCustomer(ctx: GraphQLContext, customer: CustomerItem, scope: ApiScope): Promise<boolean> {
  if (ctx.principal.kind === 'SECRET') return ctx.principal.scopes.has(scope);
  const me = await ctx.me();
  return me?.customerId === customer.customerId;
}
