import { randomBytes } from 'node:crypto';
import type { Clock } from '../common/clock.js';
import { sha256Hex, randomToken } from '../common/hash.js';
import { getCustomer } from '../customers/index.js';
import { backoff, maxOptimisticAttempts, writeTransaction } from '../db/transactions.js';
import { db } from '../db/service.js';
import { emit, type EventEnvelope } from '../events/index.js';
import { getShop } from '../shops/index.js';
import { FlowNotFoundError, FlowStatusError } from './flows.errors.js';
import type { FlowAssignmentItem, FlowCounterItem, FlowEntryItem, FlowItem } from './flows.entities.js';
import { flowAction } from './flows.events.js';
import type { FlowConditions, FlowCreateInput, FlowUpdateInput } from './flows.inputs.js';
import { assignGroup, type FlowGroup } from './holdout.js';
import { flowReportFigures, type FlowReportFigures, type GroupCounters } from './report.js';

const dayMs = 86_400_000;

/** Reads one flow of the shop. */
export async function getFlow(tenantId: string, flowId: string): Promise<FlowItem | undefined> {
  return (await db().entities.flow.get({ tenantId, flowId }).go()).data ?? undefined;
}

/** Lists the shop's flows, oldest first. */
export async function listFlows(tenantId: string): Promise<FlowItem[]> {
  return (await db().entities.flow.query.byShop({ tenantId }).go({ pages: 'all' })).data;
}

/**
 * Creates a flow in DRAFT. With an idempotency key the flow id is derived from it, so a retried
 * request finds the flow it created (conditional create) instead of making a second one.
 */
export async function createFlow(tenantId: string, input: FlowCreateInput, now: Date, idempotencyKey?: string): Promise<{ flow: FlowItem; created: boolean }> {
  const flowId = idempotencyKey ? `flw_${sha256Hex(`${tenantId}:${idempotencyKey}`).slice(0, 24)}` : `flw_${randomBytes(12).toString('hex')}`;
  const at = now.toISOString();
  const item = {
    tenantId, flowId, name: input.name, status: 'DRAFT' as const, triggerType: input.triggerType, conditions: input.conditions,
    holdoutShare: input.holdoutShare, salt: randomToken(32), reentryDays: input.reentryDays, goalDays: input.goalDays,
    version: 1, createdAt: at, updatedAt: at,
    ...(input.couponCode ? { couponCode: input.couponCode } : {}),
    ...(input.goalMinimumAmount !== undefined ? { goalMinimumAmount: input.goalMinimumAmount } : {}),
  };
  try {
    await db().entities.flow.create(item).go({ response: 'none' });
    return { flow: item as FlowItem, created: true };
  } catch (error) {
    const existing = await getFlow(tenantId, flowId);
    if (existing) return { flow: existing, created: false };
    throw error;
  }
}

const transitions: Record<FlowItem['status'], FlowItem['status'][]> = {
  DRAFT: ['ACTIVE', 'ARCHIVED'],
  ACTIVE: ['PAUSED', 'ARCHIVED'],
  PAUSED: ['ACTIVE', 'ARCHIVED'],
  ARCHIVED: [],
};

/** Moves a flow to `to`; asking for the status it already has changes nothing (a retry). */
export async function transitionFlow(tenantId: string, flowId: string, to: FlowItem['status'], now: Date): Promise<FlowItem> {
  const flow = await getFlow(tenantId, flowId);
  if (!flow) throw new FlowNotFoundError();
  if (flow.status === to) return flow;
  if (!transitions[flow.status].includes(to)) throw new FlowStatusError(flow.status, to);
  // Conditional on the status read, so two racing transitions cannot both apply.
  await db().entities.flow.patch({ tenantId, flowId }).set({ status: to, updatedAt: now.toISOString() }).where((a, op) => op.eq(a.status, flow.status)).go({ response: 'none' });
  return { ...flow, status: to, updatedAt: now.toISOString() };
}

/**
 * Changes a flow's settings. A live (not DRAFT) flow whose conditions, holdout or goal change
 * starts a new version, so the report never mixes entries made under different rules.
 */
