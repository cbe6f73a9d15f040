import { randomBytes, randomUUID } from 'node:crypto';
import { assertSafeSums } from '../common/amounts.js';
import { InvalidInputError } from '../common/errors.js';
import { dateOutsideWindow } from '../common/input.js';
import { pageFromKeyedItems, type Page } from '../db/pagination.js';
import { tableName } from '../db/client.js';
import { db } from '../db/service.js';
import { backoff, writeTransaction, type TxEntities, type TxItem } from '../db/transactions.js';
import { actionBonus, orderPoints, type ActionType, type EarnProgram, type OrderAmounts } from './earn.js';
import {
  adjust,
  balance,
  emptyLedgerState,
  earn,
  expire,
  findLot,
  pruneLots,
  redeem,
  reverse,
  type ExpiryPolicy,
  type LedgerEntry,
  type LedgerResult,
  type LedgerState,
} from './ledger.js';
import {
  recentEntriesKept,
  type EnrollmentMode,
  type LoyaltyCouponItem,
  type LoyaltyEntryItem,
  type LoyaltyMemberItem,
  type LoyaltyProgramItem,
  type LoyaltyRewardItem,
  type QualifyingEvent,
  type StoredEntry,
} from './loyalty.entities.js';
import {
  ActionNotAllowedError,
  CouponInvalidError,
  InsufficientPointsError,
  LoyaltyContentionError,
  NotAMemberError,
  ProgramNotFoundError,
  ProgramVersionConflictError,
  RewardNotFoundError,
  RewardUnavailableError,
} from './loyalty.errors.js';
import type {
  LoyaltyActionRecordInput,
  LoyaltyPointsAdjustInput,
  LoyaltyProgramUpdateInput,
  LoyaltyRewardCreateInput,
  LoyaltyRewardUpdateInput,
  LoyaltyTierConfigInput,
} from './loyalty.inputs.js';
import { addDays, addZonedMonths, toMs } from './time.js';
import { eventClock, memberEventItems } from './member-events.js';
import { loyaltyRewardRedeemed } from './loyalty.events.js';
import { eventTxItem } from '../events/index.js';
import type { Clock } from '../common/clock.js';
import {
  evaluateAtWindowEnd,
  evaluateUpgrade,
  previewTierChange,
  progressWindow,
  reviewWindow,
  tierChangeFor,
  validateTierConfig,
  windowEnd,
  type MemberTier,
  type TierChangePreview,
  type TierConfig,
  type TimeWindow,
} from './tiers.js';

/** What the loyalty rules need to know about the shop. */
export interface LoyaltyShop {
  tenantId: string;
  currencyCode: string;
  timeZone: string;
}

/** The loyalty view of an order (the stream's image of it). */
export interface LoyaltyOrder {
  orderId: string;
  customerId: string;
  placedAt: string;
  status: 'PLACED' | 'CANCELLED';
  currencyCode: string;
  subtotal: number;
  discounts: number;
  shipping: number;
  tax: number;
  cancelledAt?: string | undefined;
}

export interface LoyaltyRefund {
  refundId: string;
  amount: number;
  createdAt: string;
}

/** A lot is kept (empty) this long after it was earned, so a late refund still finds it. */
const reversibleForDays = 365;
/** Optimistic retries on one account: 50 concurrent redemptions must all get an answer. */
const maxAttempts = 40;
/** Qualifying events older than this are folded into one: no window but LIFETIME reaches back so far. */
const qualifyingKeptMonths = 26;

// ---------------------------------------------------------------------------------------------
// Reads

/** Reads the shop's program. */
export async function getProgram(tenantId: string): Promise<LoyaltyProgramItem | undefined> {
  return ((await db().entities.loyaltyProgram.get({ tenantId }).go({ consistent: true })).data ?? undefined) as LoyaltyProgramItem | undefined;
}

/** Reads the shop's program and whole rewards catalogue in one Query (one partition). */
export async function getLoyaltyConfig(tenantId: string): Promise<{ program: LoyaltyProgramItem | undefined; rewards: LoyaltyRewardItem[] }> {
  const { data } = await db().collections.loyaltyConfig({ tenantId }).go({ pages: 'all' });
  return { program: data.loyaltyProgram[0] as LoyaltyProgramItem | undefined, rewards: data.loyaltyReward };
}

const configCacheTtlMs = Number(process.env.LOYALTY_CONFIG_CACHE_TTL_MS ?? 15_000);
const configCache = new Map<string, { config: Promise<Awaited<ReturnType<typeof getLoyaltyConfig>>>; fetchedAt: number }>();

/**
 * Given a shop and an instant, returns its loyalty configuration for display, cached per container
 * for a few seconds like API keys are: a storefront statement then costs one read, not two. Writes
 * in this container forget it at once; other containers see a change within the TTL. Nothing that
 * decides (redemption, earning) reads through this cache.
 */
export function getLoyaltyConfigForDisplay(tenantId: string, nowMs: number): Promise<Awaited<ReturnType<typeof getLoyaltyConfig>>> {
  const key = `${tableName()}#${tenantId}`;
  const entry = configCache.get(key);
  if (entry && nowMs - entry.fetchedAt <= configCacheTtlMs && entry.fetchedAt <= nowMs) return entry.config;
  const config = getLoyaltyConfig(tenantId);
  configCache.set(key, { config, fetchedAt: nowMs });
  config.catch(() => configCache.delete(key));
  return config;
}

function forgetCachedConfig(tenantId: string): void {
  configCache.delete(`${tableName()}#${tenantId}`);
}

/** Reads one customer's loyalty account. */
export async function getMember(tenantId: string, customerId: string): Promise<LoyaltyMemberItem | undefined> {
  return ((await db().entities.loyaltyMember.get({ tenantId, customerId }).go({ consistent: true })).data ?? undefined) as
    | LoyaltyMemberItem
    | undefined;
}

/** Reads many accounts of one shop in one BatchGetItem (the per-request DataLoader's batch function). */
export async function getMembersByIds(tenantId: string, customerIds: readonly string[]): Promise<Array<LoyaltyMemberItem | undefined>> {
  const unique = [...new Set(customerIds)];
  const { data } = await db().entities.loyaltyMember.get(unique.map((customerId) => ({ tenantId, customerId }))).go({ consistent: true });
  const byId = new Map((data as LoyaltyMemberItem[]).map((item) => [item.customerId, item]));
  return customerIds.map((id) => byId.get(id));
}

/** Reads one reward. */
export async function getReward(tenantId: string, rewardId: string): Promise<LoyaltyRewardItem | undefined> {
  return (await db().entities.loyaltyReward.get({ tenantId, rewardId }).go({ consistent: true })).data ?? undefined;
}

