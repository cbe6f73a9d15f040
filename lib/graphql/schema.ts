import { customerResolvers } from '../customers/customers.resolvers.js';
import { loyaltyResolvers } from '../loyalty/loyalty.resolvers.js';
import { metricsResolvers } from '../metrics/metrics.resolvers.js';
import { metricsSegmentResolvers } from '../metrics/metrics.segments.resolvers.js';
import { domainReportResolvers } from '../metrics/domain-reports.resolvers.js';
import { freshnessResolvers } from '../metrics/freshness.resolvers.js';
import { orderResolvers } from '../orders/orders.resolvers.js';
import { predictionResolvers } from '../predictions/predictions.resolvers.js';
import { referralResolvers } from '../referrals/referrals.resolvers.js';
import { surveyResolvers } from '../surveys/surveys.resolvers.js';
import { shopResolvers } from '../shops/shops.resolvers.js';
import { getApiKey } from '../shops/index.js';
import { getOrder } from '../orders/index.js';
import type { Resolvers } from './__generated__/resolvers.js';
import { typeDefs } from './__generated__/typedefs.js';
import { requireScope } from './context.js';
import { parseGlobalId } from './ids.js';
import { DateTime, JSONScalar, MinorUnits, SafeInt } from './scalars.js';

export { typeDefs };

const nodeResolvers: Resolvers = {
  DateTime,
  JSON: JSONScalar,
  MinorUnits,
  SafeInt,
  Query: {
    node: async (_root, { id }, ctx) => {
      const parsed = parseGlobalId(id);
      if (!parsed) return null;
      switch (parsed.type) {
        case 'Customer':
          requireScope(ctx, 'CUSTOMERS_READ');
          return (await ctx.loaders.customer.load(parsed.id)) ?? null;
        case 'Order':
          requireScope(ctx, 'ORDERS_READ');
          return (await getOrder(ctx.tenantId, parsed.id)) ?? null;
        case 'ApiKey':
          requireScope(ctx, 'KEYS_READ');
          return (await getApiKey(ctx.tenantId, parsed.id)) ?? null;
        case 'Shop':
          return parsed.id === ctx.tenantId ? ctx.shop : null;
        default:
          return null;
      }
    },
  },
  Node: {
    // Stored items carry no type name; each type has an attribute no other has.
    __resolveType: (node) => {
      if ('keyHash' in node) return 'ApiKey';
      if ('payloadHash' in node) return 'Order';
      if ('storefrontSecret' in node) return 'Shop';
      return 'Customer';
    },
  },
};

/** Every domain's resolvers, merged type by type. */
export const resolvers: Resolvers = mergeResolvers([nodeResolvers, shopResolvers, customerResolvers, orderResolvers, metricsResolvers, metricsSegmentResolvers, domainReportResolvers, surveyResolvers, loyaltyResolvers, predictionResolvers, referralResolvers, freshnessResolvers]);

function mergeResolvers(parts: Resolvers[]): Resolvers {
  const merged: Record<string, unknown> = {};
  for (const part of parts) {
    for (const [type, fields] of Object.entries(part)) {
      const existing = merged[type];
      // Scalars appear in one part only, so only plain field maps are ever spread together.
      merged[type] = existing ? { ...(existing as object), ...(fields as object) } : fields;
    }
  }
  return merged as Resolvers;
}