export async function updateFlow(tenantId: string, flowId: string, input: FlowUpdateInput, now: Date): Promise<FlowItem> {
  const flow = await getFlow(tenantId, flowId);
  if (!flow) throw new FlowNotFoundError();
  if (flow.status === 'ARCHIVED') throw new FlowStatusError('ARCHIVED', 'edited');
  const changes = Object.fromEntries(Object.entries(input).filter(([, value]) => value !== undefined)) as Partial<FlowItem>;
  const rulesChanged = (['conditions', 'holdoutShare', 'goalDays', 'goalMinimumAmount'] as const).some(
    (key) => key in changes && JSON.stringify(changes[key]) !== JSON.stringify(flow[key]),
  );
  const version = flow.status !== 'DRAFT' && rulesChanged ? flow.version + 1 : flow.version;
  const next = { ...flow, ...changes, version, updatedAt: now.toISOString() };
  await db().entities.flow.patch({ tenantId, flowId })
    .set({ ...changes, version, updatedAt: next.updatedAt })
    .where((a, op) => op.eq(a.version, flow.version))
    .go({ response: 'none' });
  return next;
}

function payloadMatches(flow: FlowItem, data: Record<string, unknown>): boolean {
  const conditions = flow.conditions as FlowConditions;
  if (conditions.segmentGroup && data.group !== conditions.segmentGroup) return false;
  if (conditions.firstOrderOnly && data.firstOrder !== true) return false;
  if (conditions.category && data.category !== conditions.category) return false;
  return true;
}

export type EntryOutcome = 'ENTERED' | 'ALREADY_ENTERED' | 'NOT_ELIGIBLE' | 'OPTED_OUT' | 'TOO_SOON';

async function assignmentFor(flow: FlowItem, customerId: string, at: string): Promise<FlowAssignmentItem> {
  const key = { tenantId: flow.tenantId, flowId: flow.flowId, customerId };
  const found = (await db().entities.flowAssignment.get(key).go()).data;
  if (found) return found;
  const group: FlowGroup = assignGroup(flow.salt, flow.flowId, customerId, flow.holdoutShare);
  const item = { ...key, group, assignedAt: at, lastEnteredAt: '' };
  try {
    await db().entities.flowAssignment.create(item).go({ response: 'none' });
    return item;
  } catch (error) {
    // A concurrent entry drew first: its draw is the same, and the stored one is what counts.
    const raced = (await db().entities.flowAssignment.get(key).go()).data;
    if (raced) return raced;
    throw error;
  }
}

/**
 * Enters the event's customer into one flow, once per (flow, customer, trigger fact): the entry,
 * the assignment's last entry time and the day's `entered` counter land in one transaction whose
 * entry item is a conditional create, so a redelivered event adds nothing. Treated customers get
 * the `flow.action` event (keyed by the entry, so it too is published once).
 */
export async function enterFlow(flow: FlowItem, event: EventEnvelope, clock: Clock): Promise<EntryOutcome> {
  const data = event.data as Record<string, unknown>;
  const customerId = typeof data.customerId === 'string' ? data.customerId : undefined;
  if (!customerId || !payloadMatches(flow, data)) return 'NOT_ELIGIBLE';
  const customer = await getCustomer(flow.tenantId, customerId);
  if (!customer || customer.erasedAt) return 'NOT_ELIGIBLE';
  const conditions = flow.conditions as FlowConditions;
  if (conditions.tags && !conditions.tags.every((tag) => (customer.tags ?? []).includes(tag))) return 'NOT_ELIGIBLE';
  if (conditions.minimumTotalSpent !== undefined && (customer.totalSpent ?? 0) < conditions.minimumTotalSpent) return 'NOT_ELIGIBLE';
  if (customer.newsletter !== 'SUBSCRIBED') return 'OPTED_OUT';

  const enteredAt = event.occurredAt;
  const assignment = await assignmentFor(flow, customerId, clock.now().toISOString());
  const entryKey = { tenantId: flow.tenantId, flowId: flow.flowId, customerId, triggerEventId: event.id };
  if (assignment.lastEnteredAt && Date.parse(assignment.lastEnteredAt) + flow.reentryDays * dayMs > Date.parse(enteredAt)) {
    const same = (await db().entities.flowEntry.get(entryKey).go()).data;
    return same ? 'ALREADY_ENTERED' : 'TOO_SOON';
  }
  const day = enteredAt.slice(0, 10);
  const couponCode = assignment.group === 'TREATMENT' ? flow.couponCode : undefined;
  const outcome = await writeTransaction(db(), ({ flowEntry, flowAssignment, flowCounter }) => [
    flowEntry.create({
      ...entryKey, flowVersion: flow.version, group: assignment.group, enteredAt, day,
      goalEndsAt: new Date(Date.parse(enteredAt) + flow.goalDays * dayMs).toISOString(),
      converted: false, revenue: 0, orders: 0, credited: [], ...(couponCode ? { couponCode } : {}),
    }).commit(),
    flowAssignment.patch({ tenantId: flow.tenantId, flowId: flow.flowId, customerId }).set({ lastEnteredAt: enteredAt }).commit(),
    flowCounter.update({ tenantId: flow.tenantId, flowId: flow.flowId, flowVersion: flow.version, group: assignment.group, day }).add({ entered: 1 }).commit(),
  ]);
  if (!outcome.ok) {
    if (outcome.reasons[0] === 'ConditionalCheckFailed') return 'ALREADY_ENTERED';
    throw new Error(`flow entry transaction cancelled: ${outcome.reasons.join(',')}`);
  }
  if (assignment.group === 'TREATMENT') {
    await emit(flowAction, {
      shopId: flow.tenantId,
      factKey: `${flow.flowId}:${customerId}:${event.id}`,
      occurredAt: enteredAt,
      data: { flowId: flow.flowId, flowVersion: flow.version, customerId, couponCode: couponCode ?? null, triggerEventId: event.id, enteredAt },
    }, clock);
  }
  return 'ENTERED';
}