/** Reads one coupon by its code. */
export async function getCoupon(tenantId: string, code: string): Promise<LoyaltyCouponItem | undefined> {
  return (await db().entities.loyaltyCoupon.get({ tenantId, code }).go({ consistent: true })).data ?? undefined;
}

/** Lists a customer's ledger entries, newest first, one page at a time. */
export async function listLedgerEntriesForCustomer(args: {
  tenantId: string;
  customerId: string;
  first: number;
  cursor: string | null;
}): Promise<Page<StoredEntry>> {
  const result = await db()
    .entities.loyaltyEntry.query.ledgerByCustomer({ tenantId: args.tenantId, customerId: args.customerId })
    .go({ cursor: args.cursor, limit: args.first, order: 'desc', data: 'includeKeys' });
  const page = pageFromKeyedItems<LoyaltyEntryItem>(result.data as Array<Record<string, unknown>>, null, result.cursor);
  return { ...page, items: page.items.map(storedFromItem) };
}

/**
 * Given a member's kept recent entries, returns them as the first page of
 * `listLedgerEntriesForCustomer` would (same order, same cursors), or undefined when the page asked
 * for is longer than what the member keeps.
 */
export function firstLedgerPageFromMember(member: LoyaltyMemberItem | undefined, first: number): Page<StoredEntry> | undefined {
  const recent = member?.recentEntries ?? [];
  const total = member?.seq ?? 0;
  if (first > recent.length && total > recent.length) return undefined;
  const items = recent.slice(0, first);
  const cursors = items.map((entry) => {
    const { Key } = db()
      .entities.loyaltyEntry.get({ tenantId: member!.tenantId, customerId: member!.customerId, at: entry.at, seqKey: seqKey(entry.seq) })
      .params<{ Key: Record<string, string> }>();
    return Buffer.from(JSON.stringify(Key)).toString('base64url');
  });
  return { items, cursors, hasNextPage: total > items.length };
}

/** Lists the members of a shop (the scheduled jobs and tier previews walk them). */
async function forEachMember(tenantId: string, visit: (member: LoyaltyMemberItem) => Promise<void>): Promise<void> {
  let cursor: string | null = null;
  do {
    const page: { data: unknown[]; cursor: string | null } = await db().entities.loyaltyMember.query.membersByShop({ tenantId }).go({ cursor, limit: 100 });
    for (const member of page.data) await visit(member as LoyaltyMemberItem);
    cursor = page.cursor;
  } while (cursor);
}

// ---------------------------------------------------------------------------------------------
// The account write: read, decide with the pure rules, write member + entries + receipt at once.

interface MemberPlan<R> {
  member: LoyaltyMemberItem;
  entries: LedgerEntry[];
  result: R;
  /** Further items of the same transaction (coupon, reward stock). */
  extra?: (entities: TxEntities) => TxItem[];
  /** Given the cancellation reasons of the extra items, throws a domain error when one is final. */
  onExtraFailure?: (reasons: string[]) => void;
  /** Events of the decision beyond the ones every account write reports (points earned, tier changed). */
  events?: (entities: TxEntities, clock: Clock) => TxItem[];
}

/**
 * Given a customer and a decision over their account, applies it exactly once: the member is
 * written only over the version it was read at, with its new ledger entries and (when a
 * `receiptId` is given) a receipt that no second application can create. A replay returns the
 * first result; a lost race re-reads and decides again. `decide` returning null writes nothing.
 */
async function applyToMember<R>(args: {
  tenantId: string;
  customerId: string;
  receiptId: string | null;
  now: string;
  /** The program the decision was made under: names the tiers its events report. */
  program: LoyaltyProgramItem;
  decide: (member: LoyaltyMemberItem | undefined) => MemberPlan<R> | null | Promise<MemberPlan<R> | null>;
}): Promise<{ result: R | null; replayed: boolean }> {
  const { tenantId, customerId, receiptId } = args;
  for (let attempt = 0; attempt < maxAttempts; attempt++) {
    const [member, receipt] = await Promise.all([
      getMember(tenantId, customerId),
      receiptId ? db().entities.loyaltyReceipt.get({ tenantId, customerId, receiptId }).go({ consistent: true }) : undefined,
    ]);
    if (receipt?.data) return { result: receipt.data.result as R, replayed: true };
    const plan = await args.decide(member);
    if (!plan) return { result: null, replayed: false };

    const stored = plan.entries.map((entry, index) => ({ ...entry, seq: (member?.seq ?? 0) + index }));
    const next: LoyaltyMemberItem = {
      ...plan.member,
      lifetimeEarned: plan.member.state.lifetimeEarned,
      lifetimeSpent: plan.member.state.lifetimeSpent,
      shortfall: plan.member.state.shortfall,
      recentEntries: mergeRecent(plan.member.recentEntries, stored),
      seq: (member?.seq ?? 0) + stored.length,
      version: (member?.version ?? 0) + 1,
      updatedAt: args.now,
    };
    // The write is guarded by the member's version, so checking the new totals here is exact.
    assertSafeSums({
      lifetimeEarned: next.state.lifetimeEarned,
      lifetimeSpent: next.state.lifetimeSpent,
      shortfall: next.state.shortfall + next.state.overdrawn,
      points: next.state.lots.reduce((sum, lot) => sum + lot.points, 0),
    });
    const outcome = await writeTransaction(db(), (entities) => {
      const items: TxItem[] = [];
      if (member) {
        const { tenantId: _t, customerId: _c, createdAt: _created, ...changes } = next;
        const removed = clearableMemberFields.filter((field) => member[field] !== undefined && next[field] === undefined);
        const patch = entities.loyaltyMember.patch({ tenantId, customerId }).set(changes as never);
        items.push(
          (removed.length > 0 ? patch.remove(removed) : patch).where((attr, op) => op.eq(attr.version, member.version)).commit(),
        );
      } else {
        items.push(entities.loyaltyMember.create(next as never).commit());
      }
      for (const entry of stored) items.push(entities.loyaltyEntry.create(itemFromStored(tenantId, customerId, entry) as never).commit());
      if (receiptId) items.push(entities.loyaltyReceipt.create({ tenantId, customerId, receiptId, result: plan.result, createdAt: args.now }).commit());
      if (plan.extra) items.push(...plan.extra(entities));
      // Events last: `onExtraFailure` reads the extra items' reasons by position.
      items.push(...memberEventItems(entities, { tenantId, customerId, now: args.now, program: args.program, before: member, after: next, stored }));
      if (plan.events) items.push(...plan.events(entities, eventClock(args.now)));
      return items;
    });
    if (outcome.ok) return { result: plan.result, replayed: false };
    const extraStart = 1 + stored.length + (receiptId ? 1 : 0);
    plan.onExtraFailure?.(outcome.reasons.slice(extraStart));
    await backoff(Math.min(attempt, 5));
  }
  throw new LoyaltyContentionError();
}

