import DataLoader from 'dataloader';
import { GraphQLError } from 'graphql';
import { ZodError } from 'zod';
import { DomainError } from '../../common/errors.js';
import type { Resolvers } from '../__generated__/resolvers.js';
import { canReadCustomer, forbidden, requireScope, type GraphQLContext } from '../context.js';
import { connection, decodeCursor, pageSize } from '../cursors.js';
import { localIdOf, toGlobalId } from '../ids.js';
import type { NodeFetchers } from '../nodes.js';
import { mutation } from '../user-errors.js';
import { runIdempotent } from '../../idempotency/index.js';
import type { ApiScope } from '../../shops/index.js';
import { earnPreview } from '../../loyalty/earn.js';
import { pointsExpiringSoon } from '../../loyalty/ledger.js';
import type { LoyaltyCouponItem, LoyaltyMemberItem, LoyaltyRewardItem } from '../../loyalty/loyalty.entities.js';
import { LoyaltyCustomerNotFoundError } from '../../loyalty/loyalty.errors.js';
import {
  loyaltyActionRecordInput,
  loyaltyCartInput,
  loyaltyCouponMarkUsedInput,
  loyaltyCouponValidateInput,
  loyaltyJoinInput,
  loyaltyPointsAdjustInput,
  loyaltyProgramUpdateInput,
  loyaltyRewardArchiveInput,
  loyaltyRewardCreateInput,
  loyaltyRewardRedeemInput,
  loyaltyRewardUpdateInput,
  loyaltyTierConfigInput,
} from '../../loyalty/loyalty.inputs.js';
import {
  adjustPoints,
  applyTiers,
  archiveReward,
  couponProblem,
  createReward,
  firstLedgerPageFromMember,
  getCoupon,
  getLoyaltyConfig,
  getLoyaltyConfigForDisplay,
  getMember,
  getMembersByIds,
  getProgram,
  getReward,
  joinProgram,
  listLedgerEntriesForCustomer,
  loadStatement,
  markCouponUsed,
  memberTier,
  previewTiers,
  recordAction,
  redeemReward,
  statementBalance,
  tierValues,
  updateProgram,
  updateReward,
  type LoyaltyShop,
  type LoyaltyStatement,
} from '../../loyalty/loyalty.service.js';
import { progress, type TierChangePreview } from '../../loyalty/tiers.js';

const shopOf = (ctx: GraphQLContext): LoyaltyShop => ({ tenantId: ctx.tenantId, currencyCode: ctx.shop.currencyCode, timeZone: ctx.shop.timeZone });
const nowOf = (ctx: GraphQLContext) => ctx.clock.now().toISOString();
const money = (amount: number | undefined | null, ctx: GraphQLContext) => (amount === undefined || amount === null ? null : { amount, currencyCode: ctx.shop.currencyCode });

/**
 * Given the `customer` argument of a loyalty mutation, returns whose account it acts on: a
 * storefront acts only for its signed-in customer (another id is simply not found); a secret key
 * needs the scope and names an existing customer of the shop.
 */
async function actingCustomerId(ctx: GraphQLContext, customer: string | null | undefined, scope: ApiScope): Promise<string> {
  if (ctx.principal.kind === 'PUBLISHABLE') {
    const me = await ctx.me();
    if (!me) throw forbidden('This needs a customer token');
    if (customer && localIdOf(ctx.tenantId, customer, 'Customer') !== me.customerId) throw new LoyaltyCustomerNotFoundError();
    return me.customerId;
  }
  requireScope(ctx, scope);
  const customerId = customer ? localIdOf(ctx.tenantId, customer, 'Customer') : undefined;
  if (!customerId || !(await ctx.loaders.customer.load(customerId))) throw new LoyaltyCustomerNotFoundError();
  return customerId;
}

/** Per-request reads of statements: a list of customers costs one configuration read and one batched account read. */
const requestReads = new WeakMap<GraphQLContext, { config?: ReturnType<typeof getLoyaltyConfigForDisplay>; members: DataLoader<string, LoyaltyMemberItem | undefined> }>();

