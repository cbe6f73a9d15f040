import { customerNodes, customerResolvers } from './resolvers/customers.js';
import { loyaltyNodes, loyaltyResolvers } from './resolvers/loyalty.js';
import { metricsNodes, metricsResolvers } from './resolvers/metrics.js';
import { metricsSegmentResolvers } from './resolvers/metrics-segments.js';
import { domainReportResolvers } from './resolvers/metrics-domain-reports.js';
import { freshnessResolvers } from './resolvers/metrics-freshness.js';
import { orderNodes, orderResolvers } from './resolvers/orders.js';
import { predictionNodes, predictionResolvers } from './resolvers/predictions.js';
import { referralNodes, referralResolvers } from './resolvers/referrals.js';
import { surveyNodes, surveyResolvers } from './resolvers/surveys.js';
import { shopNodes, shopResolvers } from './resolvers/shops.js';
import { flowNodes, flowResolvers } from './resolvers/flows.js';
import { webhookNodes, webhookResolvers } from './resolvers/webhooks.js';
import type { Resolvers } from './__generated__/resolvers.js';
import { typeDefs } from './__generated__/typedefs.js';
import { parseGlobalId, type NodeType } from './ids.js';
import { asNode, nodeTypeOf, type NodeFetchers } from './nodes.js';
import { DateTime, JSONScalar, MinorUnits, SafeInt } from './scalars.js';

export { typeDefs };

/** How `node(id)` reads each Node type: the domain's own read, with its scope checks. */
export const nodeFetchers: NodeFetchers<NodeType> = {
  ...customerNodes,
  ...orderNodes,
  ...shopNodes,
  ...surveyNodes,
  ...predictionNodes,
  ...metricsNodes,
  ...loyaltyNodes,
  ...referralNodes,
  ...webhookNodes,
  ...flowNodes,
};

const nodeResolvers: Resolvers = {
  DateTime,
  JSON: JSONScalar,
  MinorUnits,
  SafeInt,
  Query: {
    node: async (_root, { id }, ctx) => {
      const parsed = parseGlobalId(ctx.tenantId, id);
      if (!parsed) return null;
      const found = await (nodeFetchers[parsed.type] as NodeFetchers<NodeType>[NodeType])(ctx, parsed.id);
      return found ? asNode(parsed.type, found) : null;
    },
  },
  Node: {
    // The type comes from the id that fetched the object (see nodes.ts), never from its attributes.
    __resolveType: (node) => nodeTypeOf(node) ?? null,
  },
};

/** Every domain's resolvers, merged type by type. */
export const resolvers: Resolvers = mergeResolvers([nodeResolvers, shopResolvers, customerResolvers, orderResolvers, metricsResolvers, metricsSegmentResolvers, domainReportResolvers, surveyResolvers, loyaltyResolvers, predictionResolvers, referralResolvers, freshnessResolvers, flowResolvers, webhookResolvers]);

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