/** Optional member attributes a plan may drop (a lost tier, a hold that ended). */
const clearableMemberFields = ['joinedAt', 'tierId', 'tierQualifiedAt', 'tierHeldUntil'] as const;

function seqKey(seq: number): string {
  return String(seq).padStart(10, '0');
}

function itemFromStored(tenantId: string, customerId: string, entry: StoredEntry): LoyaltyEntryItem {
  return {
    tenantId,
    customerId,
    at: entry.at,
    seqKey: seqKey(entry.seq),
    seq: entry.seq,
    type: entry.type,
    points: entry.points,
    reason: entry.reason,
    source: entry.source,
    lots: entry.lots,
    shortfall: entry.shortfall,
    overdrawn: entry.overdrawn,
    ...(entry.newLot ? { newLot: entry.newLot } : {}),
  };
}

function storedFromItem(item: LoyaltyEntryItem): StoredEntry {
  return {
    type: item.type,
    points: item.points,
    reason: item.reason,
    source: item.source as StoredEntry['source'],
    lots: item.lots as StoredEntry['lots'],
    at: item.at,
    shortfall: item.shortfall,
    overdrawn: item.overdrawn,
    seq: item.seq,
    ...(item.newLot ? { newLot: item.newLot as StoredEntry['newLot'] } : {}),
  };
}

/** Newest first by (at, seq): the order of the ledger query, so the kept entries are its first page. */
function mergeRecent(kept: readonly StoredEntry[], added: readonly StoredEntry[]): StoredEntry[] {
  return [...kept, ...added]
    .sort((a, b) => (a.at !== b.at ? (a.at < b.at ? 1 : -1) : b.seq - a.seq))
    .slice(0, recentEntriesKept);
}

function newMember(tenantId: string, customerId: string, now: string, joined: boolean): LoyaltyMemberItem {
  return {
    tenantId,
    customerId,
    joined,
    ...(joined ? { joinedAt: now } : {}),
    state: emptyLedgerState(),
    lifetimeEarned: 0,
    lifetimeSpent: 0,
    shortfall: 0,
    qualifying: [],
    actionEarns: {},
    rewardRedemptions: {},
    recentEntries: [],
    seq: 0,
    version: 0,
    createdAt: now,
    updatedAt: now,
  };
}

/** Deep enough a copy that the plan can change it freely. */
function cloneMember(member: LoyaltyMemberItem): LoyaltyMemberItem {
  return structuredClone(member);
}

function earnProgram(program: LoyaltyProgramItem): EarnProgram {
  return {
    pointsPerUnit: program.pointsPerUnit,
    rounding: program.rounding,
    includeShipping: program.includeShipping,
    includeTax: program.includeTax,
    actions: program.actions,
  };
}

/** Members who have not joined earn base points only under AUTOMATIC/HYBRID; tiers need joining except under AUTOMATIC. */
function tierCounts(program: LoyaltyProgramItem, member: LoyaltyMemberItem): boolean {
  return program.enrollment === 'AUTOMATIC' || member.joined;
}

function tierMultiplier(program: LoyaltyProgramItem, member: LoyaltyMemberItem): number {
  if (!program.tierConfig || !member.tierId || !tierCounts(program, member)) return 1;
  return program.tierConfig.tiers.find((tier) => tier.id === member.tierId)?.multiplier ?? 1;
}

/** Given a ledger result, moves it onto the member and collects its entries. */
function absorb(member: LoyaltyMemberItem, result: LedgerResult, entries: LedgerEntry[]): void {
  member.state = result.state;
  entries.push(...result.entries);
}

function prune(member: LoyaltyMemberItem, now: string): void {
  member.state = pruneLots(member.state, { at: now, reversibleForDays });
}

// ---------------------------------------------------------------------------------------------
// Tiers on the account

function valueIn(config: TierConfig, events: readonly QualifyingEvent[], window: TimeWindow): number {
  let value = 0;
  for (const event of events) {
    if (window.start !== null && event.at < window.start) continue;
    if (event.at >= window.end) continue;
    value += config.metric === 'POINTS_EARNED' ? event.points : event.amount;
  }
  return value;
}

/** Given a member, returns their tier as the pure rules see it. */
export function memberTier(member: LoyaltyMemberItem | undefined): MemberTier {
  return { tierId: member?.tierId ?? null, qualifiedAt: member?.tierQualifiedAt ?? null };
}

/** Given a config, a member and an instant, returns the member's progress and review-window values. */
export function tierValues(config: TierConfig, member: LoyaltyMemberItem | undefined, at: string): { progressValue: number; retainValue: number } {
  const events = member?.qualifying ?? [];
  const progressValue = valueIn(config, events, progressWindow(config, at));
  const review = member ? reviewWindow(config, memberTier(member)) : null;
  const retainValue = review ? valueIn(config, events, { start: review.start, end: at < review.end ? addMs(at, 1) : review.end }) : progressValue;
  return { progressValue, retainValue };
}

function addMs(at: string, ms: number): string {
  return new Date(toMs(at) + ms).toISOString();
}

/** Records what counts towards tiers and upgrades the member as soon as a threshold is reached. */
function qualify(program: LoyaltyProgramItem, member: LoyaltyMemberItem, event: QualifyingEvent, now: string): void {
  member.qualifying.push(event);
  const horizon = addZonedMonths(now, -qualifyingKeptMonths, 'UTC');
  const old = member.qualifying.filter((e) => e.at < horizon);
  if (old.length > 1) {
    const folded = old.reduce((sum, e) => ({ at: sum.at < e.at ? sum.at : e.at, points: sum.points + e.points, amount: sum.amount + e.amount }));
    member.qualifying = [folded, ...member.qualifying.filter((e) => e.at >= horizon)];
  }
  upgrade(program, member, now);
}

function upgrade(program: LoyaltyProgramItem, member: LoyaltyMemberItem, now: string): void {
  const config = program.tierConfig;
  if (!config || !tierCounts(program, member)) return;
  const { progressValue } = tierValues(config, member, now);
  const decision = evaluateUpgrade(config, memberTier(member), progressValue, now);
  if (decision.change === 'UPGRADED') setTier(member, decision.tier);
}