function statementReads(ctx: GraphQLContext) {
  let reads = requestReads.get(ctx);
  if (!reads) {
    reads = { members: new DataLoader((ids) => getMembersByIds(ctx.tenantId, ids), { maxBatchSize: 100 }) };
    requestReads.set(ctx, reads);
  }
  const shared = reads;
  return {
    config: () => (shared.config ??= getLoyaltyConfigForDisplay(ctx.tenantId, ctx.clock.now().getTime())),
    member: (customerId: string) => shared.members.load(customerId),
  };
}

/** Arguments of queries are not mutations: a bad one is a BAD_USER_INPUT error, not a userError. */
function badInput(error: unknown, argumentName: string): never {
  if (error instanceof ZodError) {
    const message = error.issues.map((issue) => `${[argumentName, ...issue.path.map(String)].join('.')}: ${issue.message}`).join('; ');
    throw new GraphQLError(message, { extensions: { code: 'BAD_USER_INPUT', argumentName } });
  }
  if (error instanceof DomainError) throw new GraphQLError(error.message, { extensions: { code: 'BAD_USER_INPUT', argumentName } });
  throw error;
}

function previewView(tenantId: string, preview: TierChangePreview) {
  return {
    movingUpCount: preview.movingUp.length,
    movingDownCount: preview.movingDown.length,
    unchangedCount: preview.unchanged.length,
    movingUp: preview.movingUp.map((m) => ({ customerId: toGlobalId(tenantId, 'Customer', m.memberId), from: m.from, to: m.to, effectiveAt: null })),
    movingDown: preview.movingDown.map((m) => ({ customerId: toGlobalId(tenantId, 'Customer', m.memberId), from: m.from, to: m.to, effectiveAt: m.effectiveAt })),
  };
}

function rewardEligible(statement: LoyaltyStatement, reward: LoyaltyRewardItem): boolean {
  const { program, member } = statement;
  if (reward.status !== 'ACTIVE' || (reward.stock !== undefined && reward.stock <= 0)) return false;
  if (program.enrollment !== 'AUTOMATIC' && !member?.joined) return false;
  if (reward.perCustomerLimit !== undefined && (member?.rewardRedemptions[reward.rewardId] ?? 0) >= reward.perCustomerLimit) return false;
  if (reward.tierRequired) {
    const tiers = program.tierConfig?.tiers ?? [];
    const required = tiers.findIndex((tier) => tier.id === reward.tierRequired);
    const held = tiers.findIndex((tier) => tier.id === member?.tierId);
    if (required < 0 || held < required) return false;
  }
  return true;
}

// The scopes of `loyaltyRewards` and `loyaltyCouponValidate`, which read them otherwise.
export const loyaltyNodes: NodeFetchers<'LoyaltyReward' | 'LoyaltyCoupon'> = {
  LoyaltyReward: async (ctx, rewardId) => {
    requireScope(ctx, 'LOYALTY_READ');
    return (await getReward(ctx.tenantId, rewardId)) ?? null;
  },
  LoyaltyCoupon: async (ctx, code) => {
    requireScope(ctx, 'LOYALTY_READ');
    return (await getCoupon(ctx.tenantId, code)) ?? null;
  },
};

