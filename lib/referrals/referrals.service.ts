import { getCustomer, type CustomerItem } from '../customers/index.js';
import { pageFromKeyedItems, type Page } from '../db/pagination.js';
import { db } from '../db/service.js';
import { backoff, writeTransaction, type TxItem } from '../db/transactions.js';
import { completedEventItem, startedEventItems } from './referral-events.js';
import { isConditionFailure } from '../idempotency/index.js';
import { creditReferralPoints, grantReferralReward, recordSocialShareAction } from '../loyalty/index.js';
import { getOrder, listOrdersForCustomer, type OrderItem } from '../orders/index.js';
import { getShop } from '../shops/index.js';
import { generateCode, normalizeCode, referralUrl, vanityProblem } from './codes.js';
import { decideReferral, limitPeriods, orderNoLongerStands, type KnownRisk, type ReferralDecision } from './fraud.js';
import type {
  ReferralCodeItem,
  ReferralCouponItem,
  ReferralItem,
  ReferralMemberItem,
  ReferralProgramItem,
  ReferralReason,
  ReferralRefereeItem,
  ReferralStatus,
} from './referrals.entities.js';
import {
  ReferralCodeInvalidError,
  ReferralCodeTakenError,
  ReferralContentionError,
  ReferralCouponInvalidError,
  ReferralNotFoundError,
  ReferralNotReviewableError,
  ReferralProgramDisabledError,
  ReferralProgramNotFoundError,
  ReferralProgramVersionConflictError,
} from './referrals.errors.js';
import type { ReferralProgramUpdateInput } from './referrals.inputs.js';
import { errorFields, logger } from '../common/logger.js';

const DAY_MS = 86_400_000;
const maxAttempts = 12;
/** Clicks counted per code per minute; more are dropped quietly. */
export const visitsPerCodePerMinute = Number(process.env.REFERRAL_VISITS_PER_MINUTE ?? 30);

const addMs = (at: string, ms: number) => new Date(Date.parse(at) + ms).toISOString();

// ---------------------------------------------------------------------------------------------
// Program

const defaultProgram = {
  enabled: true,
  referrerReward: { type: 'POINTS' as const, points: 500 },
  refereeReward: { kind: 'FIXED_AMOUNT' as const, value: 1000, minimumOrderAmount: 0, validityDays: 30 },
  minimumOrderAmount: 0,
  holdDays: 30,
  codeLength: 8,
  urlTemplate: 'https://shop.example/r/{code}',
  velocityMax: 5,
  velocityWindowHours: 24,
};

/** Reads the shop's referral program. */
export async function getReferralProgram(tenantId: string): Promise<ReferralProgramItem | undefined> {
  return ((await db().entities.referralProgram.get({ tenantId }).go({ consistent: true })).data ?? undefined) as ReferralProgramItem | undefined;
}

/** Creates or changes the shop's program; with `expectedVersion`, only over that version. */
export async function updateReferralProgram(tenantId: string, input: ReferralProgramUpdateInput, now: string): Promise<ReferralProgramItem> {
  const current = await getReferralProgram(tenantId);
  const version = current?.version ?? 0;
  if (input.expectedVersion != null && input.expectedVersion !== version) throw new ReferralProgramVersionConflictError(input.expectedVersion, version);
  const base: ReferralProgramItem = current ?? { ...defaultProgram, tenantId, version: 0, updatedAt: now };
  const next: ReferralProgramItem = {
    ...base,
    enabled: input.enabled ?? base.enabled,
    referrerReward: input.referrerReward ?? base.referrerReward,
    refereeReward: input.refereeReward ?? base.refereeReward,
    minimumOrderAmount: input.minimumOrderAmount ?? base.minimumOrderAmount,
    holdDays: input.holdDays ?? base.holdDays,
    codeLength: input.codeLength ?? base.codeLength,
    urlTemplate: input.urlTemplate ?? base.urlTemplate,
    velocityMax: input.velocityMax ?? base.velocityMax,
    velocityWindowHours: input.velocityWindowHours ?? base.velocityWindowHours,
    version: version + 1,
    updatedAt: now,
  };
  const optional = { maxPerMonth: input.maxPerMonth, maxPerYear: input.maxPerYear, codeValidityDays: input.codeValidityDays, codePrefix: input.codePrefix ? normalizeCode(input.codePrefix) : input.codePrefix };
  for (const [key, value] of Object.entries(optional)) {
    if (value !== undefined && value !== null && value !== '') (next as Record<string, unknown>)[key] = value;
  }
  const outcome = await writeTransaction(db(), (entities) => [
    current
      ? entities.referralProgram
          .put(next as never)
          .where((attr, op) => op.eq(attr.version, current.version))
          .commit()
      : entities.referralProgram.create(next as never).commit(),
  ]);
  if (!outcome.ok) throw new ReferralProgramVersionConflictError(version, (await getReferralProgram(tenantId))?.version ?? 0);
  return next;
}