function setTier(member: LoyaltyMemberItem, tier: MemberTier): void {
  if (tier.tierId === null) {
    delete member.tierId;
    delete member.tierQualifiedAt;
  } else {
    member.tierId = tier.tierId;
    member.tierQualifiedAt = tier.qualifiedAt!;
  }
}

// ---------------------------------------------------------------------------------------------
// Earning from orders (the stream projection calls these)

/** True when the enrollment mode lets this account earn base points at `at`. */
function earnsBase(mode: EnrollmentMode, member: LoyaltyMemberItem | undefined, at: string): boolean {
  if (mode !== 'OPT_IN') return true;
  return Boolean(member?.joined && member.joinedAt && member.joinedAt <= at);
}

/**
 * Earns an order's points once (receipt `ORDER#<id>`): rate x eligible amount x the member's tier
 * multiplier, pending for the program's pending days from when the order was placed, plus the
 * FIRST_ORDER bonus when the program has one and its limits allow it. Under OPT_IN an order placed
 * before the customer joined earns nothing.
 */
export async function earnForOrder(shop: LoyaltyShop, order: LoyaltyOrder, now: string): Promise<number> {
  if (order.status === 'CANCELLED') return 0;
  const program = await getProgram(shop.tenantId);
  if (!program) return 0;
  const { result } = await applyToMember<{ points: number }>({
    tenantId: shop.tenantId,
    customerId: order.customerId,
    receiptId: `ORDER#${order.orderId}`,
    now,
    program,
    decide: (current) => {
      if (!earnsBase(program.enrollment, current, order.placedAt)) return null;
      const member = current ? cloneMember(current) : newMember(shop.tenantId, order.customerId, now, program.enrollment === 'AUTOMATIC');
      const amounts: OrderAmounts = {
        currencyCode: order.currencyCode,
        subtotal: order.subtotal,
        discount: order.discounts,
        shipping: order.shipping,
        tax: order.tax,
      };
      const earned = orderPoints(earnProgram(program), tierMultiplier(program, member), amounts);
      if (earned.points <= 0 && earned.eligibleAmount <= 0) return null;
      const entries: LedgerEntry[] = [];
      if (earned.points > 0) {
        absorb(
          member,
          earn(member.state, {
            points: earned.points,
            source: { type: 'ORDER', id: order.orderId },
            at: order.placedAt,
            pendingDays: program.pendingDays,
            expiry: program.expiry,
            reason: 'ORDER',
            eligibleAmount: earned.eligibleAmount,
          }),
          entries,
        );
      }
      let bonus = 0;
      // A first order is first once, whatever limits the rule was given.
      if ((program.enrollment === 'AUTOMATIC' || member.joined) && !member.actionEarns.FIRST_ORDER?.length) {
        bonus = grantAction(program, shop, member, 'FIRST_ORDER', `FIRST_ORDER#${order.orderId}`, order.placedAt, entries);
      }
      prune(member, now);
      qualify(program, member, { at: order.placedAt, points: earned.points + bonus, amount: earned.eligibleAmount }, order.placedAt);
      return { member, entries, result: { points: earned.points + bonus } };
    },
  });
  return result?.points ?? 0;
}

/**
 * Takes back, once per refund (receipt `REFUND#<order>#<refund>`), the share of the order's points
 * that the refunded amount is of its eligible amount (cumulative over partial refunds; the part of
 * refunds beyond the eligible amount, such as shipping, takes nothing more): from the order's own
 * pending points first, then available ones; what none covers is recorded as shortfall.
 */
export async function reverseForRefund(shop: LoyaltyShop, order: LoyaltyOrder, refund: LoyaltyRefund, now: string): Promise<number> {
  const program = await getProgram(shop.tenantId);
  if (!program) return 0;
  const { result } = await applyToMember<{ points: number }>({
    tenantId: shop.tenantId,
    customerId: order.customerId,
    receiptId: `REFUND#${order.orderId}#${refund.refundId}`,
    now,
    program,
    decide: (current) => {
      const lot = current ? findLot(current.state, { type: 'ORDER', id: order.orderId }) : undefined;
      if (!current || !lot || lot.eligibleAmount === null) return null;
      const member = cloneMember(current);
      const entries: LedgerEntry[] = [];
      absorb(
        member,
        reverse(member.state, {
          source: { type: 'ORDER', id: order.orderId },
          at: refund.createdAt,
          allowNegative: program.allowNegative,
          refund: { amount: refund.amount, eligibleAmount: lot.eligibleAmount },
        }),
        entries,
      );
      const taken = clawedBack(current.state, member.state, order.orderId);
      const refundedEligible = Math.min(refund.amount, lot.eligibleAmount - lot.refundedAmount);
      qualify(program, member, { at: refund.createdAt, points: -taken, amount: -Math.max(0, refundedEligible) }, refund.createdAt);
      return { member, entries, result: { points: taken } };
    },
  });
  return result?.points ?? 0;
}

/** Takes back, once (receipt `CANCEL#<order>`), whatever the order earned and has not given back. */
export async function reverseForCancellation(shop: LoyaltyShop, order: LoyaltyOrder, now: string): Promise<number> {
  const program = await getProgram(shop.tenantId);
  if (!program) return 0;
  const at = order.cancelledAt ?? now;
  const { result } = await applyToMember<{ points: number }>({
    tenantId: shop.tenantId,
    customerId: order.customerId,
    receiptId: `CANCEL#${order.orderId}`,
    now,
    program,
    decide: (current) => {
      const lot = current ? findLot(current.state, { type: 'ORDER', id: order.orderId }) : undefined;
      if (!current || !lot || lot.reversed >= lot.points) return null;
      const member = cloneMember(current);
      const entries: LedgerEntry[] = [];
      absorb(
        member,
        reverse(member.state, { source: { type: 'ORDER', id: order.orderId }, at, allowNegative: program.allowNegative, reason: 'CANCELLATION', points: lot.points }),
        entries,
      );
      const taken = clawedBack(current.state, member.state, order.orderId);
      const amountLeft = (lot.eligibleAmount ?? 0) - lot.refundedAmount;
      qualify(program, member, { at, points: -taken, amount: -Math.max(0, amountLeft) }, at);
      return { member, entries, result: { points: taken } };
    },
  });
  return result?.points ?? 0;
}

function clawedBack(before: LedgerState, after: LedgerState, orderId: string): number {
  const source = { type: 'ORDER' as const, id: orderId };
  return (findLot(after, source)?.reversed ?? 0) - (findLot(before, source)?.reversed ?? 0);
}

// ---------------------------------------------------------------------------------------------
// Program

