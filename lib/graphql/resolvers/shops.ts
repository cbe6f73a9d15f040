import type { Resolvers } from '../__generated__/resolvers.js';
import { forgetCachedKey, forgetCachedShop } from '../auth.js';
import { requireScope } from '../context.js';
import { localIdOf, toGlobalId } from '../ids.js';
import type { NodeFetchers } from '../nodes.js';
import { mutation } from '../user-errors.js';
import { runIdempotent } from '../../idempotency/index.js';
import { ApiKeyNotFoundError, ScopesNotHeldError } from '../../shops/shops.errors.js';
import { apiKeyCreateInput, type ApiScope } from '../../shops/shops.inputs.js';
import { createApiKey, eventSettingsOf, getApiKey, listApiKeysForShop, revokeApiKey, scopesNotHeld, updateShopSettings } from '../../shops/shops.service.js';
import { isBehind, syncStatusOnce } from '../../shops/sync.js';

export const shopNodes: NodeFetchers<'Shop' | 'ApiKey'> = {
  // A shop sees itself only: another shop's id is simply not found.
  Shop: async (ctx, tenantId) => (tenantId === ctx.tenantId ? ctx.shop : null),
  ApiKey: async (ctx, keyId) => {
    requireScope(ctx, 'KEYS_READ');
    return (await getApiKey(ctx.tenantId, keyId)) ?? null;
  },
};

export const shopResolvers: Resolvers = {
  Query: {
    shop: (_root, _args, ctx) => ctx.shop,
    apiKeys: async (_root, _args, ctx) => {
      requireScope(ctx, 'KEYS_READ');
      return listApiKeysForShop(ctx.tenantId);
    },
  },
  Mutation: {
    apiKeyCreate: async (_root, { input }, ctx) => {
      requireScope(ctx, 'KEYS_WRITE');
      return mutation(
        async () => {
          const valid = apiKeyCreateInput.parse(input);
          const { idempotencyKey, ...request } = valid;
          // requireScope above guarantees a secret key; it may hand out only what it holds.
          const held = ctx.principal.kind === 'SECRET' ? ctx.principal.scopes : new Set<ApiScope>();
          const missing = scopesNotHeld(held, (request.scopes ?? []) as ApiScope[]);
          if (missing.length > 0) throw new ScopesNotHeldError(missing);
          // The secret is never stored, not even in the idempotency record: a replay returns
          // the key it created, without the secret.
          const outcome = await runIdempotent(
            { tenantId: ctx.tenantId, operation: 'apiKeyCreate', idempotencyKey, request, now: ctx.clock.now() },
            () =>
              createApiKey(
                ctx.tenantId,
                { name: request.name, kind: request.kind, scopes: (request.scopes ?? []) as ApiScope[] },
                ctx.clock.now(),
              ),
            ({ apiKey }) => ({ keyId: apiKey.keyId }),
          );
          if (!outcome.replayed) return outcome.first;
          return { apiKey: (await getApiKey(ctx.tenantId, outcome.first.keyId)) ?? null, secret: null };
        },
        { apiKey: null, secret: null },
      );
    },
    apiKeyRevoke: async (_root, { input }, ctx) => {
      requireScope(ctx, 'KEYS_WRITE');
      return mutation(
        async () => {
          const keyId = localIdOf(ctx.tenantId, input.id, 'ApiKey');
          if (!keyId || !(await getApiKey(ctx.tenantId, keyId))) throw new ApiKeyNotFoundError();
          const apiKey = await revokeApiKey(ctx.tenantId, keyId, ctx.clock.now());
          forgetCachedKey(keyId);
          return { apiKey };
        },
        { apiKey: null },
      );
    },
    // The same scopes as metricsRebuild: a change here is only half done until the rebuild runs.
    shopSettingsUpdate: async (_root, { input }, ctx) => {
      requireScope(ctx, 'METRICS_READ');
      requireScope(ctx, 'ORDERS_WRITE');
      return mutation(
        async () => {
          const { shop, changes } = await updateShopSettings(ctx.tenantId, input, ctx.clock.now());
          if (changes.length > 0) forgetCachedShop(ctx.tenantId);
          return { shop, metricsRebuildNeeded: changes.some((change) => change.setting === 'timeZone' || change.setting === 'revenueBasis') };
        },
        { shop: null, metricsRebuildNeeded: false },
      );
    },
  },
  Shop: {
    syncStatus: async (shop, _args, ctx) => {
      const status = await syncStatusOnce(ctx, shop.tenantId);
      return {
        streamLagSeconds: status?.lagSeconds ?? null,
        pendingRecords: status?.pendingRecords ?? 0,
        lastProcessedAt: status?.processedAt ?? null,
        dataFreshAsOf: status?.newestRecordAt ?? null,
        caughtUp: !isBehind(status),
      };
    },
    id: (shop) => toGlobalId(shop.tenantId, 'Shop', shop.tenantId),
    currencyCode: (shop) => shop.currencyCode,
    allowedOrigins: (shop) => shop.allowedOrigins ?? [],
    eventSettings: (shop) => eventSettingsOf(shop),
  },
  ApiKey: {
    id: (key) => toGlobalId(key.tenantId, 'ApiKey', key.keyId),
    kind: (key) => key.kind,
    scopes: (key) => key.scopes as ApiScope[],
    lastUsedAt: (key) => key.lastUsedAt ?? null,
    revokedAt: (key) => key.revokedAt ?? null,
  },
};