async function requireEnabledProgram(tenantId: string): Promise<ReferralProgramItem> {
  const program = await getReferralProgram(tenantId);
  if (!program) throw new ReferralProgramNotFoundError();
  if (!program.enabled) throw new ReferralProgramDisabledError();
  return program;
}

// ---------------------------------------------------------------------------------------------
// Codes

/** Reads the claim of one normalised code. */
export async function getCode(tenantId: string, code: string): Promise<ReferralCodeItem | undefined> {
  if (!code) return undefined;
  return (await db().entities.referralCode.get({ tenantId, code }).go({ consistent: true })).data ?? undefined;
}

/** Reads a customer's referral membership. */
export async function getReferralMember(tenantId: string, customerId: string): Promise<ReferralMemberItem | undefined> {
  return (await db().entities.referralMember.get({ tenantId, customerId }).go({ consistent: true })).data ?? undefined;
}

/**
 * Returns the customer's referral membership, creating it with a fresh random code on first call
 * (and drawing a new code once the current one has expired). The code claim and the membership
 * are written in one transaction, each conditionally (claim: absent; membership: absent, or at
 * the version read): concurrent first calls agree on one code, and no two customers ever get the
 * same code.
 */
export async function ensureReferralMember(program: ReferralProgramItem, customerId: string, now: string): Promise<ReferralMemberItem> {
  const { tenantId } = program;
  for (let attempt = 0; attempt < maxAttempts; attempt++) {
    const existing = await getReferralMember(tenantId, customerId);
    if (existing && (!existing.codeExpiresAt || existing.codeExpiresAt > now)) return existing;
    const code = generateCode(program.codeLength, program.codePrefix ?? '');
    const expiresAt = program.codeValidityDays ? addMs(now, program.codeValidityDays * DAY_MS) : undefined;
    const member: ReferralMemberItem = {
      tenantId,
      customerId,
      code,
      codes: [...(existing?.codes ?? []), code],
      ...(expiresAt ? { codeExpiresAt: expiresAt } : {}),
      version: (existing?.version ?? 0) + 1,
      createdAt: existing?.createdAt ?? now,
    };
    const outcome = await writeTransaction(db(), (entities) => [
      entities.referralCode.create({ tenantId, code, customerId, vanity: false, visits: 0, ...(expiresAt ? { expiresAt } : {}), createdAt: now }).commit(),
      existing
        ? (expiresAt
            ? entities.referralMember.patch({ tenantId, customerId }).set({ code, codes: member.codes, codeExpiresAt: expiresAt, version: member.version })
            : entities.referralMember.patch({ tenantId, customerId }).set({ code, codes: member.codes, version: member.version }).remove(['codeExpiresAt'])
          )
            .where((attr, op) => op.eq(attr.version, existing.version))
            .commit()
        : entities.referralMember.create(member).commit(),
    ]);
    if (outcome.ok) return member;
    // A taken code is drawn again; a membership written meanwhile is read on the next turn.
    if (outcome.reasons[1] !== 'ConditionalCheckFailed') await backoff(attempt);
  }
  throw new ReferralContentionError();
}

/**
 * Gives the customer a vanity code when no one holds it (their old codes keep working). Asking
 * again for the code the customer already holds changes nothing.
 */
export async function requestVanityCode(program: ReferralProgramItem, customerId: string, vanity: string, now: string): Promise<ReferralMemberItem> {
  const { tenantId } = program;
  const code = normalizeCode(vanity);
  const problem = vanityProblem(code);
  if (problem) throw new ReferralCodeInvalidError(vanity, problem);
  for (let attempt = 0; attempt < maxAttempts; attempt++) {
    const member = await ensureReferralMember(program, customerId, now);
    if (member.code === code) return member;
    const claim = await getCode(tenantId, code);
    if (claim && claim.customerId !== customerId) throw new ReferralCodeTakenError(vanity);
    if (claim?.expiresAt && claim.expiresAt <= now) throw new ReferralCodeInvalidError(vanity, 'has expired');
    const codes = member.codes.includes(code) ? member.codes : [...member.codes, code];
    // A claim the customer already holds keeps its expiry; a new one gets the program's validity.
    const expiresAt = claim ? claim.expiresAt : program.codeValidityDays ? addMs(now, program.codeValidityDays * DAY_MS) : undefined;
    const outcome = await writeTransaction(db(), (entities) => {
      const items: TxItem[] = [];
      if (!claim) items.push(entities.referralCode.create({ tenantId, code, customerId, vanity: true, visits: 0, ...(expiresAt ? { expiresAt } : {}), createdAt: now }).commit());
      const patch = entities.referralMember.patch({ tenantId, customerId });
      items.push(
        (expiresAt
          ? patch.set({ code, codes, codeExpiresAt: expiresAt, version: member.version + 1 })
          : patch.set({ code, codes, version: member.version + 1 }).remove(['codeExpiresAt'])
        )
          .where((attr, op) => op.eq(attr.version, member.version))
          .commit(),
      );
      return items;
    });
    if (outcome.ok) {
      const { codeExpiresAt: _old, ...rest } = member;
      return { ...rest, code, codes, ...(expiresAt ? { codeExpiresAt: expiresAt } : {}), version: member.version + 1 };
    }
    if (!claim && outcome.reasons[0] === 'ConditionalCheckFailed') {
      const raced = await getCode(tenantId, code);
      if (raced && raced.customerId !== customerId) throw new ReferralCodeTakenError(vanity);
    }
    await backoff(attempt);
  }
  throw new ReferralContentionError();
}