const defaultProgram = {
  enrollment: 'AUTOMATIC' as const,
  pointsName: 'Points',
  pointsPerUnit: 1,
  rounding: 'FLOOR' as const,
  includeShipping: false,
  includeTax: false,
  pendingDays: 14,
  expiry: { type: 'NEVER' } as ExpiryPolicy,
  allowNegative: false,
  actions: [],
};

/** Creates or changes the shop's program; with `expectedVersion`, only over that version. */
export async function updateProgram(shop: LoyaltyShop, input: LoyaltyProgramUpdateInput, now: string): Promise<LoyaltyProgramItem> {
  const current = await getProgram(shop.tenantId);
  const currentVersion = current?.version ?? 0;
  if (input.expectedVersion !== null && input.expectedVersion !== undefined && input.expectedVersion !== currentVersion) {
    throw new ProgramVersionConflictError(input.expectedVersion, currentVersion);
  }
  const base = current ?? { ...defaultProgram, tenantId: shop.tenantId, version: 0, createdAt: now, updatedAt: now };
  const pick = <K extends keyof typeof defaultProgram>(key: K) => (input[key] ?? base[key]) as LoyaltyProgramItem[K];
  const next: LoyaltyProgramItem = {
    ...base,
    enrollment: pick('enrollment'),
    pointsName: pick('pointsName'),
    pointsPerUnit: pick('pointsPerUnit'),
    rounding: pick('rounding'),
    includeShipping: pick('includeShipping'),
    includeTax: pick('includeTax'),
    pendingDays: pick('pendingDays'),
    expiry: pick('expiry'),
    allowNegative: pick('allowNegative'),
    actions: (input.actions ?? base.actions) as LoyaltyProgramItem['actions'],
    version: currentVersion + 1,
    updatedAt: now,
  };
  await writeProgram(current, next);
  return next;
}

async function writeProgram(current: LoyaltyProgramItem | undefined, next: LoyaltyProgramItem): Promise<void> {
  forgetCachedConfig(next.tenantId);
  const outcome = await writeTransaction(db(), (entities) => [
    current
      ? entities.loyaltyProgram
          .put(next as never)
          .where((attr, op) => op.eq(attr.version, current.version))
          .commit()
      : entities.loyaltyProgram.create(next as never).commit(),
  ]);
  if (!outcome.ok) {
    const actual = (await getProgram(next.tenantId))?.version ?? 0;
    throw new ProgramVersionConflictError(next.version - 1, actual);
  }
}

async function requireProgram(tenantId: string): Promise<LoyaltyProgramItem> {
  const program = await getProgram(tenantId);
  if (!program) throw new ProgramNotFoundError();
  return program;
}

// ---------------------------------------------------------------------------------------------
// Members: join, actions, adjustments

/** Grants an action bonus into `entries` when the rule allows it now; returns the points granted. */
function grantAction(
  program: LoyaltyProgramItem,
  shop: LoyaltyShop,
  member: LoyaltyMemberItem,
  action: ActionType,
  sourceId: string,
  at: string,
  entries: LedgerEntry[],
): number {
  const priors = member.actionEarns[action] ?? [];
  const bonus = actionBonus(earnProgram(program), action, priors, at, shop.timeZone);
  if (!bonus.allowed) return 0;
  const result = earn(member.state, {
    points: bonus.points,
    source: { type: 'ACTION', id: sourceId },
    at,
    pendingDays: 0,
    expiry: program.expiry,
    reason: action,
  });
  if (result.entries.length === 0) return 0;
  absorb(member, result, entries);
  rememberAction(member, action, at);
  return bonus.points;
}

/** Keeps the instants the limits need: the last 13 months, and the first ever (ONCE_EVER). */
function rememberAction(member: LoyaltyMemberItem, action: string, at: string): void {
  const times = [...(member.actionEarns[action] ?? []), at].sort();
  const horizon = addDays(at, -400);
  member.actionEarns[action] = times.filter((t, index) => index === 0 || t >= horizon);
}

/** Joins the program (idempotent), granting the SIGNUP bonus when the program has one. */
export async function joinProgram(shop: LoyaltyShop, customerId: string, now: string): Promise<LoyaltyMemberItem> {
  const program = await requireProgram(shop.tenantId);
  await applyToMember({
    tenantId: shop.tenantId,
    customerId,
    receiptId: null,
    now,
    program,
    decide: (current) => {
      if (current?.joined) return null;
      const member = current ? cloneMember(current) : newMember(shop.tenantId, customerId, now, true);
      member.joined = true;
      member.joinedAt = now;
      const entries: LedgerEntry[] = [];
      const bonus = grantAction(program, shop, member, 'SIGNUP', 'SIGNUP', now, entries);
      if (bonus > 0) qualify(program, member, { at: now, points: bonus, amount: 0 }, now);
      else upgrade(program, member, now);
      return { member, entries, result: null };
    },
  });
  return (await getMember(shop.tenantId, customerId))!;
}

/**
 * Grants an action bonus once per idempotency key (receipt `ACTION#<action>#<key>`), within the
 * rule's limits; a refused action is an ActionNotAllowedError and writes nothing.
 */
export async function recordAction(
  shop: LoyaltyShop,
  customerId: string,
  input: Pick<LoyaltyActionRecordInput, 'action' | 'idempotencyKey' | 'at'>,
  now: string,
): Promise<{ points: number; replayed: boolean }> {
  if (input.at) {
    const outside = dateOutsideWindow(new Date(input.at), new Date(now));
    if (outside) throw new InvalidInputError(`at ${outside}`, ['at']);
  }
  const program = await requireProgram(shop.tenantId);
  const at = input.at ? new Date(input.at).toISOString() : now;
  const { result, replayed } = await applyToMember<{ points: number }>({
    tenantId: shop.tenantId,
    customerId,
    receiptId: `ACTION#${input.action}#${input.idempotencyKey}`,
    now,
    program,
    decide: (current) => {
      if (program.enrollment !== 'AUTOMATIC' && !current?.joined) throw new NotAMemberError();
      const member = current ? cloneMember(current) : newMember(shop.tenantId, customerId, now, true);
      const check = actionBonus(earnProgram(program), input.action, member.actionEarns[input.action] ?? [], at, shop.timeZone);
      if (!check.allowed) throw new ActionNotAllowedError(input.action, check.reason, check.retryAt);
      const entries: LedgerEntry[] = [];
      const points = grantAction(program, shop, member, input.action, `${input.action}#${input.idempotencyKey}`, at, entries);
      prune(member, now);
      qualify(program, member, { at, points, amount: 0 }, at);
      return { member, entries, result: { points } };
    },
  });
  return { points: result?.points ?? 0, replayed };
}

