import type { Resolvers } from '../__generated__/resolvers.js';
import type { GraphQLContext } from '../context.js';
import { syncStatusOnce } from '../../shops/index.js';

/** Every report's `dataFreshAsOf`: the shop's sync status, read once per request. */
async function dataFreshAsOf(_report: unknown, _args: unknown, ctx: GraphQLContext): Promise<string | null> {
  return (await syncStatusOnce(ctx, ctx.tenantId))?.newestRecordAt ?? null;
}

export const freshnessResolvers: Resolvers = {
  RetentionReport: { dataFreshAsOf },
  CohortReport: { dataFreshAsOf },
  LifetimeValueReport: { dataFreshAsOf },
  LoyaltyReport: { dataFreshAsOf },
  ReferralReport: { dataFreshAsOf },
  FeedbackReport: { dataFreshAsOf },
  LoyalCustomerProducts: { dataFreshAsOf },
};
