import { randomUUID } from 'node:crypto';
import { pageFromKeyedItems, type Page } from '../db/pagination.js';
import { db } from '../db/service.js';
import { backoff, maxOptimisticAttempts, writeTransaction, type TxEntities, type TxItem } from '../db/transactions.js';
import { eventTxItem } from '../events/index.js';
import { customerCreated, customerErased, customerNewsletterSubscribed } from './customers.events.js';
import { CustomerErasedError, CustomerNotFoundError } from './customers.errors.js';
import { normalizeEmail, type CustomerFilterInput, type CustomerUpsertInput } from './customers.inputs.js';
import type { CustomerItem } from './customers.entities.js';
import type { CustomerStatistics } from './statistics.js';

type Commit = TxItem;

function newCustomerId(): string {
  return `cus_${randomUUID().replace(/-/g, '')}`;
}

/** Reads one customer by id within a shop. */
export async function getCustomer(tenantId: string, customerId: string): Promise<CustomerItem | undefined> {
  return (await db().entities.customer.get({ tenantId, customerId }).go({ consistent: true })).data ?? undefined;
}

/** Reads many customers of one shop in one BatchGetItem (the DataLoader's batch function). */
export async function getCustomersByIds(tenantId: string, customerIds: readonly string[]): Promise<Array<CustomerItem | undefined>> {
  const unique = [...new Set(customerIds)];
  const { data } = await db().entities.customer.get(unique.map((customerId) => ({ tenantId, customerId }))).go();
  const byId = new Map(data.map((item) => [item.customerId, item]));
  return customerIds.map((id) => byId.get(id));
}

async function getRef(tenantId: string, refType: 'EXTERNAL_ID' | 'EMAIL', refValue: string): Promise<string | undefined> {
  return (await db().entities.customerRef.get({ tenantId, refType, refValue }).go({ consistent: true })).data?.customerId;
}

/** Finds the customer a shop knows by its own id. */
export async function findCustomerByExternalId(tenantId: string, externalId: string): Promise<CustomerItem | undefined> {
  const customerId = await getRef(tenantId, 'EXTERNAL_ID', externalId);
  return customerId ? getCustomer(tenantId, customerId) : undefined;
}

/** Finds the customer who claimed this email (normalised) first. */
export async function findCustomerByEmail(tenantId: string, email: string): Promise<CustomerItem | undefined> {
  const customerId = await getRef(tenantId, 'EMAIL', normalizeEmail(email));
  return customerId ? getCustomer(tenantId, customerId) : undefined;
}


/** Lists a shop's customers, one page at a time, optionally filtered. */
export async function listCustomersForShop(args: {
  tenantId: string;
  first: number;
  cursor: string | null;
  filter: CustomerFilterInput;
}): Promise<Page<CustomerItem>> {
  const { tenantId, first, cursor, filter } = args;
  const query = db()
    .entities.customer.query.listByShop({ tenantId })
    .where((attr, op) =>
      [
        filter?.tag ? op.contains(attr.tags, filter.tag) : '',
        filter?.hasOrders === true ? op.gt(attr.ordersCount, 0) : '',
        filter?.hasOrders === false ? `(${op.notExists(attr.ordersCount)} OR ${op.eq(attr.ordersCount, 0)})` : '',
        filter?.newsletter ? op.eq(attr.newsletter, filter.newsletter) : '',
      ]
        .filter(Boolean)
        .join(' AND '),
    );
  const hasFilter = Boolean(filter?.tag || filter?.newsletter || (filter?.hasOrders ?? null) !== null);
  // Without a filter, DynamoDB's Limit gives exactly one request per page; with one, ElectroDB
  // keeps reading until it has `first` matches.
  const result = await query.go(hasFilter ? { cursor, count: first, data: 'includeKeys' } : { cursor, limit: first, data: 'includeKeys' });
  return pageFromKeyedItems<CustomerItem>(result.data as Array<Record<string, unknown>>, 'gsi3', result.cursor);
}