/** An admin adjustment, once per idempotency key (receipt `ADJUST#<key>`). */
export async function adjustPoints(
  shop: LoyaltyShop,
  customerId: string,
  input: Pick<LoyaltyPointsAdjustInput, 'points' | 'reason' | 'idempotencyKey'>,
  now: string,
): Promise<{ points: number; replayed: boolean }> {
  const program = await requireProgram(shop.tenantId);
  const { result, replayed } = await applyToMember<{ points: number }>({
    tenantId: shop.tenantId,
    customerId,
    receiptId: `ADJUST#${input.idempotencyKey}`,
    now,
    program,
    decide: (current) => {
      const member = current ? cloneMember(current) : newMember(shop.tenantId, customerId, now, program.enrollment === 'AUTOMATIC');
      const entries: LedgerEntry[] = [];
      absorb(
        member,
        adjust(member.state, {
          points: input.points,
          reason: input.reason,
          at: now,
          id: input.idempotencyKey,
          allowNegative: program.allowNegative,
          expiry: program.expiry,
        }),
        entries,
      );
      prune(member, now);
      return { member, entries, result: { points: input.points } };
    },
  });
  return { points: result?.points ?? 0, replayed };
}

// ---------------------------------------------------------------------------------------------
// Rewards and redemption

/** Creates a reward (an idempotency key, when given, is its id: a retry finds it). */
export async function createReward(shop: LoyaltyShop, input: LoyaltyRewardCreateInput, now: string): Promise<LoyaltyRewardItem> {
  const rewardId = input.idempotencyKey ? `rw_${input.idempotencyKey}` : `rw_${randomUUID().replaceAll('-', '').slice(0, 20)}`;
  const existing = await getReward(shop.tenantId, rewardId);
  if (existing) return existing;
  const reward: LoyaltyRewardItem = {
    tenantId: shop.tenantId,
    rewardId,
    name: input.name,
    kind: input.kind,
    pointsCost: input.pointsCost,
    ...optionalRewardFields(input),
    status: 'ACTIVE',
    version: 1,
    createdAt: now,
    updatedAt: now,
  };
  forgetCachedConfig(shop.tenantId);
  try {
    await db().entities.loyaltyReward.create(reward).go();
  } catch (error) {
    const raced = await getReward(shop.tenantId, rewardId);
    if (raced) return raced;
    throw error;
  }
  return reward;
}

function optionalRewardFields(input: Partial<Record<'value' | 'productId' | 'minimumOrderAmount' | 'validityDays' | 'perCustomerLimit' | 'stock' | 'tierRequired', unknown>>) {
  const out: Partial<LoyaltyRewardItem> = {};
  for (const key of ['value', 'productId', 'minimumOrderAmount', 'validityDays', 'perCustomerLimit', 'stock', 'tierRequired'] as const) {
    const value = input[key];
    if (value !== null && value !== undefined) (out as Record<string, unknown>)[key] = value;
  }
  return out;
}

/** Changes a reward; issued coupons keep what they were issued with. */
export async function updateReward(tenantId: string, input: LoyaltyRewardUpdateInput, now: string): Promise<LoyaltyRewardItem> {
  const reward = await getReward(tenantId, input.rewardId);
  if (!reward) throw new RewardNotFoundError(input.rewardId);
  const changes = {
    ...(input.name ? { name: input.name } : {}),
    ...(input.kind ? { kind: input.kind } : {}),
    ...(input.pointsCost ? { pointsCost: input.pointsCost } : {}),
    ...optionalRewardFields(input),
  };
  forgetCachedConfig(tenantId);
  return (await db()
    .entities.loyaltyReward.patch({ tenantId, rewardId: input.rewardId })
    .set({ ...changes, updatedAt: now })
    .add({ version: 1 })
    .go({ response: 'all_new' })).data as LoyaltyRewardItem;
}

/** Archives a reward: it can no longer be redeemed; archiving twice changes nothing. */
export async function archiveReward(tenantId: string, rewardId: string, now: string): Promise<LoyaltyRewardItem> {
  const reward = await getReward(tenantId, rewardId);
  if (!reward) throw new RewardNotFoundError(rewardId);
  if (reward.status === 'ARCHIVED') return reward;
  forgetCachedConfig(tenantId);
  return (await db()
    .entities.loyaltyReward.patch({ tenantId, rewardId })
    .set({ status: 'ARCHIVED', updatedAt: now })
    .add({ version: 1 })
    .go({ response: 'all_new' })).data as LoyaltyRewardItem;
}

const couponAlphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';

/** 16 characters of a 32-letter alphabet from a CSPRNG: 80 bits, unguessable. */
function newCouponCode(): string {
  const bytes = randomBytes(16);
  let code = '';
  for (let i = 0; i < 16; i++) {
    code += couponAlphabet[bytes[i]! & 31];
    if (i % 4 === 3 && i < 15) code += '-';
  }
  return code;
}

/**
 * Redeems a reward for a customer: deducts its cost from the available points (earliest expiry
 * first) and issues a coupon, in one transaction over the account's version, so concurrent
 * redemptions never overdraw. With an idempotency key, a retry returns the first coupon.
 */