/** Enters the event's customer into every active flow the event's type triggers. */
export async function enterFlowsFor(event: EventEnvelope, clock: Clock): Promise<EntryOutcome[]> {
  const flows = (await listFlows(event.shopId)).filter((flow) => flow.status === 'ACTIVE' && flow.triggerType === event.type);
  const outcomes: EntryOutcome[] = [];
  for (const flow of flows) outcomes.push(await enterFlow(flow, event, clock));
  return outcomes;
}

interface Credit {
  /** The order fact's event: an entry it triggered (a first order) is not credited with it. */
  eventId: string;
  customerId: string;
  /** Names the credit once per entry: the order id, `refund:<id>`, `cancel:<order id>`. */
  factKey: string;
  orderId: string;
  at: string;
  amount: number;
  orderDelta: number;
  discountCodes: string[];
  discounts: number;
}

/**
 * Credits a customer's open entries with an order, a refund or a cancellation. Each entry's
 * revenue moves under a condition on its previous value (so Σ revenue² stays exact under
 * concurrency) in the same transaction as the counters' ADD; the fact key in the entry's
 * `credited` set makes a redelivery a no-op.
 */
async function creditEntries(tenantId: string, credit: Credit): Promise<number> {
  const { data: entries } = await db().entities.flowEntry.query.byCustomer({ tenantId, customerId: credit.customerId }).lte({ enteredAt: credit.at }).go({ pages: 'all' });
  let credited = 0;
  for (const candidate of entries) {
    if (credit.at > candidate.goalEndsAt || candidate.triggerEventId === credit.eventId) continue;
    // Refunds and cancellations only reverse an order this entry was credited with.
    if (credit.factKey !== credit.orderId && !(candidate.credited ?? []).includes(credit.orderId)) continue;
    for (let attempt = 0; ; attempt++) {
      const entry = attempt === 0 ? candidate : (await db().entities.flowEntry.get(candidate).go()).data as FlowEntryItem | null;
      if (!entry || (entry.credited ?? []).includes(credit.factKey)) break;
      const flow = await getFlow(tenantId, entry.flowId);
      const revenue = entry.revenue + credit.amount;
      const reaches = credit.orderDelta > 0 && !entry.converted && credit.amount >= (flow?.goalMinimumAmount ?? 0);
      const usedCoupon = entry.couponCode !== undefined && credit.discountCodes.includes(entry.couponCode);
      const outcome = await writeTransaction(db(), ({ flowEntry, flowCounter }) => [
        flowEntry.patch({ tenantId, flowId: entry.flowId, customerId: entry.customerId, triggerEventId: entry.triggerEventId })
          .set({ revenue, orders: entry.orders + credit.orderDelta, converted: entry.converted || reaches })
          .append({ credited: [credit.factKey] })
          .where((a, op) => `${op.eq(a.revenue, entry.revenue)} AND ${op.eq(a.orders, entry.orders)}`)
          .commit(),
        flowCounter.update({ tenantId, flowId: entry.flowId, flowVersion: entry.flowVersion, group: entry.group, day: entry.day })
          .add({
            revenue: credit.amount,
            revenueSquares: revenue * revenue - entry.revenue * entry.revenue,
            orders: credit.orderDelta,
            converted: reaches ? 1 : 0,
            rewardCost: usedCoupon && credit.orderDelta > 0 ? credit.discounts : 0,
          })
          .commit(),
      ]);
      if (outcome.ok) {
        credited++;
        break;
      }
      if (attempt >= maxOptimisticAttempts) throw new Error(`flow goal credit kept conflicting: ${outcome.reasons.join(',')}`);
      await backoff(attempt);
    }
  }
  return credited;
}