/** What an order (or upsert) needs to write a customer: who, and whether they are new. */
export interface CustomerPlan {
  customer: CustomerItem;
  isNew: boolean;
  /** Claims to create with the customer (new customer or newly attached ids). */
  claims: Array<{ refType: 'EXTERNAL_ID' | 'EMAIL'; refValue: string }>;
}

/**
 * Given an order's customer reference, returns the existing customer (by external id, then by
 * email) or the plan for a minimal new one. Read-only: the write happens in the order's transaction.
 */
export async function planCustomerForOrder(
  tenantId: string,
  ref: { externalId?: string | null; email?: string | null },
  now: Date,
): Promise<CustomerPlan> {
  const email = ref.email ? normalizeEmail(ref.email) : undefined;
  if (ref.externalId) {
    const existing = await findCustomerByExternalId(tenantId, ref.externalId);
    if (existing) return { customer: existing, isNew: false, claims: [] };
  }
  if (email) {
    const existing = await findCustomerByEmail(tenantId, email);
    // An email-only customer meets its external id for the first time: attach it.
    if (existing && (!ref.externalId || !existing.externalId)) {
      const claims = ref.externalId && !existing.externalId ? [{ refType: 'EXTERNAL_ID' as const, refValue: ref.externalId }] : [];
      return { customer: { ...existing, ...(ref.externalId ? { externalId: ref.externalId } : {}) }, isNew: false, claims };
    }
  }
  const at = now.toISOString();
  const customer: CustomerItem = {
    tenantId,
    customerId: newCustomerId(),
    ...(ref.externalId ? { externalId: ref.externalId } : {}),
    ...(email ? { email: ref.email!.trim(), emailNormalized: email } : {}),
    tags: [],
    newsletter: 'NOT_SUBSCRIBED',
    ordersCount: 0,
    totalSpent: 0,
    version: 0,
    createdAt: at,
    updatedAt: at,
  };
  const claims: CustomerPlan['claims'] = [];
  if (ref.externalId) claims.push({ refType: 'EXTERNAL_ID', refValue: ref.externalId });
  if (email) claims.push({ refType: 'EMAIL', refValue: email });
  return { customer, isNew: true, claims };
}

/**
 * The transaction items that write a planned customer with new statistics: a create (failing if
 * someone created it meanwhile) or a patch guarded by the version that was read.
 */
export function customerWriteItems(entities: TxEntities, plan: CustomerPlan, stats: CustomerStatistics, now: Date): Commit[] {
  const { tenantId, customerId } = plan.customer;
  const items: Commit[] = plan.claims.map((claim) => entities.customerRef.create({ tenantId, customerId, ...claim }).commit());
  const statFields = {
    ordersCount: stats.ordersCount,
    totalSpent: stats.totalSpent,
    ...(stats.firstOrderAt ? { firstOrderAt: stats.firstOrderAt } : {}),
    ...(stats.lastOrderAt ? { lastOrderAt: stats.lastOrderAt } : {}),
  };
  if (plan.isNew) {
    items.push(entities.customer.create({ ...plan.customer, ...statFields, version: 1 }).commit());
    items.push(createdEventItem(entities, plan.customer, 'ORDER', now));
  } else {
    const version = plan.customer.version;
    let patch = entities.customer
      .patch({ tenantId, customerId })
      .set({ ...statFields, version: version + 1, updatedAt: now.toISOString(), ...(plan.claims.some((c) => c.refType === 'EXTERNAL_ID') ? { externalId: plan.customer.externalId } : {}) });
    if (!stats.firstOrderAt) patch = patch.remove(['firstOrderAt', 'lastOrderAt']);
    items.push(patch.where((attr, op) => op.eq(attr.version, version)).commit());
  }
  return items;
}