/** The customer's link for a code. */
export function urlFor(program: ReferralProgramItem, code: string): string {
  return referralUrl(program.urlTemplate, code);
}

/** Given codes, returns the clicks counted on them together (one BatchGetItem). */
export async function visitsOf(tenantId: string, codes: readonly string[]): Promise<number> {
  if (codes.length === 0) return 0;
  const { data } = await db().entities.referralCode.get(codes.map((code) => ({ tenantId, code }))).go();
  return (data as ReferralCodeItem[]).reduce((sum, item) => sum + (item.visits ?? 0), 0);
}

/**
 * Counts a click on a referral link: cheap (two conditional writes, no read) and quiet. At most
 * `visitsPerCodePerMinute` clicks per code and minute count (a counter item that expires); an
 * unknown code counts nothing. Returns whether the click was counted.
 */
export async function trackVisit(tenantId: string, rawCode: string, now: string): Promise<boolean> {
  const code = normalizeCode(rawCode);
  if (!code || code.length > 40) return false;
  const minute = now.slice(0, 16);
  try {
    await db()
      .entities.referralCounter.update({ tenantId, counterKey: `VISIT#${code}#${minute}` })
      .add({ count: 1 })
      .set({ ttl: Math.floor(Date.parse(now) / 1000) + 180 })
      .where((attr, op) => `${op.notExists(attr.count)} OR ${op.lt(attr.count, visitsPerCodePerMinute)}`)
      .go({ response: 'none' });
    await db().entities.referralCode.patch({ tenantId, code }).add({ visits: 1 }).go({ response: 'none' });
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
}

// ---------------------------------------------------------------------------------------------
// Referrals: reads

/** Reads the referral created by one referee order. */
export async function getReferral(tenantId: string, orderId: string): Promise<ReferralItem | undefined> {
  return (await db().entities.referral.get({ tenantId, orderId }).go({ consistent: true })).data ?? undefined;
}

/** Lists every referral of one referrer (oldest first). */
export async function listAllReferralsOfReferrer(tenantId: string, referrerId: string): Promise<ReferralItem[]> {
  return (await db().entities.referral.query.byReferrer({ tenantId, referrerId }).go({ pages: 'all' })).data as ReferralItem[];
}

/** Lists a shop's referrals, newest first, optionally of one referrer, status or reason. */
export async function listReferrals(args: {
  tenantId: string;
  referrerId?: string | undefined;
  status?: ReferralStatus | null | undefined;
  reason?: ReferralReason | null | undefined;
  first: number;
  cursor: string | null;
}): Promise<Page<ReferralItem>> {
  const { tenantId, status, reason } = args;
  const query = args.referrerId
    ? db().entities.referral.query.byReferrer({ tenantId, referrerId: args.referrerId })
    : db().entities.referral.query.byShop({ tenantId });
  const filtered =
    status || reason
      ? query.where((attr, op) => [status ? op.eq(attr.status, status) : '', reason ? op.eq(attr.reason, reason) : ''].filter(Boolean).join(' AND '))
      : query;
  const result = await filtered.go({ cursor: args.cursor, count: args.first, order: 'desc', data: 'includeKeys' });
  return pageFromKeyedItems<ReferralItem>(result.data as Array<Record<string, unknown>>, args.referrerId ? 'gsi1' : 'gsi2', result.cursor);
}

/** Lists a shop's referrals whose referee order was placed in [from, to]. */
export async function listReferralsPlacedBetween(tenantId: string, from: string, to: string): Promise<ReferralItem[]> {
  return (await db()
    .entities.referral.query.byShop({ tenantId })
    .between({ placedAt: from }, { placedAt: `${to}\uffff` })
    .go({ pages: 'all' })).data as ReferralItem[];
}

// ---------------------------------------------------------------------------------------------
// Referrals: creation from the referee's order (the stream projection)

async function getReferee(tenantId: string, customerId: string): Promise<ReferralRefereeItem | undefined> {
  return (await db().entities.referralReferee.get({ tenantId, customerId }).go({ consistent: true })).data ?? undefined;
}

async function getCounter(tenantId: string, counterKey: string): Promise<number> {
  return (await db().entities.referralCounter.get({ tenantId, counterKey }).go({ consistent: true })).data?.count ?? 0;
}

const limitKey = (referrerId: string, period: string) => `LIMIT#${referrerId}#${period}`;

async function countEarlierOrders(order: OrderItem): Promise<number> {
  const page = await listOrdersForCustomer({ tenantId: order.tenantId, customerId: order.customerId, first: 50, cursor: null });
  return page.items.filter(
    (o) => o.orderId !== order.orderId && o.status !== 'CANCELLED' && (o.placedAt < order.placedAt || (o.placedAt === order.placedAt && o.createdAt < order.createdAt)),
  ).length;
}

async function knownRiskOf(tenantId: string, customerId: string): Promise<KnownRisk> {
  const page = await listOrdersForCustomer({ tenantId, customerId, first: 50, cursor: null });
  const collect = (key: 'shippingAddressHash' | 'ipHash' | 'paymentFingerprintHash') =>
    [...new Set(page.items.map((o) => o.riskSignals?.[key]).filter((v): v is string => Boolean(v)))];
  return { shippingAddressHashes: collect('shippingAddressHash'), ipHashes: collect('ipHash'), paymentFingerprintHashes: collect('paymentFingerprintHash') };
}

const person = (customer: CustomerItem | undefined, customerId: string) => ({
  customerId,
  externalId: customer?.externalId ?? null,
  email: customer?.email ?? null,
});

function newCoupon(program: ReferralProgramItem, customerId: string, referralCode: string, now: string): ReferralCouponItem {
  const reward = program.refereeReward;
  return {
    tenantId: program.tenantId,
    code: generateCode(16),
    customerId,
    referralCode,
    kind: reward.kind,
    value: reward.value,
    minimumOrderAmount: reward.minimumOrderAmount,
    status: 'ISSUED',
    expiresAt: addMs(now, reward.validityDays * DAY_MS),
    createdAt: now,
  };
}

/**
 * Given a newly recorded order that carries a referral code, creates its referral once (keyed by
 * the order: a replayed order or a redelivered stream batch finds it): decides it with the fraud
 * rules, and for an accepted one claims the referee (one referral per referee), takes a slot of
 * the referrer's monthly and yearly limits (conditional counters) and issues the referee coupon,
 * all in one transaction. A lost race decides again on fresh facts.
 */
export async function createReferralForOrder(order: OrderItem, now: string): Promise<ReferralItem | undefined> {
  if (!order.referralCode) return undefined;
  const { tenantId } = order;
  const program = await getReferralProgram(tenantId);
  if (!program) return undefined;
  const code = normalizeCode(order.referralCode);
  for (let attempt = 0; attempt < maxAttempts; attempt++) {
    const existing = await getReferral(tenantId, order.orderId);
    if (existing) return existing;
    const codeItem = await getCode(tenantId, code);
    const referrerId = codeItem?.customerId;
    const periods = limitPeriods(order.placedAt);
    const windowStart = addMs(order.placedAt, -program.velocityWindowHours * 3_600_000);
    const [referrer, referee, claim, earlier, monthCount, yearCount, risk, recent] = await Promise.all([
      referrerId ? getCustomer(tenantId, referrerId) : undefined,
      getCustomer(tenantId, order.customerId),
      getReferee(tenantId, order.customerId),
      countEarlierOrders(order),
      referrerId ? getCounter(tenantId, limitKey(referrerId, periods.month)) : 0,
      referrerId ? getCounter(tenantId, limitKey(referrerId, periods.year)) : 0,
      referrerId ? knownRiskOf(tenantId, referrerId) : { shippingAddressHashes: [], ipHashes: [], paymentFingerprintHashes: [] },
      referrerId
        ? db()
            .entities.referral.query.byReferrer({ tenantId, referrerId })
            .between({ placedAt: windowStart }, { placedAt: `${order.placedAt}\uffff` })
            .go({ pages: 'all' })
        : undefined,
    ]);
    const decision: ReferralDecision = decideReferral({
      programEnabled: program.enabled,
      code: codeItem ? { customerId: codeItem.customerId, expiresAt: codeItem.expiresAt ?? null } : undefined,
      at: order.placedAt,
      referrer: referrerId ? person(referrer, referrerId) : undefined,
      referee: person(referee, order.customerId),
      refereeAlreadyReferred: Boolean(claim?.orderId && claim.orderId !== order.orderId),
      refereeEarlierOrders: earlier,
      orderTotal: order.total,
      minimumOrderAmount: program.minimumOrderAmount,
      referrerCounts: { month: monthCount, year: yearCount },
      limits: { perMonth: program.maxPerMonth ?? null, perYear: program.maxPerYear ?? null },
      risk: { referee: order.riskSignals ?? {}, referrer: risk },
      velocity: {
        recentReferrals: (recent?.data ?? []).filter((r) => r.orderId !== order.orderId && r.status !== 'REJECTED').length,
        max: program.velocityMax,
        windowHours: program.velocityWindowHours,
      },
    });
    const accepted = decision.status !== 'REJECTED';
    const coupon = decision.status === 'PENDING' && !claim?.couponCode ? newCoupon(program, order.customerId, code, now) : undefined;
    const referral: ReferralItem = {
      tenantId,
      orderId: order.orderId,
      code,
      referrerId: referrerId ?? 'NONE',
      refereeId: order.customerId,
      status: decision.status,
      reason: decision.reason,
      flags: decision.flags,
      signals: decision.signals,
      orderTotal: order.total,
      placedAt: order.placedAt,
      holdUntil: addMs(order.placedAt, program.holdDays * DAY_MS),
      queue: decision.status === 'PENDING' ? 'HOLD' : decision.status === 'FLAGGED' ? 'REVIEW' : 'DONE',
      limitPeriods: accepted ? [periods.month, periods.year] : [],
      ...(accepted && (coupon || claim?.couponCode) ? { refereeCouponCode: coupon?.code ?? claim!.couponCode! } : {}),
      decidedAt: now,
      version: 1,
      createdAt: now,
    };
    const outcome = await writeTransaction(db(), (entities) => {
      const items: TxItem[] = [entities.referral.create(referral).commit()];
      if (!accepted) return items;
      if (claim) {
        items.push(
          entities.referralReferee
            .patch({ tenantId, customerId: order.customerId })
            .set({ orderId: order.orderId, ...(coupon ? { couponCode: coupon.code } : {}) })
            .where((attr, op) => op.notExists(attr.orderId))
            .commit(),
        );
      } else {
        items.push(
          entities.referralReferee
            .create({ tenantId, customerId: order.customerId, code, orderId: order.orderId, ...(coupon ? { couponCode: coupon.code } : {}), createdAt: now })
            .commit(),
        );
      }
      for (const [period, max] of [
        [periods.month, program.maxPerMonth],
        [periods.year, program.maxPerYear],
      ] as const) {
        const counter = entities.referralCounter.update({ tenantId, counterKey: limitKey(referrerId!, period) }).add({ count: 1 });
        items.push(
          (max != null ? counter.where((attr, op) => `${op.notExists(attr.count)} OR ${op.lt(attr.count, max)}`) : counter).commit(),
        );
      }
      if (coupon) items.push(entities.referralCoupon.create(coupon).commit());
      items.push(...startedEventItems(entities, referral, now));
      return items;
    });
    if (outcome.ok) return referral;
    await backoff(Math.min(attempt, 5));
  }
  throw new ReferralContentionError();
}

// ---------------------------------------------------------------------------------------------
// Referrals: decisions after creation

/**
 * Rejects a referral that is still PENDING or FLAGGED, once (conditioned on its version), and
 * gives back its slots in the referrer's limits in the same transaction. Returns the referral as
 * it is afterwards, or undefined when it was already decided otherwise.
 */
async function rejectReferral(referral: ReferralItem, reason: ReferralReason, now: string): Promise<ReferralItem | undefined> {
  if (referral.status !== 'PENDING' && referral.status !== 'FLAGGED') return undefined;
  const { tenantId, orderId } = referral;
  const outcome = await writeTransaction(db(), (entities) => [
    entities.referral
      .patch({ tenantId, orderId })
      .set({ status: 'REJECTED', reason, queue: 'DONE', holdUntil: referral.holdUntil, decidedAt: now, limitPeriods: [], version: referral.version + 1 })
      .where((attr, op) => op.eq(attr.version, referral.version))
      .commit(),
    ...referral.limitPeriods.map((period) =>
      entities.referralCounter.update({ tenantId, counterKey: limitKey(referral.referrerId, period) }).add({ count: -1 }).commit(),
    ),
  ]);
  return outcome.ok ? getReferral(tenantId, orderId) : undefined;
}

/**
 * Given the referee's order as it changed (cancelled, refunded), rejects its referral when the
 * order no longer stands and the change falls within the hold period. Idempotent.
 */
export async function rejectForOrderChange(order: OrderItem, now: string): Promise<void> {
  const why = orderNoLongerStands(order);
  if (!why) return;
  const at = why === 'ORDER_CANCELLED' ? (order.cancelledAt ?? now) : ((order.refunds ?? []).at(-1)?.createdAt ?? now);
  for (let attempt = 0; attempt < maxAttempts; attempt++) {
    const referral = await getReferral(order.tenantId, order.orderId);
    if (!referral || (referral.status !== 'PENDING' && referral.status !== 'FLAGGED')) return;
    if (at > referral.holdUntil) return;
    if (await rejectReferral(referral, why, now)) return;
    await backoff(attempt);
  }
  throw new ReferralContentionError();
}

/**
 * Settles one PENDING referral whose hold period has passed: REJECTED when its order no longer
 * stands, otherwise COMPLETED with the referrer's reward recorded as owed (queue PAY) in the same
 * conditional write; then pays it. Only one of any number of concurrent runs changes the status.
 */
async function settleReferral(program: ReferralProgramItem, referral: ReferralItem, now: string): Promise<'COMPLETED' | 'REJECTED' | null> {
  if (referral.status !== 'PENDING' || referral.holdUntil > now) return null;
  const order = await getOrder(referral.tenantId, referral.orderId);
  const why = order ? orderNoLongerStands(order) : 'ORDER_CANCELLED';
  if (why) return (await rejectReferral(referral, why, now)) ? 'REJECTED' : null;
  const reason = referral.reason === 'ADMIN_APPROVED' ? 'ADMIN_APPROVED' : 'HOLD_PERIOD_PASSED';
  // The completion and its event in one write: a second run's condition fails and publishes nothing.
  const outcome = await writeTransaction(db(), (entities) => [
    entities.referral
      .patch({ tenantId: referral.tenantId, orderId: referral.orderId })
      .set({
        status: 'COMPLETED',
        reason,
        queue: 'PAY',
        holdUntil: referral.holdUntil,
        ...(program.referrerReward.type === 'POINTS' ? { rewardPoints: program.referrerReward.points } : { rewardId: program.referrerReward.rewardId }),
        decidedAt: now,
        version: referral.version + 1,
      })
      .where((attr, op) => `${op.eq(attr.version, referral.version)} AND ${op.eq(attr.status, 'PENDING')}`)
      .commit(),
    completedEventItem(entities, referral, reason, program.referrerReward, now),
  ]);
  if (!outcome.ok) return null;
  await payReferral((await getReferral(referral.tenantId, referral.orderId))!, now);
  return 'COMPLETED';
}

/**
 * Credits a completed referral's reward to the referrer. The loyalty ledger credits once per
 * referral id (its receipt), so a crash between crediting and marking, or two runs paying at
 * once, still credit once; the referral then leaves the PAY queue.
 */
async function payReferral(referral: ReferralItem, now: string): Promise<boolean> {
  if (referral.status !== 'COMPLETED' || referral.queue !== 'PAY') return false;
  const shopItem = await getShop(referral.tenantId);
  if (!shopItem) return false;
  const shop = { tenantId: shopItem.tenantId, currencyCode: shopItem.currencyCode, timeZone: shopItem.timeZone };
  let paid: { rewardPoints: number; referrerCouponCode?: string };
  try {
    if (referral.rewardId) {
      const granted = await grantReferralReward(shop, referral.referrerId, referral.orderId, referral.rewardId, now);
      paid = { rewardPoints: granted.points, referrerCouponCode: granted.couponCode };
    } else {
      await creditReferralPoints(shop, referral.referrerId, referral.orderId, referral.rewardPoints ?? 0, now);
      paid = { rewardPoints: referral.rewardPoints ?? 0 };
    }
  } catch (error) {
    // No loyalty program (or another business refusal): the reward stays owed, retried next run.
    logger.error('referral reward not paid', { shop: referral.tenantId, orderId: referral.orderId, error: errorFields(error) });
    return false;
  }
  try {
    await db()
      .entities.referral.patch({ tenantId: referral.tenantId, orderId: referral.orderId })
      .set({ queue: 'DONE', holdUntil: referral.holdUntil, rewardedAt: now, ...paid })
      .where((attr, op) => op.eq(attr.queue, 'PAY'))
      .go();
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
  }
  return true;
}

/**
 * Scheduled, per shop: settles every PENDING referral whose hold period has passed by `now`, and
 * pays every completed referral whose reward is still owed. Idempotent and safe to overlap.
 */
export async function completeDueReferrals(tenantId: string, now: string): Promise<{ completed: number; rejected: number; paid: number }> {
  const program = await getReferralProgram(tenantId);
  if (!program) return { completed: 0, rejected: 0, paid: 0 };
  let completed = 0;
  let rejected = 0;
  let paid = 0;
  const due = (await db().entities.referral.query.byQueue({ tenantId, queue: 'HOLD' }).lte({ holdUntil: now }).go({ pages: 'all' })).data as ReferralItem[];
  for (const listed of due) {
    const referral = await getReferral(tenantId, listed.orderId);
    if (!referral) continue;
    const outcome = await settleReferral(program, referral, now);
    if (outcome === 'COMPLETED') completed++;
    if (outcome === 'REJECTED') rejected++;
  }
  const owed = (await db().entities.referral.query.byQueue({ tenantId, queue: 'PAY' }).go({ pages: 'all' })).data as ReferralItem[];
  for (const listed of owed) {
    const referral = await getReferral(tenantId, listed.orderId);
    if (referral && (await payReferral(referral, now))) paid++;
  }
  return { completed, rejected, paid };
}

/**
 * An admin approves a FLAGGED (or confirms a PENDING) referral: it becomes PENDING (decided by
 * ADMIN_APPROVED), gets its referee coupon, and completes at once when its hold period is over.
 */
export async function approveReferral(tenantId: string, orderId: string, now: string): Promise<ReferralItem> {
  const program = await getReferralProgram(tenantId);
  if (!program) throw new ReferralProgramNotFoundError();
  for (let attempt = 0; attempt < maxAttempts; attempt++) {
    const referral = await getReferral(tenantId, orderId);
    if (!referral) throw new ReferralNotFoundError(orderId);
    if (referral.status !== 'FLAGGED' && referral.status !== 'PENDING') throw new ReferralNotReviewableError(orderId, referral.status);
    const claim = await getReferee(tenantId, referral.refereeId);
    const coupon = !claim?.couponCode ? newCoupon(program, referral.refereeId, referral.code, now) : undefined;
    const outcome = await writeTransaction(db(), (entities) => [
      entities.referral
        .patch({ tenantId, orderId })
        .set({
          status: 'PENDING',
          reason: 'ADMIN_APPROVED',
          queue: 'HOLD',
          holdUntil: referral.holdUntil,
          decidedAt: now,
          version: referral.version + 1,
          ...(coupon || claim?.couponCode ? { refereeCouponCode: coupon?.code ?? claim!.couponCode! } : {}),
        })
        .where((attr, op) => op.eq(attr.version, referral.version))
        .commit(),
      ...(coupon
        ? [
            entities.referralCoupon.create(coupon).commit(),
            entities.referralReferee
              .patch({ tenantId, customerId: referral.refereeId })
              .set({ couponCode: coupon.code })
              .where((attr, op) => op.notExists(attr.couponCode))
              .commit(),
          ]
        : []),
    ]);
    if (outcome.ok) {
      const approved = (await getReferral(tenantId, orderId))!;
      await settleReferral(program, approved, now);
      return (await getReferral(tenantId, orderId))!;
    }
    await backoff(attempt);
  }
  throw new ReferralContentionError();
}

/** An admin rejects a FLAGGED or PENDING referral (ADMIN_REJECTED); nothing is paid. */
export async function adminRejectReferral(tenantId: string, orderId: string, now: string): Promise<ReferralItem> {
  for (let attempt = 0; attempt < maxAttempts; attempt++) {
    const referral = await getReferral(tenantId, orderId);
    if (!referral) throw new ReferralNotFoundError(orderId);
    if (referral.status === 'REJECTED' && referral.reason === 'ADMIN_REJECTED') return referral;
    if (referral.status !== 'FLAGGED' && referral.status !== 'PENDING') throw new ReferralNotReviewableError(orderId, referral.status);
    const rejected = await rejectReferral(referral, 'ADMIN_REJECTED', now);
    if (rejected) return rejected;
    await backoff(attempt);
  }
  throw new ReferralContentionError();
}

// ---------------------------------------------------------------------------------------------
// Referee coupon

/** Reads a referee coupon by its code. */
export async function getReferralCoupon(tenantId: string, code: string): Promise<ReferralCouponItem | undefined> {
  const normalized = normalizeCode(code);
  if (!normalized) return undefined;
  return (await db().entities.referralCoupon.get({ tenantId, code: normalized }).go({ consistent: true })).data ?? undefined;
}

export type CodeApplication =
  | { valid: false; reason: string }
  | { valid: true; program: ReferralProgramItem; coupon: ReferralCouponItem | undefined };

/**
 * Given a code typed at checkout and, when known, the customer, returns whether it gives a
 * first-order discount and the customer's coupon (issued once per referee: the same coupon on
 * every call, created with the referee claim in one transaction).
 */
export async function applyReferralCode(tenantId: string, rawCode: string, customer: CustomerItem | undefined, now: string): Promise<CodeApplication> {
  const program = await getReferralProgram(tenantId);
  if (!program || !program.enabled) return { valid: false, reason: 'no active referral program' };
  const code = normalizeCode(rawCode);
  const claim = await getCode(tenantId, code);
  if (!claim) return { valid: false, reason: 'unknown code' };
  if (claim.expiresAt && claim.expiresAt <= now) return { valid: false, reason: 'expired code' };
  if (!customer) return { valid: true, program, coupon: undefined };
  if (claim.customerId === customer.customerId) return { valid: false, reason: 'a customer cannot use their own code' };
  for (let attempt = 0; attempt < maxAttempts; attempt++) {
    const referee = await getReferee(tenantId, customer.customerId);
    if (referee?.couponCode) return { valid: true, program, coupon: await getReferralCoupon(tenantId, referee.couponCode) };
    if (referee?.orderId || (customer.ordersCount ?? 0) > 0) return { valid: false, reason: 'only for a first order' };
    const coupon = newCoupon(program, customer.customerId, code, now);
    const outcome = await writeTransaction(db(), (entities) => [
      entities.referralReferee.create({ tenantId, customerId: customer.customerId, code, couponCode: coupon.code, createdAt: now }).commit(),
      entities.referralCoupon.create(coupon).commit(),
    ]);
    if (outcome.ok) return { valid: true, program, coupon };
    await backoff(attempt);
  }
  throw new ReferralContentionError();
}

/** Why a coupon cannot be used now, or null. */
function couponProblem(coupon: ReferralCouponItem, now: string): string | null {
  if (coupon.status === 'USED') return `already used on order ${coupon.orderId}`;
  if (coupon.expiresAt <= now) return 'expired';
  return null;
}

/** Marks a referee coupon used on an order; the same order again changes nothing. */
export async function markReferralCouponUsed(tenantId: string, code: string, orderId: string, now: string): Promise<ReferralCouponItem> {
  const coupon = await getReferralCoupon(tenantId, code);
  if (!coupon) throw new ReferralCouponInvalidError(code, 'unknown code');
  if (coupon.status === 'USED' && coupon.orderId === orderId) return coupon;
  const problem = couponProblem(coupon, now);
  if (problem) throw new ReferralCouponInvalidError(code, problem);
  try {
    await db()
      .entities.referralCoupon.patch({ tenantId, code: coupon.code })
      .set({ status: 'USED', orderId, usedAt: now })
      .where((attr, op) => op.eq(attr.status, 'ISSUED'))
      .go();
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
    const raced = await getReferralCoupon(tenantId, code);
    if (raced?.orderId === orderId) return raced;
    throw new ReferralCouponInvalidError(code, `already used on order ${raced?.orderId}`);
  }
  return (await getReferralCoupon(tenantId, code))!;
}

// ---------------------------------------------------------------------------------------------
// Summaries

export interface CustomerReferralSummary {
  program: ReferralProgramItem;
  member: ReferralMemberItem;
}

/** Given a customer, returns their referral summary (creating their code on first call). */
export async function loadCustomerReferral(tenantId: string, customerId: string, now: string): Promise<CustomerReferralSummary | undefined> {
  const program = await getReferralProgram(tenantId);
  if (!program) return undefined;
  return { program, member: await ensureReferralMember(program, customerId, now) };
}

export const referralStatuses: ReferralStatus[] = ['PENDING', 'FLAGGED', 'COMPLETED', 'REJECTED'];

/** Given referrals, returns how many have each status (every status, zeros included). */
export function countByStatus(referrals: readonly ReferralItem[]): Array<{ status: ReferralStatus; count: number }> {
  return referralStatuses.map((status) => ({ status, count: referrals.filter((r) => r.status === status).length }));
}

/** Points actually credited (paid) for these referrals. */
export function rewardsPaid(referrals: readonly ReferralItem[]): number {
  return referrals.reduce((sum, r) => sum + (r.rewardedAt ? (r.rewardPoints ?? 0) : 0), 0);
}

/** Program-level counts over referrals placed in [from, to], and the top referrers by completions. */
export async function referralStats(tenantId: string, from: string, to: string, top = 10) {
  const referrals = await listReferralsPlacedBetween(tenantId, from, to);
  const reasons = new Map<ReferralReason, number>();
  for (const r of referrals) if (r.status === 'REJECTED') reasons.set(r.reason, (reasons.get(r.reason) ?? 0) + 1);
  const byReferrer = new Map<string, ReferralItem[]>();
  for (const r of referrals) {
    if (r.referrerId === 'NONE') continue;
    byReferrer.set(r.referrerId, [...(byReferrer.get(r.referrerId) ?? []), r]);
  }
  const topReferrers = [...byReferrer.entries()]
    .map(([referrerId, list]) => ({
      referrerId,
      completed: list.filter((r) => r.status === 'COMPLETED').length,
      total: list.length,
      rewardPoints: rewardsPaid(list),
    }))
    .sort((a, b) => b.completed - a.completed || b.total - a.total || (a.referrerId < b.referrerId ? -1 : 1))
    .slice(0, top);
  return {
    total: referrals.length,
    byStatus: countByStatus(referrals),
    byRejectionReason: [...reasons.entries()].map(([reason, count]) => ({ reason, count })).sort((a, b) => b.count - a.count),
    topReferrers,
  };
}

// ---------------------------------------------------------------------------------------------
// Social sharing

/**
 * Earns the SOCIAL_SHARE loyalty action for a share, once per channel per day in the shop's time
 * zone (the idempotency key), within the loyalty rule's own limits.
 */
export async function recordSocialShare(
  shop: { tenantId: string; currencyCode: string; timeZone: string },
  customerId: string,
  channel: string,
  now: string,
): Promise<{ points: number; replayed: boolean }> {
  const day = new Intl.DateTimeFormat('en-CA', { timeZone: shop.timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date(now));
  return recordSocialShareAction(shop, customerId, `${channel}#${day}`, now, now);
}

export { requireEnabledProgram };
