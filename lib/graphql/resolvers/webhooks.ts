import { eventCatalogue } from '../../app/event-catalogue.js';
import { InvalidInputError } from '../../common/errors.js';
import { db } from '../../db/service.js';
import { pageFromKeyedItems } from '../../db/pagination.js';
import { runIdempotent } from '../../idempotency/index.js';
import { byIdInput, replayInput, subscriptionCreateInput, subscriptionUpdateInput, type InputRules } from '../../webhooks/webhooks.inputs.js';
import { WebhookDeliveryNotFoundError, WebhookSubscriptionNotFoundError } from '../../webhooks/webhooks.errors.js';
import {
  createSubscription,
  deleteSubscription,
  getDelivery,
  getSubscription,
  listDeliveries,
  listSubscriptions,
  replayEvents,
  retryDelivery,
  rotateSecret,
  sendTestEvent,
  updateSubscription,
} from '../../webhooks/webhooks.service.js';
import type { DeliveryRef } from '../../webhooks/index.js';
import type { Resolvers } from '../__generated__/resolvers.js';
import { requireScope, type GraphQLContext } from '../context.js';
import { connection, decodeCursor, encodeCursor, pageSize } from '../cursors.js';
import { localIdOf, toGlobalId } from '../ids.js';
import type { NodeFetchers } from '../nodes.js';
import { mutation } from '../user-errors.js';

function rules(): InputRules {
  return { knownTypes: eventCatalogue.map((definition) => definition.type), production: process.env.NODE_ENV === 'production' };
}

function subscriptionIdOf(ctx: GraphQLContext, id: string, field: string[]): string {
  const local = localIdOf(ctx.tenantId, id, 'WebhookSubscription');
  if (!local) throw new WebhookSubscriptionNotFoundError(field);
  return local;
}

function deliveryRefOf(ctx: GraphQLContext, id: string): DeliveryRef {
  const local = localIdOf(ctx.tenantId, id, 'WebhookDelivery');
  const [subscriptionId, eventId] = local?.split('/') ?? [];
  if (!subscriptionId || !eventId) throw new WebhookDeliveryNotFoundError();
  return { tenantId: ctx.tenantId, subscriptionId, eventId };
}

function idempotent<T, S = T>(ctx: GraphQLContext, operation: string, idempotencyKey: string | null | undefined, request: unknown, effect: () => Promise<T>, remember?: (result: T) => S) {
  return runIdempotent({ tenantId: ctx.tenantId, operation, idempotencyKey, request, now: ctx.clock.now() }, effect, remember);
}

export const webhookNodes: NodeFetchers<'WebhookSubscription' | 'WebhookDelivery'> = {
  WebhookSubscription: async (ctx, subscriptionId) => {
    requireScope(ctx, 'WEBHOOKS_READ');
    return (await getSubscription(ctx.tenantId, subscriptionId)) ?? null;
  },
  WebhookDelivery: async (ctx, localId) => {
    requireScope(ctx, 'WEBHOOKS_READ');
    const [subscriptionId, eventId] = localId.split('/');
    if (!subscriptionId || !eventId) return null;
    return (await getDelivery({ tenantId: ctx.tenantId, subscriptionId, eventId })) ?? null;
  },
};