/** The `customer.created` event of a new customer, for the transaction that creates it. */
function createdEventItem(entities: TxEntities, customer: CustomerItem, source: 'UPSERT' | 'ORDER', now: Date): Commit {
  return eventTxItem(
    entities,
    customerCreated,
    {
      shopId: customer.tenantId,
      factKey: customer.customerId,
      occurredAt: customer.createdAt,
      data: { customerId: customer.customerId, externalId: customer.externalId ?? null, source, newsletter: customer.newsletter ?? 'NOT_SUBSCRIBED', createdAt: customer.createdAt },
    },
    { now: () => now },
  );
}

/**
 * Creates or updates a customer by the shop's external id. Undefined fields are left as they are,
 * null clears them. Safe under concurrency: claims and versions are conditional writes.
 */
export async function upsertCustomer(
  tenantId: string,
  input: CustomerUpsertInput,
  now: Date,
): Promise<{ customer: CustomerItem; created: boolean }> {
  for (let attempt = 0; attempt < maxOptimisticAttempts; attempt++) {
    const plan = await planCustomerForOrder(tenantId, { externalId: input.externalId, email: input.email }, now);
    if (plan.customer.erasedAt) throw new CustomerErasedError();
    const current = plan.customer;
    const next = applyProfile(current, input, now);
    const claims = [...plan.claims];
    let releaseEmail: string | undefined;
    if (!plan.isNew && next.emailNormalized !== current.emailNormalized) {
      if (next.emailNormalized) {
        const owner = await getRef(tenantId, 'EMAIL', next.emailNormalized);
        if (!owner) claims.push({ refType: 'EMAIL', refValue: next.emailNormalized });
      }
      if (current.emailNormalized && (await getRef(tenantId, 'EMAIL', current.emailNormalized)) === current.customerId) {
        releaseEmail = current.emailNormalized;
      }
    }
    const outcome = await writeTransaction(db(), (entities) => {
      const items: Commit[] = claims.map((claim) => entities.customerRef.create({ tenantId, customerId: current.customerId, ...claim }).commit());
      if (releaseEmail) {
        items.push(
          entities.customerRef
            .delete({ tenantId, refType: 'EMAIL', refValue: releaseEmail })
            .where((attr, op) => op.eq(attr.customerId, current.customerId))
            .commit(),
        );
      }
      if (plan.isNew) {
        items.push(entities.customer.create({ ...next, version: 1 }).commit());
        items.push(createdEventItem(entities, next, 'UPSERT', now));
      } else {
        const { tenantId: _t, customerId: _c, createdAt: _created, ...fields } = next;
        const cleared = profileFields.filter((field) => next[field] === undefined && current[field] !== undefined);
        let patch = entities.customer.patch({ tenantId, customerId: current.customerId }).set({ ...definedOnly(fields), version: current.version + 1 });
        if (cleared.length) patch = patch.remove(cleared);
        items.push(patch.where((attr, op) => op.eq(attr.version, current.version)).commit());
      }
      if (next.newsletter === 'SUBSCRIBED' && current.newsletter !== 'SUBSCRIBED') {
        // Keyed by the version this write lands on: an opt-in after an opt-out is a new fact.
        items.push(
          eventTxItem(
            entities,
            customerNewsletterSubscribed,
            {
              shopId: tenantId,
              factKey: `${current.customerId}:v${plan.isNew ? 1 : current.version + 1}`,
              occurredAt: next.optedInAt ?? now.toISOString(),
              data: { customerId: current.customerId, externalId: next.externalId ?? null, optedInAt: next.optedInAt ?? now.toISOString(), optInSource: next.optInSource ?? null },
            },
            { now: () => now },
          ),
        );
      }
      return items;
    });
    if (outcome.ok) {
      const customer = await getCustomer(tenantId, current.customerId);
      return { customer: customer!, created: plan.isNew };
    }
    await backoff(attempt);
  }
  throw new Error('customerUpsert: too much contention on this customer');
}

