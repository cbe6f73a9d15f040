import { randomUUID } from 'node:crypto';
import type { Clock } from '../common/clock.js';
import { defaultSealer } from '../common/envelope.js';
import { logger } from '../common/logger.js';
import { db } from '../db/service.js';
import { emit, eventRetentionDays, envelopeOf, type EventEnvelope, type EventHandler } from '../events/index.js';
import { isConditionFailure } from '../idempotency/index.js';
import { deliveryQueue, type DeliveryRef } from './queue.js';
import { deliveryTimeoutMs, disableAfterDays, isSuccess, maxAttempts, nextRetryDelayMs } from './retry.js';
import { newWebhookSecret, signedHeaders } from './sign.js';
import { WebhookDeliveryNotFoundError, WebhookSubscriptionNotFoundError } from './webhooks.errors.js';
import { dueShard, type DeliveryStatus, type WebhookDeliveryItem, type WebhookSubscriptionItem } from './webhooks.entities.js';
import { webhookEndpointDisabled } from './webhooks.events.js';
import type { SubscriptionCreateInput, SubscriptionUpdateInput } from './webhooks.inputs.js';

/** How long the previous secret still signs after a rotation. */
export const secretOverlapMs = 24 * 3_600_000;
/** A claimed delivery is not picked up again by the sweep for this long (the attempt's own timeout and more). */
const claimLeaseMs = 60_000;

const settledShard = (tenantId: string) => `settled#${tenantId}`;

/** Creates a subscription with a fresh secret, returned in plaintext this once and stored sealed. */
export async function createSubscription(tenantId: string, input: Omit<SubscriptionCreateInput, 'idempotencyKey'>, now: Date) {
  const secret = newWebhookSecret();
  const { data } = await db()
    .entities.webhookSubscription.create({
      tenantId,
      subscriptionId: `whs_${randomUUID().replaceAll('-', '')}`,
      url: input.url,
      eventTypes: [...new Set(input.eventTypes)],
      enabled: input.enabled ?? true,
      ...(input.description ? { description: input.description } : {}),
      secret: await defaultSealer().seal(secret, tenantId),
      createdAt: now.toISOString(),
      updatedAt: now.toISOString(),
    })
    .go();
  return { subscription: data, secret };
}

/** Reads one subscription of the shop. */
export async function getSubscription(tenantId: string, subscriptionId: string): Promise<WebhookSubscriptionItem | undefined> {
  return (await db().entities.webhookSubscription.get({ tenantId, subscriptionId }).go({ consistent: true })).data ?? undefined;
}

/** Lists the shop's subscriptions (a shop has few). */
export async function listSubscriptions(tenantId: string): Promise<WebhookSubscriptionItem[]> {
  return (await db().entities.webhookSubscription.query.byShop({ tenantId }).go({ pages: 'all' })).data;
}

/** Changes a subscription; enabling it again clears why it was disabled and its failure streak. */
export async function updateSubscription(tenantId: string, subscriptionId: string, input: Omit<SubscriptionUpdateInput, 'id' | 'idempotencyKey'>, now: Date) {
  try {
    const patch = db()
      .entities.webhookSubscription.patch({ tenantId, subscriptionId })
      .set({
        updatedAt: now.toISOString(),
        ...(input.url ? { url: input.url } : {}),
        ...(input.eventTypes ? { eventTypes: [...new Set(input.eventTypes)] } : {}),
        ...(typeof input.enabled === 'boolean' ? { enabled: input.enabled } : {}),
        ...(input.description !== undefined && input.description !== null ? { description: input.description } : {}),
      });
    const { data } = await (input.enabled === true ? patch.remove(['disabledReason', 'failingSince']) : patch).go({ response: 'all_new' });
    return data as WebhookSubscriptionItem;
  } catch (error) {
    if (isConditionFailure(error)) throw new WebhookSubscriptionNotFoundError();
    throw error;
  }
}

/** Deletes a subscription; its delivery log stays until its TTL. */
export async function deleteSubscription(tenantId: string, subscriptionId: string): Promise<void> {
  try {
    await db().entities.webhookSubscription.remove({ tenantId, subscriptionId }).go();
  } catch (error) {
    if (isConditionFailure(error)) throw new WebhookSubscriptionNotFoundError();
    throw error;
  }
}

/**
 * Replaces the secret; the old one keeps signing beside the new for 24 hours so the receiver can
 * switch without losing a delivery. Conditional on the secret read, so two rotations cannot both win.
 */