export const loyaltyResolvers: Resolvers = {
  Query: {
    loyaltyProgram: async (_root, _args, ctx) => {
      requireScope(ctx, 'LOYALTY_READ');
      return (await getProgram(ctx.tenantId)) ?? null;
    },
    loyaltyRewards: async (_root, { includeArchived }, ctx) => {
      requireScope(ctx, 'LOYALTY_READ');
      const { rewards } = await getLoyaltyConfig(ctx.tenantId);
      return rewards.filter((reward) => includeArchived || reward.status === 'ACTIVE');
    },
    loyaltyEarnPreview: async (_root, args, ctx) => {
      let customerId: string | undefined;
      if (ctx.principal.kind === 'PUBLISHABLE') {
        customerId = (await ctx.me())?.customerId;
      } else {
        requireScope(ctx, 'LOYALTY_READ');
        customerId = args.customer ? localIdOf(ctx.tenantId, args.customer, 'Customer') : undefined;
      }
      let cart;
      try {
        cart = loyaltyCartInput.parse(args.cart);
      } catch (error) {
        badInput(error, 'cart');
      }
      const currencyCode = cart.currencyCode ?? ctx.shop.currencyCode;
      if (currencyCode !== ctx.shop.currencyCode) badInput(new ZodError([{ code: 'custom', path: ['currencyCode'], message: `the shop's currency is ${ctx.shop.currencyCode}`, input: currencyCode }]), 'cart');
      const [program, member] = await Promise.all([getProgram(ctx.tenantId), customerId ? getMember(ctx.tenantId, customerId) : undefined]);
      if (!program) return null;
      const tiersCount = program.enrollment === 'AUTOMATIC' || member?.joined;
      const tier = tiersCount ? (program.tierConfig?.tiers.find((t) => t.id === member?.tierId) ?? null) : null;
      const preview = earnPreview(
        { pointsPerUnit: program.pointsPerUnit, rounding: program.rounding, includeShipping: program.includeShipping, includeTax: program.includeTax, actions: program.actions },
        tier,
        { currencyCode, subtotal: cart.subtotal, discount: cart.discounts, shipping: cart.shipping, tax: cart.tax },
      );
      return { ...preview, eligibleAmount: { amount: preview.eligibleAmount, currencyCode } };
    },
    loyaltyTiersPreview: async (_root, { input }, ctx) => {
      requireScope(ctx, 'LOYALTY_READ');
      try {
        return previewView(ctx.tenantId, await previewTiers(shopOf(ctx), loyaltyTierConfigInput.parse(input), nowOf(ctx)));
      } catch (error) {
        return badInput(error, 'input');
      }
    },
    loyaltyCouponValidate: async (_root, { input }, ctx) => {
      requireScope(ctx, 'LOYALTY_READ');
      let valid;
      try {
        valid = loyaltyCouponValidateInput.parse(input);
      } catch (error) {
        badInput(error, 'input');
      }
      const coupon = await getCoupon(ctx.tenantId, valid.code);
      if (!coupon) return { valid: false, reason: 'unknown code', coupon: null };
      const problem = couponProblem(coupon, nowOf(ctx), valid.orderAmount);
      return { valid: problem === null, reason: problem, coupon };
    },
  },
  Mutation: {
    loyaltyProgramUpdate: async (_root, { input }, ctx) => {
      requireScope(ctx, 'LOYALTY_WRITE');
      return mutation(async () => ({ program: await updateProgram(shopOf(ctx), loyaltyProgramUpdateInput.parse(input), nowOf(ctx)) }), { program: null });
    },
    loyaltyTiersApply: async (_root, { input }, ctx) => {
      requireScope(ctx, 'LOYALTY_WRITE');
      return mutation(
        async () => {
          const { program, preview } = await applyTiers(shopOf(ctx), loyaltyTierConfigInput.parse(input), nowOf(ctx));
          return { program, preview: previewView(ctx.tenantId, preview) };
        },
        { program: null, preview: null },
      );
    },
    loyaltyJoin: async (_root, { input }, ctx) =>
      mutation(
        async () => {
          const valid = loyaltyJoinInput.parse(input);
          const customerId = await actingCustomerId(ctx, valid.customer, 'LOYALTY_WRITE');
          await joinProgram(shopOf(ctx), customerId, nowOf(ctx));
          return { account: (await loadStatement(shopOf(ctx), customerId, nowOf(ctx))) ?? null };
        },
        { account: null },
      ),
    loyaltyActionRecord: async (_root, { input }, ctx) => {
      requireScope(ctx, 'LOYALTY_WRITE');
      return mutation(
        async () => {
          const { idempotencyKey, ...request } = loyaltyActionRecordInput.parse(input);
          const customerId = await actingCustomerId(ctx, request.customer, 'LOYALTY_WRITE');
          const outcome = await runIdempotent(
            { tenantId: ctx.tenantId, operation: 'loyaltyActionRecord', idempotencyKey, request: { ...request, customerId }, now: ctx.clock.now() },
            () => recordAction(shopOf(ctx), customerId, { ...request, idempotencyKey }, nowOf(ctx)),
          );
          return { pointsEarned: outcome.first.points, replayed: outcome.replayed || outcome.first.replayed };
        },
        { pointsEarned: 0, replayed: false },
      );
    },
    loyaltyPointsAdjust: async (_root, { input }, ctx) => {
      requireScope(ctx, 'LOYALTY_WRITE');
      return mutation(
        async () => {
          const { idempotencyKey, ...request } = loyaltyPointsAdjustInput.parse(input);
          const customerId = await actingCustomerId(ctx, request.customer, 'LOYALTY_WRITE');
          const outcome = await runIdempotent(
            { tenantId: ctx.tenantId, operation: 'loyaltyPointsAdjust', idempotencyKey, request: { ...request, customerId }, now: ctx.clock.now() },
            () => adjustPoints(shopOf(ctx), customerId, { ...request, idempotencyKey }, nowOf(ctx)),
          );
          const { points } = outcome.first;
          return { points, replayed: outcome.replayed || outcome.first.replayed, account: (await loadStatement(shopOf(ctx), customerId, nowOf(ctx))) ?? null };
        },
        { points: 0, replayed: false, account: null },
      );
    },
    loyaltyRewardCreate: async (_root, { input }, ctx) => {
      requireScope(ctx, 'LOYALTY_WRITE');
      return mutation(async () => {
        const { idempotencyKey, ...request } = loyaltyRewardCreateInput.parse(input);
        const outcome = await runIdempotent(
          { tenantId: ctx.tenantId, operation: 'loyaltyRewardCreate', idempotencyKey, request, now: ctx.clock.now() },
          () => createReward(shopOf(ctx), { ...request, idempotencyKey }, nowOf(ctx)),
          (reward) => ({ rewardId: reward.rewardId }),
        );
        if (!outcome.replayed) return { reward: outcome.first };
        return { reward: (await getReward(ctx.tenantId, outcome.first.rewardId)) ?? null };
      }, { reward: null });
    },
    loyaltyRewardUpdate: async (_root, { input }, ctx) => {
      requireScope(ctx, 'LOYALTY_WRITE');
      return mutation(async () => ({ reward: await updateReward(ctx.tenantId, loyaltyRewardUpdateInput.parse(input), nowOf(ctx)) }), { reward: null });
    },
    loyaltyRewardArchive: async (_root, { input }, ctx) => {
      requireScope(ctx, 'LOYALTY_WRITE');
      return mutation(async () => ({ reward: await archiveReward(ctx.tenantId, loyaltyRewardArchiveInput.parse(input).rewardId, nowOf(ctx)) }), { reward: null });
    },
    loyaltyRewardRedeem: async (_root, { input }, ctx) =>
      mutation(
        async () => {
          const { idempotencyKey, ...request } = loyaltyRewardRedeemInput.parse(input);
          const customerId = await actingCustomerId(ctx, request.customer, 'LOYALTY_WRITE');
          const outcome = await runIdempotent(
            { tenantId: ctx.tenantId, operation: 'loyaltyRewardRedeem', idempotencyKey, request: { ...request, customerId }, now: ctx.clock.now() },
            () => redeemReward(shopOf(ctx), customerId, { ...request, idempotencyKey }, nowOf(ctx)),
          );
          return { coupon: outcome.first.coupon, replayed: outcome.replayed || outcome.first.replayed };
        },
        { coupon: null, replayed: false },
      ),
    loyaltyCouponMarkUsed: async (_root, { input }, ctx) => {
      requireScope(ctx, 'LOYALTY_WRITE');
      return mutation(async () => {
        const valid = loyaltyCouponMarkUsedInput.parse(input);
        return { coupon: await markCouponUsed(ctx.tenantId, valid.code, valid.orderId, nowOf(ctx)) };
      }, { coupon: null });
    },
  },
  Customer: {
    loyalty: async (customer, _args, ctx) => {
      if (!(await canReadCustomer(ctx, customer, 'LOYALTY_READ'))) throw forbidden('This needs a secret key with scope LOYALTY_READ');
      return (await loadStatement(shopOf(ctx), customer.customerId, nowOf(ctx), statementReads(ctx))) ?? null;
    },
  },
  LoyaltyAccount: {
    pointsName: (s) => s.program.pointsName,
    joined: (s) => s.member?.joined ?? false,
    joinedAt: (s) => s.member?.joinedAt ?? null,
    balance: (s) => statementBalance(s),
    pointsExpiringSoon: (s, { withinDays }) => {
      const days = withinDays ?? 30;
      if (!Number.isInteger(days) || days < 0 || days > 3660) {
        throw new GraphQLError('withinDays must be between 0 and 3660', { extensions: { code: 'BAD_USER_INPUT', argumentName: 'withinDays' } });
      }
      if (!s.member) return [];
      return pointsExpiringSoon(s.member.state, s.now, days, { policy: s.program.expiry, timeZone: s.timeZone });
    },
    tier: (s) => {
      const config = s.program.tierConfig;
      if (!config || config.tiers.length === 0) return null;
      const values = tierValues(config, s.member, s.now);
      return { ...progress(config, memberTier(s.member), values), progressValue: values.progressValue };
    },
    rewards: (s) => {
      const available = statementBalance(s).available;
      return s.rewards
        .filter((reward) => reward.status === 'ACTIVE')
        .sort((a, b) => a.pointsCost - b.pointsCost || (a.rewardId < b.rewardId ? -1 : 1))
        .map((reward) => ({
          reward,
          affordable: available >= reward.pointsCost,
          eligible: rewardEligible(s, reward),
          pointsMissing: Math.max(0, reward.pointsCost - available),
        }));
    },
    entries: async (s, args, ctx) => {
      const first = pageSize(args.first);
      const list = `loyaltyEntries:${s.customerId}`;
      const cursor = decodeCursor(ctx.tenantId, list, args.after);
      const page =
        (cursor === null ? firstLedgerPageFromMember(s.member, first) : undefined) ??
        (await listLedgerEntriesForCustomer({ tenantId: s.tenantId, customerId: s.customerId, first, cursor }));
      return connection(ctx.tenantId, list, page, args.after);
    },
  },
  LoyaltyLedgerEntry: {
    sourceType: (e) => e.source.type,
    sourceId: (e) => e.source.id,
    lots: (e) => e.lots,
    availableAt: (e) => e.newLot?.availableAt ?? null,
    expiresAt: (e) => e.newLot?.expiresAt ?? null,
  },
  LoyaltyProgram: {
    expiry: (p) => ({ type: p.expiry.type, days: p.expiry.type === 'NEVER' ? null : p.expiry.days }),
    actions: (p) =>
      p.actions.map((rule) => ({
        action: rule.action,
        points: rule.points,
        enabled: rule.enabled,
        limits: rule.limits.map((limit) => ({ type: limit.type, max: 'max' in limit ? limit.max : null, days: 'days' in limit ? limit.days : null })),
      })),
    tierConfig: (p) => p.tierConfig ?? null,
  },
  LoyaltyReward: {
    id: (r, _a, ctx) => toGlobalId(ctx.tenantId, 'LoyaltyReward', r.rewardId),
    value: (r) => r.value ?? null,
    productId: (r) => r.productId ?? null,
    minimumOrderAmount: (r, _a, ctx) => money(r.minimumOrderAmount, ctx),
    validityDays: (r) => r.validityDays ?? null,
    perCustomerLimit: (r) => r.perCustomerLimit ?? null,
    stock: (r) => r.stock ?? null,
    tierRequired: (r) => r.tierRequired ?? null,
  },
  LoyaltyCoupon: {
    id: (c, _a, ctx) => toGlobalId(ctx.tenantId, 'LoyaltyCoupon', c.code),
    value: (c: LoyaltyCouponItem) => c.value ?? null,
    productId: (c) => c.productId ?? null,
    minimumOrderAmount: (c, _a, ctx) => money(c.minimumOrderAmount, ctx),
    orderId: (c) => c.orderId ?? null,
    usedAt: (c) => c.usedAt ?? null,
    expiresAt: (c) => c.expiresAt ?? null,
  },
};