const profileFields = ['email', 'emailNormalized', 'firstName', 'lastName', 'phone', 'birthday', 'locale', 'attributes', 'optedInAt', 'optInSource', 'optedOutAt'] as const;

function definedOnly<T extends Record<string, unknown>>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** Given a customer and an upsert input, returns the customer as the input describes it. */
function applyProfile(current: CustomerItem, input: CustomerUpsertInput, now: Date): CustomerItem {
  const next: CustomerItem = { ...current, externalId: input.externalId, updatedAt: now.toISOString() };
  const set = <K extends keyof CustomerItem>(key: K, value: CustomerItem[K] | null | undefined) => {
    if (value === undefined) return;
    if (value === null) delete next[key];
    else next[key] = value;
  };
  if (input.email !== undefined) {
    set('email', input.email ? input.email.trim() : null);
    set('emailNormalized', input.email ? normalizeEmail(input.email) : null);
  }
  set('firstName', input.firstName);
  set('lastName', input.lastName);
  set('phone', input.phone);
  set('birthday', input.birthday);
  set('locale', input.locale);
  if (input.tags !== undefined) next.tags = [...new Set(input.tags ?? [])];
  set('attributes', input.attributes as CustomerItem['attributes']);
  const consent = input.marketingConsent;
  if (consent) {
    const at = consent.at ? new Date(consent.at).toISOString() : now.toISOString();
    next.newsletter = consent.newsletter;
    if (consent.newsletter === 'SUBSCRIBED' && current.newsletter !== 'SUBSCRIBED') {
      next.optedInAt = at;
      if (consent.source) next.optInSource = consent.source;
      delete next.optedOutAt;
    } else if (consent.newsletter === 'UNSUBSCRIBED' && current.newsletter !== 'UNSUBSCRIBED') {
      next.optedOutAt = at;
    }
  }
  return next;
}

/**
 * GDPR erasure: removes every personal field and the external-id and email claims (so the person
 * can no longer be linked to the record), keeps the anonymous statistics and orders. Idempotent.
 */
export async function eraseCustomer(tenantId: string, customerId: string, now: Date): Promise<CustomerItem> {
  for (let attempt = 0; attempt < maxOptimisticAttempts; attempt++) {
    const current = await getCustomer(tenantId, customerId);
    if (!current) throw new CustomerNotFoundError();
    if (current.erasedAt) return current;
    const claims: Array<{ refType: 'EXTERNAL_ID' | 'EMAIL'; refValue: string }> = [];
    if (current.externalId) claims.push({ refType: 'EXTERNAL_ID', refValue: current.externalId });
    if (current.emailNormalized) claims.push({ refType: 'EMAIL', refValue: current.emailNormalized });
    const personal = ['externalId', ...profileFields] as const;
    const present = personal.filter((field) => current[field] !== undefined);
    const outcome = await writeTransaction(db(), (entities) => [
      ...claims.map((claim) =>
        entities.customerRef
          .delete({ tenantId, ...claim })
          .where((attr, op) => op.eq(attr.customerId, customerId))
          .commit(),
      ),
      entities.customer
        .patch({ tenantId, customerId })
        .set({ erasedAt: now.toISOString(), updatedAt: now.toISOString(), version: current.version + 1, tags: [], newsletter: 'NOT_SUBSCRIBED' })
        .remove(present.length ? [...present] : ['optedInAt'])
        .where((attr, op) => op.eq(attr.version, current.version))
        .commit(),
      eventTxItem(
        entities,
        customerErased,
        { shopId: tenantId, factKey: customerId, occurredAt: now.toISOString(), data: { customerId, erasedAt: now.toISOString() } },
        { now: () => now },
      ),
    ]);
    if (outcome.ok) return (await getCustomer(tenantId, customerId))!;
    // A claim may belong to another customer already (email claimed elsewhere): drop that claim.
    await backoff(attempt);
  }
  throw new Error('customerErase: too much contention on this customer');
}