export async function rotateSecret(tenantId: string, subscriptionId: string, now: Date) {
  const current = await getSubscription(tenantId, subscriptionId);
  if (!current) throw new WebhookSubscriptionNotFoundError();
  const secret = newWebhookSecret();
  const { data } = await db()
    .entities.webhookSubscription.patch({ tenantId, subscriptionId })
    .set({
      secret: await defaultSealer().seal(secret, tenantId),
      previousSecret: current.secret,
      previousSecretExpiresAt: new Date(now.getTime() + secretOverlapMs).toISOString(),
      updatedAt: now.toISOString(),
    })
    .where((attr, op) => op.eq(attr.secret, current.secret))
    .go({ response: 'all_new' });
  return { subscription: data as WebhookSubscriptionItem, secret };
}

async function secretsOf(subscription: WebhookSubscriptionItem, now: Date): Promise<string[]> {
  const sealer = defaultSealer();
  const secrets = [await sealer.open(subscription.secret, subscription.tenantId)];
  if (subscription.previousSecret && subscription.previousSecretExpiresAt && Date.parse(subscription.previousSecretExpiresAt) > now.getTime()) {
    secrets.push(await sealer.open(subscription.previousSecret, subscription.tenantId));
  }
  return secrets;
}

function wants(subscription: WebhookSubscriptionItem, type: string): boolean {
  return subscription.enabled && (subscription.eventTypes.includes('*') || subscription.eventTypes.includes(type));
}

function bodyOf(event: EventEnvelope): string {
  return JSON.stringify(event);
}

/**
 * Writes a delivery due at `dueAt`, or puts an existing one back to PENDING when `reset` (retry,
 * replay). Without `reset` it is a conditional create: a redelivered event writes nothing.
 */
async function putDelivery(subscription: WebhookSubscriptionItem, event: EventEnvelope, dueAt: string, reset: boolean): Promise<boolean> {
  const item = {
    tenantId: subscription.tenantId,
    subscriptionId: subscription.subscriptionId,
    eventId: event.id,
    eventType: event.type,
    recordedAt: event.recordedAt,
    payload: bodyOf(event),
    ...(event.test ? { test: true } : {}),
    status: 'PENDING' as const,
    attempts: 0,
    nextAttemptAt: dueAt,
    shard: dueShard,
    createdAt: event.recordedAt,
    ttl: Math.floor(Date.parse(event.recordedAt) / 1000) + eventRetentionDays * 86_400,
  };
  if (reset) {
    await db().entities.webhookDelivery.put(item).go({ response: 'none' });
    return true;
  }
  try {
    await db().entities.webhookDelivery.create(item).go({ response: 'none' });
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
}

/**
 * The fan-out: for each event on the stream, one delivery per matching enabled subscription of
 * its shop, handed to the dispatcher's queue. Keyed by (subscription, event), so a redelivered
 * batch sends nothing twice.
 */
export function webhookFanOutHandler(types: readonly string[]): EventHandler {
  return {
    name: 'webhooks.fan-out',
    types,
    handle: async (event) => {
      if (event.test) return;
      const subscriptions = (await listSubscriptions(event.shopId)).filter((subscription) => wants(subscription, event.type));
      const created: DeliveryRef[] = [];
      await Promise.all(
        subscriptions.map(async (subscription) => {
          if (await putDelivery(subscription, event, event.recordedAt, false)) {
            created.push({ tenantId: event.shopId, subscriptionId: subscription.subscriptionId, eventId: event.id });
          }
        }),
      );
      if (created.length > 0) await deliveryQueue().send(created);
    },
  };
}

export interface DispatchOptions {
  clock: Clock;
  random?: () => number;
  timeoutMs?: number;
}

export interface DispatchSummary {
  attempted: number;
  succeeded: number;
  failed: number;
  skipped: number;
}

/** Sends one HTTP request; never throws: a network error or timeout is a failed attempt. */
async function post(url: string, headers: Record<string, string>, body: string, timeoutMs: number) {
  const started = performance.now();
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'retention-webhooks/1', ...headers },
      body,
      signal: AbortSignal.timeout(timeoutMs),
      redirect: 'manual',
    });
    await response.arrayBuffer().catch(() => undefined);
    return { status: response.status, latencyMs: Math.round(performance.now() - started), error: undefined as string | undefined };
  } catch (error) {
    const name = (error as Error).name;
    const message = name === 'TimeoutError' || name === 'AbortError' ? `timed out after ${timeoutMs} ms` : `network error: ${(error as Error).message}`;
    return { status: undefined, latencyMs: Math.round(performance.now() - started), error: message };
  }
}