export async function redeemReward(
  shop: LoyaltyShop,
  customerId: string,
  input: { rewardId: string; idempotencyKey?: string | null | undefined },
  now: string,
): Promise<{ coupon: LoyaltyCouponItem; replayed: boolean }> {
  const config = await getLoyaltyConfig(shop.tenantId);
  const program = config.program;
  if (!program) throw new ProgramNotFoundError();
  const reward = config.rewards.find((r) => r.rewardId === input.rewardId);
  if (!reward) throw new RewardNotFoundError(input.rewardId);
  const redemptionId = input.idempotencyKey ?? randomUUID();
  const { result, replayed } = await applyToMember<LoyaltyCouponItem>({
    tenantId: shop.tenantId,
    customerId,
    receiptId: `REDEEM#${redemptionId}`,
    now,
    program,
    decide: (current) => {
      if (reward.status !== 'ACTIVE') throw new RewardUnavailableError(reward.rewardId, 'archived');
      if (reward.stock !== undefined && reward.stock <= 0) throw new RewardUnavailableError(reward.rewardId, 'out of stock');
      if (program.enrollment !== 'AUTOMATIC' && !current?.joined) throw new NotAMemberError();
      if (!current) throw new InsufficientPointsError(0, reward.pointsCost);
      const member = cloneMember(current);
      if (reward.tierRequired && !holdsTier(program, member, reward.tierRequired)) {
        throw new RewardUnavailableError(reward.rewardId, `needs tier ${reward.tierRequired}`);
      }
      const used = member.rewardRedemptions[reward.rewardId] ?? 0;
      if (reward.perCustomerLimit !== undefined && used >= reward.perCustomerLimit) {
        throw new RewardUnavailableError(reward.rewardId, `limit of ${reward.perCustomerLimit} per customer reached`);
      }
      const entries: LedgerEntry[] = [];
      if (program.expiry.type === 'INACTIVITY') absorb(member, expire(member.state, { at: now, policy: program.expiry }), entries);
      absorb(
        member,
        redeem(member.state, { points: reward.pointsCost, at: now, source: { type: 'REWARD', id: redemptionId }, reason: reward.rewardId }),
        entries,
      );
      member.rewardRedemptions[reward.rewardId] = used + 1;
      prune(member, now);
      const coupon: LoyaltyCouponItem = {
        tenantId: shop.tenantId,
        code: newCouponCode(),
        customerId,
        rewardId: reward.rewardId,
        redemptionId,
        pointsSpent: reward.pointsCost,
        kind: reward.kind,
        ...(reward.value !== undefined ? { value: reward.value } : {}),
        ...(reward.productId !== undefined ? { productId: reward.productId } : {}),
        ...(reward.minimumOrderAmount !== undefined ? { minimumOrderAmount: reward.minimumOrderAmount } : {}),
        status: 'ISSUED',
        ...(reward.validityDays !== undefined ? { expiresAt: addDays(now, reward.validityDays) } : {}),
        createdAt: now,
      };
      return {
        member,
        entries,
        result: coupon,
        extra: (entities) => [
          entities.loyaltyCoupon.create(coupon).commit(),
          reward.stock !== undefined
            ? entities.loyaltyReward
                .patch({ tenantId: shop.tenantId, rewardId: reward.rewardId })
                .subtract({ stock: 1 })
                .where((attr, op) => `${op.eq(attr.status, 'ACTIVE')} AND ${op.gt(attr.stock, 0)}`)
                .commit()
            : entities.loyaltyReward
                .check({ tenantId: shop.tenantId, rewardId: reward.rewardId })
                .where((attr, op) => op.eq(attr.status, 'ACTIVE'))
                .commit(),
        ],
        onExtraFailure: (reasons) => {
          if (reasons[1] === 'ConditionalCheckFailed') throw new RewardUnavailableError(reward.rewardId, 'archived or out of stock');
        },
        events: (entities, clock) => [
          eventTxItem(entities, loyaltyRewardRedeemed, {
            shopId: shop.tenantId,
            factKey: `${customerId}#${redemptionId}`,
            occurredAt: now,
            data: {
              customerId,
              rewardId: reward.rewardId,
              redemptionId,
              pointsSpent: reward.pointsCost,
              couponCode: coupon.code,
              kind: reward.kind,
              expiresAt: coupon.expiresAt ?? null,
              redeemedAt: now,
            },
          }, clock),
        ],
      };
    },
  });
  if (reward.stock !== undefined) forgetCachedConfig(shop.tenantId);
  // A replay answers with the coupon as it is now (it may have been used since).
  const coupon = replayed ? await getCoupon(shop.tenantId, result!.code) : result;
  return { coupon: coupon!, replayed };
}

function holdsTier(program: LoyaltyProgramItem, member: LoyaltyMemberItem, tierId: string): boolean {
  const tiers = program.tierConfig?.tiers ?? [];
  const required = tiers.findIndex((tier) => tier.id === tierId);
  const held = tiers.findIndex((tier) => tier.id === member.tierId);
  return required >= 0 && held >= required;
}

/** Why a coupon cannot be applied to an order now, or null when it can. */
export function couponProblem(coupon: LoyaltyCouponItem, now: string, orderAmount: number | null | undefined): string | null {
  if (coupon.status === 'USED') return `already used on order ${coupon.orderId}`;
  if (coupon.expiresAt && coupon.expiresAt <= now) return 'expired';
  if (coupon.minimumOrderAmount !== undefined && orderAmount !== null && orderAmount !== undefined && orderAmount < coupon.minimumOrderAmount) {
    return `needs an order of at least ${coupon.minimumOrderAmount}`;
  }
  return null;
}

/**
 * Marks a coupon used on an order. Idempotent on the order id: the same order again returns the
 * coupon as it is; another order is a CouponInvalidError.
 */
export async function markCouponUsed(tenantId: string, code: string, orderId: string, now: string): Promise<LoyaltyCouponItem> {
  const coupon = await getCoupon(tenantId, code);
  if (!coupon) throw new CouponInvalidError(code, 'unknown code');
  if (coupon.status === 'USED') {
    if (coupon.orderId === orderId) return coupon;
    throw new CouponInvalidError(code, `already used on order ${coupon.orderId}`);
  }
  const problem = couponProblem(coupon, now, null);
  if (problem) throw new CouponInvalidError(code, problem);
  try {
    await db()
      .entities.loyaltyCoupon.patch({ tenantId, code })
      .set({ status: 'USED', orderId, usedAt: now })
      .where((attr, op) => op.eq(attr.status, 'ISSUED'))
      .go();
  } catch (error) {
    const raced = await getCoupon(tenantId, code);
    if (raced?.status === 'USED') {
      if (raced.orderId === orderId) return raced;
      throw new CouponInvalidError(code, `already used on order ${raced.orderId}`);
    }
    throw error;
  }
  return (await getCoupon(tenantId, code))!;
}

// ---------------------------------------------------------------------------------------------
// Tier configuration changes

function tierConfigFrom(shop: LoyaltyShop, input: LoyaltyTierConfigInput, version: number): TierConfig {
  return { version, metric: input.metric, window: input.window, timeZone: shop.timeZone, tiers: input.tiers };
}

const emptyTierConfig = (shop: LoyaltyShop): TierConfig => ({ version: 0, metric: 'POINTS_EARNED', window: 'LIFETIME', timeZone: shop.timeZone, tiers: [] });

/** Given a proposed tier configuration, returns who would move up now and down at their window end. Writes nothing. */
export async function previewTiers(shop: LoyaltyShop, input: LoyaltyTierConfigInput, now: string): Promise<TierChangePreview> {
  const program = await requireProgram(shop.tenantId);
  const oldConfig = program.tierConfig ?? emptyTierConfig(shop);
  return previewAgainst(shop, program, oldConfig, tierConfigFrom(shop, input, oldConfig.version + 1), now);
}

async function previewAgainst(shop: LoyaltyShop, program: LoyaltyProgramItem, oldConfig: TierConfig, newConfig: TierConfig, now: string): Promise<TierChangePreview> {
  validateTierConfig(newConfig);
  const members: Parameters<typeof previewTierChange>[0][number][] = [];
  await forEachMember(shop.tenantId, async (member) => {
    if (!tierCounts(program, member)) return;
    members.push({ memberId: member.customerId, tier: memberTier(member), ...tierValues(newConfig, member, now) });
  });
  return previewTierChange(members, oldConfig, newConfig);
}