async function revenueBasisOf(tenantId: string): Promise<'TOTAL' | 'SUBTOTAL'> {
  return (await getShop(tenantId))?.revenueBasis ?? 'TOTAL';
}

/** Credits the order facts (`order.recorded`, `order.refunded`, `order.cancelled`) to open entries. */
export async function creditGoal(event: EventEnvelope): Promise<number> {
  const data = event.data as Record<string, any>;
  const basis = await revenueBasisOf(event.shopId);
  if (event.type === 'order.recorded') {
    const amount = basis === 'SUBTOTAL' ? data.subtotal - data.discounts : data.total;
    return creditEntries(event.shopId, { eventId: event.id, customerId: data.customerId, factKey: data.orderId, orderId: data.orderId, at: data.placedAt, amount, orderDelta: 1, discountCodes: data.discountCodes ?? [], discounts: data.discounts ?? 0 });
  }
  if (event.type === 'order.refunded') {
    return creditEntries(event.shopId, { eventId: event.id, customerId: data.customerId, factKey: `refund:${data.refundId}`, orderId: data.orderId, at: data.refundedAt, amount: -data.amount, orderDelta: 0, discountCodes: [], discounts: 0 });
  }
  if (event.type === 'order.cancelled') {
    return creditEntries(event.shopId, { eventId: event.id, customerId: data.customerId, factKey: `cancel:${data.orderId}`, orderId: data.orderId, at: data.placedAt, amount: -(data.total - data.refunded), orderDelta: -1, discountCodes: [], discounts: 0 });
  }
  return 0;
}

export interface FlowReport extends FlowReportFigures {
  flowId: string;
  version: number;
  from: string | null;
  to: string | null;
}

/**
 * The report over entries made in [from, to) under one version: sums of the day counters, one
 * query whatever the number of entries. A day's entries are pending until the last of them
 * could have reached its goal (the day's end plus the goal window).
 */
export async function flowReport(tenantId: string, flowId: string, options: { from?: string; to?: string; version?: number }, now: Date): Promise<FlowReport> {
  const flow = await getFlow(tenantId, flowId);
  if (!flow) throw new FlowNotFoundError(['flow']);
  const version = options.version ?? flow.version;
  const { data } = await db().entities.flowCounter.query.byFlow({ tenantId, flowId, flowVersion: version }).go({ pages: 'all' });
  const groups: Record<FlowGroup, GroupCounters> = {
    TREATMENT: { entered: 0, pending: 0, converted: 0, orders: 0, revenue: 0, revenueSquares: 0, rewardCost: 0 },
    HOLDOUT: { entered: 0, pending: 0, converted: 0, orders: 0, revenue: 0, revenueSquares: 0, rewardCost: 0 },
  };
  const fromDay = options.from?.slice(0, 10);
  const toDay = options.to?.slice(0, 10);
  for (const counter of data as FlowCounterItem[]) {
    if ((fromDay && counter.day < fromDay) || (toDay && counter.day >= toDay)) continue;
    const group = groups[counter.group];
    const entered = counter.entered ?? 0;
    const converted = counter.converted ?? 0;
    group.entered += entered;
    group.converted += converted;
    group.orders += counter.orders ?? 0;
    group.revenue += counter.revenue ?? 0;
    group.revenueSquares += counter.revenueSquares ?? 0;
    group.rewardCost += counter.rewardCost ?? 0;
    const windowCloses = Date.parse(`${counter.day}T00:00:00.000Z`) + dayMs + flow.goalDays * dayMs;
    if (windowCloses > now.getTime()) group.pending += entered - converted;
  }
  return { flowId, version, from: options.from ?? null, to: options.to ?? null, ...flowReportFigures(groups.TREATMENT, groups.HOLDOUT) };
}