async function recordEndpointHealth(subscription: WebhookSubscriptionItem, ok: boolean, detail: string, clock: Clock): Promise<void> {
  const now = clock.now();
  const key = { tenantId: subscription.tenantId, subscriptionId: subscription.subscriptionId };
  const guard = (promise: Promise<unknown>) =>
    promise.catch((error: unknown) => {
      if (!isConditionFailure(error)) throw error;
    });
  if (ok) {
    if (subscription.failingSince) await guard(db().entities.webhookSubscription.patch(key).remove(['failingSince']).go());
    return;
  }
  if (!subscription.failingSince) {
    await guard(db().entities.webhookSubscription.patch(key).set({ failingSince: now.toISOString() }).where((attr, op) => op.notExists(attr.failingSince)).go());
    return;
  }
  if (now.getTime() - Date.parse(subscription.failingSince) < disableAfterDays * 86_400_000) return;
  const disabledReason = `Every delivery failed for ${disableAfterDays} days (last: ${detail})`;
  try {
    await db()
      .entities.webhookSubscription.patch(key)
      .set({ enabled: false, disabledReason, updatedAt: now.toISOString() })
      .where((attr, op) => `${op.eq(attr.enabled, true)} AND ${op.eq(attr.failingSince, subscription.failingSince!)}`)
      .go();
  } catch (error) {
    if (isConditionFailure(error)) return;
    throw error;
  }
  await emit(
    webhookEndpointDisabled,
    { shopId: subscription.tenantId, factKey: `${subscription.subscriptionId}:${subscription.failingSince}`, occurredAt: now.toISOString(), data: { subscriptionId: subscription.subscriptionId, url: subscription.url, failingSince: subscription.failingSince, disabledReason } },
    clock,
  );
}

/**
 * Attempts one delivery if it is due: claims it (a conditional update on its attempt count, so a
 * duplicate queue message or a concurrent sweep sends nothing), signs and posts it, and records
 * the outcome with the next attempt or the final status.
 */
async function attemptDelivery(ref: DeliveryRef, options: Required<DispatchOptions>): Promise<'succeeded' | 'failed' | 'skipped'> {
  const now = options.clock.now();
  const delivery = (await db().entities.webhookDelivery.get(ref).go({ consistent: true })).data;
  if (!delivery || delivery.status !== 'PENDING' || Date.parse(delivery.nextAttemptAt) > now.getTime()) return 'skipped';
  const attempts = delivery.attempts + 1;
  try {
    await db()
      .entities.webhookDelivery.patch(ref)
      .set({ attempts, nextAttemptAt: new Date(now.getTime() + claimLeaseMs).toISOString() })
      .where((attr, op) => `${op.eq(attr.attempts, delivery.attempts)} AND ${op.eq(attr.status, 'PENDING')}`)
      .go({ response: 'none' });
  } catch (error) {
    if (isConditionFailure(error)) return 'skipped';
    throw error;
  }
  const subscription = await getSubscription(ref.tenantId, ref.subscriptionId);
  if (!subscription || !subscription.enabled) {
    await db()
      .entities.webhookDelivery.patch(ref)
      .set({ status: 'FAILED', shard: settledShard(ref.tenantId), lastAttemptAt: now.toISOString(), lastError: subscription ? 'subscription disabled' : 'subscription deleted' })
      .go({ response: 'none' });
    return 'failed';
  }
  const headers = signedHeaders(delivery.eventId, now, delivery.payload, await secretsOf(subscription, now));
  const result = await post(subscription.url, headers, delivery.payload, options.timeoutMs);
  const ok = result.status !== undefined && isSuccess(result.status);
  const delay = ok ? null : nextRetryDelayMs(attempts, options.random());
  const status: DeliveryStatus = ok ? 'SUCCEEDED' : delay === null ? 'FAILED' : 'PENDING';
  const after = options.clock.now();
  const detail = result.error ?? `HTTP ${result.status}`;
  await db()
    .entities.webhookDelivery.patch(ref)
    .set({
      status,
      shard: status === 'PENDING' ? dueShard : settledShard(ref.tenantId),
      nextAttemptAt: delay === null ? after.toISOString() : new Date(after.getTime() + delay).toISOString(),
      lastAttemptAt: now.toISOString(),
      latencyMs: result.latencyMs,
      ...(result.status !== undefined ? { responseStatus: result.status } : {}),
      ...(ok ? {} : { lastError: detail }),
    })
    .go({ response: 'none' });
  if (!delivery.test) await recordEndpointHealth(subscription, ok, detail, options.clock);
  return ok ? 'succeeded' : 'failed';
}

/**
 * The dispatcher (the SQS Lambda, the sweep and the local runner all call it): attempts every
 * delivery concurrently, each with its own timeout, so a hanging endpoint delays only itself.
 */
export async function dispatchDeliveries(refs: readonly DeliveryRef[], options: DispatchOptions): Promise<DispatchSummary> {
  const resolved = { random: Math.random, timeoutMs: deliveryTimeoutMs, ...options };
  const outcomes = await Promise.all(
    refs.map((ref) =>
      attemptDelivery(ref, resolved).catch((error: unknown) => {
        logger.error('webhook delivery attempt failed', { tenantId: ref.tenantId, subscriptionId: ref.subscriptionId, eventId: ref.eventId, error: (error as Error).message });
        throw error;
      }),
    ),
  );
  return {
    attempted: outcomes.filter((o) => o !== 'skipped').length,
    succeeded: outcomes.filter((o) => o === 'succeeded').length,
    failed: outcomes.filter((o) => o === 'failed').length,
    skipped: outcomes.filter((o) => o === 'skipped').length,
  };
}