/**
 * Applies a new tier configuration (a new version): members who reach a higher tier are upgraded
 * now; members who would fall are only marked to be re-evaluated at the end of their current
 * window, never sooner. Returns the preview of what it did.
 */
export async function applyTiers(shop: LoyaltyShop, input: LoyaltyTierConfigInput, now: string): Promise<{ program: LoyaltyProgramItem; preview: TierChangePreview }> {
  const program = await requireProgram(shop.tenantId);
  if (input.expectedVersion !== null && input.expectedVersion !== undefined && input.expectedVersion !== (program.tierConfig?.version ?? 0)) {
    throw new ProgramVersionConflictError(input.expectedVersion, program.tierConfig?.version ?? 0);
  }
  const oldConfig = program.tierConfig ?? emptyTierConfig(shop);
  const newConfig = tierConfigFrom(shop, input, oldConfig.version + 1);
  const preview = await previewAgainst(shop, program, oldConfig, newConfig, now);
  const next: LoyaltyProgramItem = { ...program, tierConfig: newConfig, version: program.version + 1, updatedAt: now };
  await writeProgram(program, next);
  await forEachMember(shop.tenantId, async (listed) => {
    await applyToMember({
      tenantId: shop.tenantId,
      customerId: listed.customerId,
      receiptId: null,
      now,
      program: next,
      decide: (current) => {
        if (!current || !tierCounts(next, current)) return null;
        const move = tierChangeFor({ memberId: current.customerId, tier: memberTier(current), ...tierValues(newConfig, current, now) }, oldConfig, newConfig);
        if (!move) return null;
        const member = cloneMember(current);
        if (move.kind === 'upgradeNow') setTier(member, { tierId: move.to, qualifiedAt: now });
        else member.tierHeldUntil = move.effectiveAt;
        return { member, entries: [], result: null };
      },
    });
  });
  return { program: next, preview };
}

// ---------------------------------------------------------------------------------------------
// Scheduled work

/**
 * Expires, for every member of a shop, the points due at `now` under the program's policy (lots
 * past their expiry, or everything after the inactivity period). Idempotent: a second run at the
 * same instant finds nothing due. Returns the points expired.
 */
export async function expireDuePoints(tenantId: string, now: string): Promise<{ members: number; points: number }> {
  const program = await getProgram(tenantId);
  if (!program || program.expiry.type === 'NEVER') return { members: 0, points: 0 };
  let members = 0;
  let points = 0;
  await forEachMember(tenantId, async (listed) => {
    const { result } = await applyToMember<{ points: number }>({
      tenantId,
      customerId: listed.customerId,
      receiptId: null,
      now,
      program,
      decide: (current) => {
        if (!current) return null;
        const member = cloneMember(current);
        const result = expire(member.state, { at: now, policy: program.expiry });
        if (result.entries.length === 0) return null;
        const entries: LedgerEntry[] = [];
        absorb(member, result, entries);
        prune(member, now);
        return { member, entries, result: { points: -result.entries.reduce((sum, e) => sum + e.points, 0) } };
      },
    });
    if (result) {
      members += 1;
      points += result.points;
    }
  });
  return { members, points };
}

/**
 * Re-evaluates, for every member of a shop whose tier window has ended by `now`, whether the tier
 * is kept, raised or lowered (once per ended window: the decision moves the window on, so a
 * second run finds nothing due). Returns how many members changed tier.
 */
export async function reevaluateTiers(tenantId: string, now: string): Promise<{ evaluated: number; changed: number }> {
  const program = await getProgram(tenantId);
  const config = program?.tierConfig;
  if (!program || !config) return { evaluated: 0, changed: 0 };
  let evaluated = 0;
  let changed = 0;
  await forEachMember(tenantId, async (listed) => {
    const { result } = await applyToMember<{ changed: boolean }>({
      tenantId,
      customerId: listed.customerId,
      receiptId: null,
      now,
      program,
      decide: (current) => {
        if (!current || !current.tierId) return null;
        if (current.tierHeldUntil && current.tierHeldUntil > now) return null;
        const member = cloneMember(current);
        let moved = false;
        let evaluatedOnce = false;
        for (let end = windowEnd(config, memberTier(member)); end !== null && end <= now; end = windowEnd(config, memberTier(member))) {
          const review = reviewWindow(config, memberTier(member))!;
          const decision = evaluateAtWindowEnd(config, memberTier(member), valueIn(config, member.qualifying, review));
          moved ||= decision.change !== 'KEPT';
          evaluatedOnce = true;
          setTier(member, decision.tier);
        }
        if (!evaluatedOnce && !current.tierHeldUntil) return null;
        delete member.tierHeldUntil;
        return { member, entries: [], result: { changed: moved } };
      },
    });
    if (result) {
      evaluated += 1;
      if (result.changed) changed += 1;
    }
  });
  return { evaluated, changed };
}

// ---------------------------------------------------------------------------------------------
// The statement

export interface LoyaltyStatement {
  tenantId: string;
  customerId: string;
  program: LoyaltyProgramItem;
  rewards: LoyaltyRewardItem[];
  member: LoyaltyMemberItem | undefined;
  now: string;
  timeZone: string;
}

/**
 * Given a customer, returns everything their loyalty statement shows, from one round of two
 * parallel reads: the shop's loyalty configuration (program + rewards, one Query) and the
 * customer's account (one GetItem, which also holds the most recent ledger entries). `reads` lets
 * a request share them: one configuration read and one batched account read for a whole list.
 */
export async function loadStatement(
  shop: LoyaltyShop,
  customerId: string,
  now: string,
  reads: {
    config: () => Promise<Awaited<ReturnType<typeof getLoyaltyConfig>>>;
    member: (customerId: string) => Promise<LoyaltyMemberItem | undefined>;
  } = { config: () => getLoyaltyConfig(shop.tenantId), member: (id) => getMember(shop.tenantId, id) },
): Promise<LoyaltyStatement | undefined> {
  const [config, member] = await Promise.all([reads.config(), reads.member(customerId)]);
  if (!config.program) return undefined;
  return { tenantId: shop.tenantId, customerId, program: config.program, rewards: config.rewards, member, now, timeZone: shop.timeZone };
}

/** Given a statement, returns the balance at its instant (pending points become available by time alone). */
export function statementBalance(statement: LoyaltyStatement) {
  return balance(statement.member?.state ?? emptyLedgerState(), statement.now);
}