export const webhookResolvers: Resolvers = {
  Query: {
    webhookSubscriptions: async (_root, _args, ctx) => {
      requireScope(ctx, 'WEBHOOKS_READ');
      return listSubscriptions(ctx.tenantId);
    },
    webhookDeliveries: async (_root, args, ctx) => {
      requireScope(ctx, 'WEBHOOKS_READ');
      const subscriptionId = localIdOf(ctx.tenantId, args.subscription, 'WebhookSubscription');
      const list = `webhookDeliveries:${subscriptionId}:${args.status ?? ''}`;
      const first = pageSize(args.first);
      const cursor = decodeCursor(ctx.tenantId, list, args.after);
      if (!subscriptionId) return connection(ctx.tenantId, list, { items: [], cursors: [], hasNextPage: false }, args.after);
      const result = await listDeliveries({ tenantId: ctx.tenantId, subscriptionId, status: args.status ?? null, first, cursor });
      return connection(ctx.tenantId, list, pageFromKeyedItems(result.data as Array<Record<string, unknown>>, 'gsi1', result.cursor), args.after);
    },
    events: async (_root, args, ctx) => {
      requireScope(ctx, 'EVENTS_READ');
      const first = pageSize(args.first);
      const list = `events:${[...(args.types ?? [])].sort().join(',')}`;
      // The cursor is the last event's own sort key, not DynamoDB's page key: it stays valid for as
      // long as events are kept, whatever was written since.
      const inner = decodeCursor(ctx.tenantId, list, args.after);
      const [recordedAt, eventId] = inner?.split('|') ?? [];
      const base = db().entities.event.query.byTime({ tenantId: ctx.tenantId });
      const ranged = recordedAt && eventId ? base.gt({ recordedAt, eventId }) : base;
      const types = args.types ?? [];
      const filtered = types.length > 0 ? ranged.where((attr, op) => types.map((type) => op.eq(attr.type, type)).join(' OR ')) : ranged;
      const { data } = await filtered.go({ count: first + 1 });
      const items = data.filter((event) => !event.test).slice(0, first);
      const edges = items.map((node) => ({ node, cursor: encodeCursor(ctx.tenantId, list, `${node.recordedAt}|${node.eventId}`)! }));
      return {
        edges,
        nodes: items,
        pageInfo: { hasNextPage: data.length > first, hasPreviousPage: Boolean(args.after), startCursor: edges[0]?.cursor ?? null, endCursor: edges.at(-1)?.cursor ?? null },
      };
    },
  },
  Mutation: {
    webhookSubscriptionCreate: async (_root, { input }, ctx) => {
      requireScope(ctx, 'WEBHOOKS_WRITE');
      return mutation(
        async () => {
          const { idempotencyKey, ...request } = subscriptionCreateInput(rules()).parse(input);
          // The secret is not kept for replays: a retried create returns the subscription only.
          const outcome = await idempotent(ctx, 'webhookSubscriptionCreate', idempotencyKey, request, () => createSubscription(ctx.tenantId, request, ctx.clock.now()), ({ subscription }) => ({ subscriptionId: subscription.subscriptionId }));
          if (!outcome.replayed) return outcome.first;
          return { subscription: (await getSubscription(ctx.tenantId, outcome.first.subscriptionId)) ?? null, secret: null };
        },
        { subscription: null, secret: null },
      );
    },
    webhookSubscriptionUpdate: async (_root, { input }, ctx) => {
      requireScope(ctx, 'WEBHOOKS_WRITE');
      return mutation(
        async () => {
          const { idempotencyKey, id, ...request } = subscriptionUpdateInput(rules()).parse(input);
          const subscriptionId = subscriptionIdOf(ctx, id, ['id']);
          await idempotent(ctx, 'webhookSubscriptionUpdate', idempotencyKey, { subscriptionId, ...request }, async () => {
            await updateSubscription(ctx.tenantId, subscriptionId, request, ctx.clock.now());
            return true;
          });
          return { subscription: (await getSubscription(ctx.tenantId, subscriptionId)) ?? null };
        },
        { subscription: null },
      );
    },
    webhookSubscriptionDelete: async (_root, { input }, ctx) => {
      requireScope(ctx, 'WEBHOOKS_WRITE');
      return mutation(
        async () => {
          const { idempotencyKey, id } = byIdInput.parse(input);
          const subscriptionId = subscriptionIdOf(ctx, id, ['id']);
          await idempotent(ctx, 'webhookSubscriptionDelete', idempotencyKey, { subscriptionId }, async () => {
            await deleteSubscription(ctx.tenantId, subscriptionId);
            return true;
          });
          return { deletedId: id };
        },
        { deletedId: null },
      );
    },
    webhookSecretRotate: async (_root, { input }, ctx) => {
      requireScope(ctx, 'WEBHOOKS_WRITE');
      return mutation(
        async () => {
          const { idempotencyKey, id } = byIdInput.parse(input);
          const subscriptionId = subscriptionIdOf(ctx, id, ['id']);
          const outcome = await idempotent(ctx, 'webhookSecretRotate', idempotencyKey, { subscriptionId }, () => rotateSecret(ctx.tenantId, subscriptionId, ctx.clock.now()), () => true);
          if (!outcome.replayed) return outcome.first;
          return { subscription: (await getSubscription(ctx.tenantId, subscriptionId)) ?? null, secret: null };
        },
        { subscription: null, secret: null },
      );
    },
    webhookDeliveryRetry: async (_root, { input }, ctx) => {
      requireScope(ctx, 'WEBHOOKS_WRITE');
      return mutation(
        async () => {
          const { idempotencyKey, id } = byIdInput.parse(input);
          const ref = deliveryRefOf(ctx, id);
          await idempotent(ctx, 'webhookDeliveryRetry', idempotencyKey, ref, async () => {
            await retryDelivery(ref, ctx.clock.now());
            return true;
          });
          return { delivery: (await getDelivery(ref)) ?? null };
        },
        { delivery: null },
      );
    },
    webhookEventsReplay: async (_root, { input }, ctx) => {
      requireScope(ctx, 'WEBHOOKS_WRITE');
      return mutation(
        async () => {
          const { idempotencyKey, subscription, from, to } = replayInput.parse(input);
          const subscriptionId = subscriptionIdOf(ctx, subscription, ['subscription']);
          const outcome = await idempotent(ctx, 'webhookEventsReplay', idempotencyKey, { subscriptionId, from, to }, () => replayEvents(ctx.tenantId, subscriptionId, from, to, ctx.clock.now()));
          return { queued: outcome.first };
        },
        { queued: 0 },
      );
    },
    webhookTest: async (_root, { input }, ctx) => {
      requireScope(ctx, 'WEBHOOKS_WRITE');
      return mutation(
        async () => {
          const subscriptionId = subscriptionIdOf(ctx, input.subscription, ['subscription']);
          const definition = eventCatalogue.find((candidate) => candidate.type === input.type);
          if (!definition) throw new InvalidInputError('Unknown event type (see the event catalogue)', ['type']);
          const outcome = await idempotent(ctx, 'webhookTest', input.idempotencyKey, { subscriptionId, type: input.type }, async () => {
            const delivery = await sendTestEvent(ctx.tenantId, subscriptionId, definition.type, definition.version, definition.sample, ctx.clock.now());
            return delivery.eventId;
          });
          return { delivery: (await getDelivery({ tenantId: ctx.tenantId, subscriptionId, eventId: outcome.first })) ?? null };
        },
        { delivery: null },
      );
    },
  },
  WebhookSubscription: {
    id: (subscription) => toGlobalId(subscription.tenantId, 'WebhookSubscription', subscription.subscriptionId),
    eventTypes: (subscription) => subscription.eventTypes,
    description: (subscription) => subscription.description ?? null,
    disabledReason: (subscription) => subscription.disabledReason ?? null,
    failingSince: (subscription) => subscription.failingSince ?? null,
    previousSecretExpiresAt: (subscription) => subscription.previousSecretExpiresAt ?? null,
  },
  WebhookDelivery: {
    id: (delivery) => toGlobalId(delivery.tenantId, 'WebhookDelivery', `${delivery.subscriptionId}/${delivery.eventId}`),
    test: (delivery) => delivery.test ?? false,
    nextAttemptAt: (delivery) => (delivery.status === 'PENDING' ? delivery.nextAttemptAt : null),
    lastAttemptAt: (delivery) => delivery.lastAttemptAt ?? null,
    responseStatus: (delivery) => delivery.responseStatus ?? null,
    latencyMs: (delivery) => delivery.latencyMs ?? null,
    lastError: (delivery) => delivery.lastError ?? null,
  },
  Event: {
    id: (event) => event.eventId,
    data: (event) => event.data as Record<string, unknown>,
  },
};
