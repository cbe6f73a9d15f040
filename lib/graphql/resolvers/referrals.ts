import { GraphQLError } from 'graphql';
import { ZodError } from 'zod';
import type { CustomerItem } from '../../customers/index.js';
import type { Resolvers } from '../__generated__/resolvers.js';
import { canReadCustomer, forbidden, requireScope, type GraphQLContext } from '../context.js';
import { connection, decodeCursor, pageSize } from '../cursors.js';
import { localIdOf, toGlobalId } from '../ids.js';
import type { NodeFetchers } from '../nodes.js';
import { mutation } from '../user-errors.js';
import type { ApiScope } from '../../shops/index.js';
import type { ReferralItem, ReferralProgramItem } from '../../referrals/referrals.entities.js';
import { ReferralCustomerNotFoundError } from '../../referrals/referrals.errors.js';
import {
  referralCodeApplyInput,
  referralCodeRequestInput,
  referralCouponMarkUsedInput,
  referralDecisionInput,
  referralFilterInput,
  referralProgramUpdateInput,
  referralStatsInput,
  referralVisitTrackInput,
  socialShareRecordInput,
} from '../../referrals/referrals.inputs.js';
import {
  adminRejectReferral,
  applyReferralCode,
  approveReferral,
  countByStatus,
  ensureReferralMember,
  getReferral,
  getReferralCoupon,
  getReferralProgram,
  listAllReferralsOfReferrer,
  listReferrals,
  customerReferralFrom,
  getReferralMembers,
  visitsByCode,
  markReferralCouponUsed,
  recordSocialShare,
  referralStats,
  requestVanityCode,
  requireEnabledProgram,
  rewardsPaid,
  trackVisit,
  updateReferralProgram,
  urlFor,
  type CustomerReferralSummary,
} from '../../referrals/referrals.service.js';

const nowOf = (ctx: GraphQLContext) => ctx.clock.now().toISOString();
const money = (amount: number, ctx: GraphQLContext) => ({ amount, currencyCode: ctx.shop.currencyCode });

/**
 * Given the `customer` argument of a referral mutation, returns whom it acts for: a storefront
 * only for its signed-in customer; a secret key needs the scope and names an existing customer.
 */
async function actingCustomer(ctx: GraphQLContext, customer: string | null | undefined, scope: ApiScope): Promise<CustomerItem> {
  if (ctx.principal.kind === 'PUBLISHABLE') {
    const me = await ctx.me();
    if (!me) throw forbidden('This needs a customer token');
    if (customer && localIdOf(ctx.tenantId, customer, 'Customer') !== me.customerId) throw new ReferralCustomerNotFoundError();
    return me;
  }
  requireScope(ctx, scope);
  const customerId = customer ? localIdOf(ctx.tenantId, customer, 'Customer') : undefined;
  const found = customerId ? await ctx.loaders.customer.load(customerId) : undefined;
  if (!found) throw new ReferralCustomerNotFoundError();
  return found;
}

function badInput(error: unknown, argumentName: string): never {
  if (error instanceof ZodError) {
    throw new GraphQLError(error.issues.map((i) => `${[argumentName, ...i.path.map(String)].join('.')}: ${i.message}`).join('; '), {
      extensions: { code: 'BAD_USER_INPUT', argumentName },
    });
  }
  throw error;
}

/** One read of a referrer's referrals per summary object, shared by its fields. */
const referralsOfSummary = new WeakMap<CustomerReferralSummary, Promise<ReferralItem[]>>();
function referralsOf(summary: CustomerReferralSummary): Promise<ReferralItem[]> {
  let list = referralsOfSummary.get(summary);
  if (!list) {
    list = listAllReferralsOfReferrer(summary.program.tenantId, summary.member.customerId);
    referralsOfSummary.set(summary, list);
  }
  return list;
}

async function readableCustomer(ctx: GraphQLContext, customerId: string): Promise<CustomerItem | null> {
  if (customerId === 'NONE') return null;
  const customer = await ctx.loaders.customer.load(customerId);
  if (!customer || !(await canReadCustomer(ctx, customer, 'CUSTOMERS_READ'))) return null;
  return customer;
}

const offerView = (program: ReferralProgramItem, ctx: GraphQLContext) => ({
  ...program.refereeReward,
  minimumOrderAmount: money(program.refereeReward.minimumOrderAmount, ctx),
});

// The scope of `referrals` and `referralCoupon`, which read them otherwise.
export const referralNodes: NodeFetchers<'Referral' | 'ReferralCoupon'> = {
  Referral: async (ctx, orderId) => {
    requireScope(ctx, 'REFERRALS_READ');
    return (await getReferral(ctx.tenantId, orderId)) ?? null;
  },
  ReferralCoupon: async (ctx, code) => {
    requireScope(ctx, 'REFERRALS_READ');
    return (await getReferralCoupon(ctx.tenantId, code)) ?? null;
  },
};

