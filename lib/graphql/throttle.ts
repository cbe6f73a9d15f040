import { HeaderMap, type ApolloServerPlugin } from '@apollo/server';
import { buildSchema, GraphQLError, type GraphQLSchema } from 'graphql';
import { planOf, takeFromBucket, type ThrottleDecision, type ThrottlePlan } from '../throttle/index.js';
import type { GraphQLContext } from './context.js';
import { fragmentsOf, limitViolation, measureOperation, tooComplex, type OperationMeasure } from './limits.js';

/** The `extensions.cost` of every response, as Shopify's Admin API sends it. */
export interface CostExtension {
  requestedQueryCost: number | null;
  /** Equal to the requested cost when the operation ran (no refund of unused list slots); null when it did not. */
  actualQueryCost: number | null;
  /** Null when the bucket was not consulted (a request refused before it, or throttling off). */
  throttleStatus: { maximumAvailable: number; currentlyAvailable: number; restoreRate: number } | null;
}

/** Given a principal, returns the bucket it draws from: its key's, or its storefront customer's own. */
function bucketKeyOf(ctx: GraphQLContext): string {
  const { principal } = ctx;
  if (principal.kind === 'PUBLISHABLE' && principal.customerExternalId) return `customer#${principal.keyId}#${principal.customerExternalId}`;
  return `key#${principal.keyId}`;
}

function throttled(decision: ThrottleDecision, cost: number): GraphQLError {
  const retryAfterSeconds = Math.ceil(decision.retryAfterMs / 1000);
  return new GraphQLError(`Throttled: this query costs ${cost} points and ${decision.available} are available; retry in ${retryAfterSeconds} s`, {
    extensions: { code: 'THROTTLED', retryAfterSeconds, http: { status: 429, headers: new HeaderMap([['retry-after', String(retryAfterSeconds)]]) } },
  });
}

/**
 * The cost plugin: measures each operation with the SDL's `@cost` / `@listSize` (limits.ts),
 * refuses it past a limit (QUERY_TOO_COMPLEX), then takes its cost from the caller's leaky
 * bucket (`lib/throttle`), in the manner of Shopify's, or refuses it with HTTP 429, `THROTTLED`
 * and a `retry-after`. Every response states `extensions.cost`. With `throttle: false` no bucket
 * is touched and `throttleStatus` is null (tests with a stopped clock, the bench's baseline).
 */
export function costPlugin(options: { typeDefs: string; throttle: boolean }): ApolloServerPlugin<GraphQLContext> {
  // The estimator's own copy of the schema, built by the graphql module these files import: the
  // server's may come from graphql's other build (CJS vs ESM), whose types fail graphql's checks.
  // Built at the first operation, not at import: a cold start's import stays as short as before.
  let schema: GraphQLSchema | undefined;
  return {
    async requestDidStart() {
      let measure: OperationMeasure | undefined;
      let decision: { plan: ThrottlePlan; result: ThrottleDecision } | undefined;
      let executed = false;
      return {
        async didResolveOperation({ document, operation, request, contextValue }) {
          if (!operation) return;
          schema ??= buildSchema(options.typeDefs);
          measure = measureOperation(schema, operation, fragmentsOf(document), request.variables ?? {});
          const violation = limitViolation(measure);
          if (violation) throw violation;
          if (!options.throttle) return;
          const plan = planOf(contextValue.shop.plan);
          // No wait would let it through: a limit, not a throttle.
          if (measure.cost > plan.bucketSize) throw tooComplex(`Query cost ${measure.cost} exceeds the ${plan.bucketSize} points of this shop's bucket`);
          const result = await takeFromBucket({ tenantId: contextValue.tenantId, bucketKey: bucketKeyOf(contextValue), cost: measure.cost, plan, now: contextValue.clock.now() });
          decision = { plan, result };
          if (!result.allowed) throw throttled(result, measure.cost);
        },
        async executionDidStart() {
          executed = true;
        },
        async willSendResponse({ response }) {
          if (response.body.kind !== 'single') return;
          const cost: CostExtension = {
            requestedQueryCost: measure?.cost ?? null,
            actualQueryCost: executed && measure ? measure.cost : null,
            throttleStatus: decision
              ? { maximumAvailable: decision.plan.bucketSize, currentlyAvailable: decision.result.available, restoreRate: decision.plan.restorePerSecond }
              : null,
          };
          response.body.singleResult.extensions = { ...response.body.singleResult.extensions, cost };
        },
      };
    },
  };
}