/**
 * The scheduled sweep: finds pending deliveries whose next attempt is due and dispatches them, at
 * most `perShop` per shop per run so that one shop's backlog cannot starve the others.
 */
export async function sweepDueDeliveries(options: DispatchOptions & { limit?: number; perShop?: number }): Promise<DispatchSummary> {
  // The sort key continues past nextAttemptAt (tenant, subscription, event), so "due at or before
  // now" is "before now + 1 ms" on the key's prefix.
  const bound = new Date(options.clock.now().getTime() + 1).toISOString();
  const { data } = await db()
    .entities.webhookDelivery.query.due({ shard: dueShard })
    .lt({ nextAttemptAt: bound })
    .go({ limit: options.limit ?? 500, attributes: ['tenantId', 'subscriptionId', 'eventId'] });
  const perShop = new Map<string, number>();
  const refs = data.filter((ref) => {
    const count = (perShop.get(ref.tenantId) ?? 0) + 1;
    perShop.set(ref.tenantId, count);
    return count <= (options.perShop ?? 50);
  });
  return dispatchDeliveries(refs, options);
}

/** Reads one delivery of the shop. */
export async function getDelivery(ref: DeliveryRef): Promise<WebhookDeliveryItem | undefined> {
  return (await db().entities.webhookDelivery.get(ref).go({ consistent: true })).data ?? undefined;
}

/** Lists a subscription's deliveries, newest event first, optionally of one status. */
export async function listDeliveries(args: { tenantId: string; subscriptionId: string; status?: DeliveryStatus | null; first: number; cursor: string | null }) {
  const query = db().entities.webhookDelivery.query.log({ tenantId: args.tenantId, subscriptionId: args.subscriptionId });
  const filtered = args.status ? query.where((attr, op) => op.eq(attr.status, args.status!)) : query;
  return filtered.go({ cursor: args.cursor, count: args.first, order: 'desc', data: 'includeKeys' });
}

/** Puts a delivery back to PENDING, due now, and hands it to the dispatcher. */
export async function retryDelivery(ref: DeliveryRef, now: Date): Promise<WebhookDeliveryItem> {
  const delivery = await getDelivery(ref);
  if (!delivery) throw new WebhookDeliveryNotFoundError();
  const { data } = await db()
    .entities.webhookDelivery.patch(ref)
    .set({ status: 'PENDING', attempts: 0, nextAttemptAt: now.toISOString(), shard: dueShard })
    .go({ response: 'all_new' });
  await deliveryQueue().send([ref]);
  return data as WebhookDeliveryItem;
}

/** Re-sends every event of the shop recorded in [from, to) that the subscription wants; returns how many. */
export async function replayEvents(tenantId: string, subscriptionId: string, from: Date, to: Date, now: Date): Promise<number> {
  const subscription = await getSubscription(tenantId, subscriptionId);
  if (!subscription) throw new WebhookSubscriptionNotFoundError(['subscription']);
  const { data } = await db()
    .entities.event.query.byTime({ tenantId })
    .between({ recordedAt: from.toISOString() }, { recordedAt: to.toISOString() })
    .go({ pages: 'all' });
  const events = data.map(envelopeOf).filter((event) => event.recordedAt < to.toISOString() && !event.test && (subscription.eventTypes.includes('*') || subscription.eventTypes.includes(event.type)));
  await Promise.all(events.map((event) => putDelivery(subscription, event, now.toISOString(), true)));
  if (events.length > 0) await deliveryQueue().send(events.map((event) => ({ tenantId, subscriptionId, eventId: event.id })));
  return events.length;
}

/** Sends the catalogue's sample of `type` to one subscription, marked `test: true`. */
export async function sendTestEvent(tenantId: string, subscriptionId: string, type: string, version: number, sample: unknown, now: Date): Promise<WebhookDeliveryItem> {
  const subscription = await getSubscription(tenantId, subscriptionId);
  if (!subscription) throw new WebhookSubscriptionNotFoundError(['subscription']);
  const event: EventEnvelope = {
    id: `evt_test${randomUUID().replaceAll('-', '').slice(0, 22)}`,
    type,
    version,
    shopId: tenantId,
    occurredAt: now.toISOString(),
    recordedAt: now.toISOString(),
    data: sample,
    test: true,
  };
  await putDelivery(subscription, event, now.toISOString(), false);
  const ref = { tenantId, subscriptionId, eventId: event.id };
  await deliveryQueue().send([ref]);
  return (await getDelivery(ref))!;
}