export const referralResolvers: Resolvers = {
  Query: {
    referralProgram: async (_root, _args, ctx) => {
      requireScope(ctx, 'REFERRALS_READ');
      return (await getReferralProgram(ctx.tenantId)) ?? null;
    },
    referrals: async (_root, { filter, first, after }, ctx) => {
      requireScope(ctx, 'REFERRALS_READ');
      let valid;
      try {
        valid = referralFilterInput.parse(filter);
      } catch (error) {
        badInput(error, 'filter');
      }
      const referrerId = valid?.referrer ? (localIdOf(ctx.tenantId, valid.referrer, 'Customer') ?? '-') : undefined;
      // Keyed by the local id, so a cursor stays valid whichever id format named the referrer.
      const list = `referrals:${referrerId ?? ''}:${valid?.status ?? ''}:${valid?.reason ?? ''}`;
      const page = await listReferrals({
        tenantId: ctx.tenantId,
        referrerId,
        status: valid?.status,
        reason: valid?.reason,
        first: pageSize(first),
        cursor: decodeCursor(ctx.tenantId, list, after),
      });
      return connection(ctx.tenantId, list, page, after);
    },
    referralStats: async (_root, args, ctx) => {
      requireScope(ctx, 'REFERRALS_READ');
      let valid;
      try {
        valid = referralStatsInput.parse(args);
      } catch (error) {
        badInput(error, 'from');
      }
      const from = new Date(valid.from).toISOString();
      const to = new Date(valid.to).toISOString();
      const stats = await referralStats(ctx.tenantId, from, to);
      return {
        from,
        to,
        total: stats.total,
        byStatus: stats.byStatus,
        byRejectionReason: stats.byRejectionReason,
        topReferrers: await Promise.all(
          stats.topReferrers.map(async (r) => ({ referrer: await readableCustomer(ctx, r.referrerId), completed: r.completed, total: r.total, rewardPoints: r.rewardPoints })),
        ),
      };
    },
    referralCoupon: (_root, { code }, ctx) => referralNodes.ReferralCoupon(ctx, code),
  },
  Mutation: {
    referralProgramUpdate: async (_root, { input }, ctx) => {
      requireScope(ctx, 'REFERRALS_WRITE');
      return mutation(async () => ({ program: await updateReferralProgram(ctx.tenantId, referralProgramUpdateInput.parse(input), nowOf(ctx)) }), { program: null });
    },
    referralCodeRequest: async (_root, { input }, ctx) => {
      const valid = referralCodeRequestInput.safeParse(input);
      return mutation(
        async () => {
          // Inside the mutation, so an unknown customer is a NOT_FOUND user error, not a fault.
          const customer = await actingCustomer(ctx, valid.success ? valid.data.customer : null, 'REFERRALS_WRITE');
          const parsed = referralCodeRequestInput.parse(input);
          const program = await requireEnabledProgram(ctx.tenantId);
          const member = parsed.vanity
            ? await requestVanityCode(program, customer.customerId, parsed.vanity, nowOf(ctx))
            : await ensureReferralMember(program, customer.customerId, nowOf(ctx));
          return { referral: { program, member } };
        },
        { referral: null },
      );
    },
    referralVisitTrack: async (_root, { input }, ctx) => {
      // Any key of the shop may count a click; nothing about the code leaks either way.
      const parsed = referralVisitTrackInput.safeParse(input);
      if (!parsed.success) return { recorded: false, userErrors: [] };
      return { recorded: await trackVisit(ctx.tenantId, parsed.data.code, nowOf(ctx)), userErrors: [] };
    },
    referralCodeApply: async (_root, { input }, ctx) => {
      return mutation(
        async () => {
          const parsed = referralCodeApplyInput.parse(input);
          let customer: CustomerItem | undefined;
          if (ctx.principal.kind === 'PUBLISHABLE') customer = await ctx.me();
          else if (parsed.customer) customer = await actingCustomer(ctx, parsed.customer, 'REFERRALS_WRITE');
          else requireScope(ctx, 'REFERRALS_WRITE');
          const result = await applyReferralCode(ctx.tenantId, parsed.code, customer, nowOf(ctx));
          if (!result.valid) return { valid: false, reason: result.reason, offer: null, coupon: null };
          return { valid: true, reason: null, offer: offerView(result.program, ctx), coupon: result.coupon ?? null };
        },
        { valid: false, reason: null, offer: null, coupon: null },
      );
    },
    referralApprove: async (_root, { input }, ctx) => {
      requireScope(ctx, 'REFERRALS_WRITE');
      return mutation(async () => ({ referral: await approveReferral(ctx.tenantId, referralDecisionInput.parse(input).orderId, nowOf(ctx)) }), { referral: null });
    },
    referralReject: async (_root, { input }, ctx) => {
      requireScope(ctx, 'REFERRALS_WRITE');
      return mutation(async () => ({ referral: await adminRejectReferral(ctx.tenantId, referralDecisionInput.parse(input).orderId, nowOf(ctx)) }), { referral: null });
    },
    referralCouponMarkUsed: async (_root, { input }, ctx) => {
      requireScope(ctx, 'REFERRALS_WRITE');
      return mutation(
        async () => {
          const parsed = referralCouponMarkUsedInput.parse(input);
          return { coupon: await markReferralCouponUsed(ctx.tenantId, parsed.code, parsed.orderId, nowOf(ctx)) };
        },
        { coupon: null },
      );
    },
    socialShareRecord: async (_root, { input }, ctx) => {
      const valid = socialShareRecordInput.safeParse(input);
      return mutation(
        async () => {
          const customer = await actingCustomer(ctx, valid.success ? valid.data.customer : null, 'LOYALTY_WRITE');
          const parsed = socialShareRecordInput.parse(input);
          const shop = { tenantId: ctx.tenantId, currencyCode: ctx.shop.currencyCode, timeZone: ctx.shop.timeZone };
          const { points, replayed } = await recordSocialShare(shop, customer.customerId, parsed.channel, nowOf(ctx));
          return { pointsEarned: points, replayed };
        },
        { pointsEarned: 0, replayed: false },
      );
    },
  },
  Customer: {
    referral: async (customer, _args, ctx) => {
      if (!(await canReadCustomer(ctx, customer, 'REFERRALS_READ'))) throw forbidden('This needs a secret key with scope REFERRALS_READ');
      const program = await ctx.cache.once('referrals:program', () => getReferralProgram(ctx.tenantId));
      if (!program) return null;
      const members = ctx.cache.loader('referrals:member', (ids: readonly string[]) => getReferralMembers(ctx.tenantId, ids));
      return customerReferralFrom(program, customer.customerId, await members.load(customer.customerId), nowOf(ctx));
    },
  },
  CustomerReferral: {
    code: (s) => s.member.code,
    url: (s) => urlFor(s.program, s.member.code),
    visits: async (s, _a, ctx) => {
      const visits = ctx.cache.loader('referrals:codeVisits', (codes: readonly string[]) => visitsByCode(s.program.tenantId, codes));
      return (await Promise.all(s.member.codes.map((code) => visits.load(code)))).reduce((sum, n) => sum + n, 0);
    },
    referralsByStatus: async (s) => countByStatus(await referralsOf(s)),
    rewardsEarned: async (s) => rewardsPaid(await referralsOf(s)),
  },
  ReferralProgram: {
    referrerReward: (p) =>
      p.referrerReward.type === 'POINTS' ? { type: 'POINTS', points: p.referrerReward.points, rewardId: null } : { type: 'REWARD', points: null, rewardId: p.referrerReward.rewardId },
    refereeReward: (p, _a, ctx) => offerView(p, ctx),
    minimumOrderAmount: (p, _a, ctx) => money(p.minimumOrderAmount, ctx),
    maxPerMonth: (p) => p.maxPerMonth ?? null,
    maxPerYear: (p) => p.maxPerYear ?? null,
    codePrefix: (p) => p.codePrefix ?? null,
    codeValidityDays: (p) => p.codeValidityDays ?? null,
  },
  Referral: {
    id: (r, _a, ctx) => toGlobalId(ctx.tenantId, 'Referral', r.orderId),
    referrer: (r, _a, ctx) => readableCustomer(ctx, r.referrerId),
    referee: (r, _a, ctx) => readableCustomer(ctx, r.refereeId),
    flags: (r) => r.flags as ReferralItem['reason'][],
    signals: (r) => r.signals as never,
    orderTotal: (r, _a, ctx) => money(r.orderTotal, ctx),
    rewardPoints: (r) => r.rewardPoints ?? null,
    rewardedAt: (r) => r.rewardedAt ?? null,
    refereeCouponCode: (r) => r.refereeCouponCode ?? null,
    referrerCouponCode: (r) => r.referrerCouponCode ?? null,
  },
  ReferralCoupon: {
    id: (c, _a, ctx) => toGlobalId(ctx.tenantId, 'ReferralCoupon', c.code),
    minimumOrderAmount: (c, _a, ctx) => money(c.minimumOrderAmount, ctx),
    orderId: (c) => c.orderId ?? null,
  },
};
