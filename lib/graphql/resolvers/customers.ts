import { GraphQLError } from 'graphql';
import type { Resolvers } from '../__generated__/resolvers.js';
import { canReadCustomer, forbidden, requireScope } from '../context.js';
import { connection, decodeCursor, pageSize } from '../cursors.js';
import { localIdOf, toGlobalId } from '../ids.js';
import type { NodeFetchers } from '../nodes.js';
import { mutation } from '../user-errors.js';
import { listOrdersForCustomer } from '../../orders/index.js';
import { listCustomerIdsBySegment } from '../../metrics/index.js';
import { listCustomerIdsByPrediction } from '../../predictions/index.js';
import { CustomerNotFoundError } from '../../customers/customers.errors.js';
import { customerFilterInput, customerUpsertInput } from '../../customers/customers.inputs.js';
import {
  eraseCustomer,
  findCustomerByEmail,
  findCustomerByExternalId,
  getCustomer,
  listCustomersForShop,
  upsertCustomer,
} from '../../customers/customers.service.js';
import { averageDaysBetweenOrders, averageOrderValue } from '../../customers/statistics.js';

export const customerNodes: NodeFetchers<'Customer'> = {
  Customer: async (ctx, customerId) => {
    requireScope(ctx, 'CUSTOMERS_READ');
    return (await ctx.loaders.customer.load(customerId)) ?? null;
  },
};

export const customerResolvers: Resolvers = {
  Query: {
    customer: async (_root, { id }, ctx) => {
      requireScope(ctx, 'CUSTOMERS_READ');
      const customerId = localIdOf(ctx.tenantId, id, 'Customer');
      return customerId ? customerNodes.Customer(ctx, customerId) : null;
    },
    customerByExternalId: async (_root, { externalId }, ctx) => {
      requireScope(ctx, 'CUSTOMERS_READ');
      return (await findCustomerByExternalId(ctx.tenantId, externalId)) ?? null;
    },
    customerByEmail: async (_root, { email }, ctx) => {
      requireScope(ctx, 'CUSTOMERS_READ');
      return (await findCustomerByEmail(ctx.tenantId, email)) ?? null;
    },
    customers: async (_root, args, ctx) => {
      requireScope(ctx, 'CUSTOMERS_READ');
      const parsed = customerFilterInput.safeParse(args.filter);
      if (!parsed.success) {
        throw new GraphQLError(parsed.error.issues.map((i) => `filter.${i.path.join('.')}: ${i.message}`).join('; '), {
          extensions: { code: 'BAD_USER_INPUT', argumentName: 'filter' },
        });
      }
      const filter = parsed.data;
      const list = `customers:${args.sort ?? 'DEFAULT'}:${JSON.stringify(filter ?? {})}`;
      if (filter?.segment) {
        requireScope(ctx, 'METRICS_READ');
        if (args.sort === 'PREDICTED_VALUE_DESC' || filter.tag || filter.newsletter || filter.hasOrders != null || filter.probabilityAliveBelow != null || filter.predictedValueAbove != null) {
          throw new GraphQLError('The segment filter cannot be combined with other filters or a sort', {
            extensions: { code: 'BAD_USER_INPUT', argumentName: 'filter' },
          });
        }
        const page = await listCustomerIdsBySegment({ tenantId: ctx.tenantId, group: filter.segment, first: pageSize(args.first), cursor: decodeCursor(ctx.tenantId, list, args.after) });
        const customers = await Promise.all(page.items.map((id) => ctx.loaders.customer.load(id)));
        const present = customers.flatMap((customer, i) => (customer ? [{ customer, cursor: page.cursors[i]! }] : []));
        return connection(ctx.tenantId, list, { items: present.map((p) => p.customer), cursors: present.map((p) => p.cursor), hasNextPage: page.hasNextPage }, args.after);
      }
      const byPrediction = args.sort === 'PREDICTED_VALUE_DESC' || filter?.probabilityAliveBelow != null || filter?.predictedValueAbove != null;
      if (byPrediction) {
        requireScope(ctx, 'METRICS_READ');
        if (filter?.tag || filter?.newsletter || filter?.hasOrders != null) {
          throw new GraphQLError('Prediction filters and sort cannot be combined with tag, newsletter or hasOrders', {
            extensions: { code: 'BAD_USER_INPUT', argumentName: 'filter' },
          });
        }
        const page = await listCustomerIdsByPrediction({
          tenantId: ctx.tenantId,
          first: pageSize(args.first),
          cursor: decodeCursor(ctx.tenantId, list, args.after),
          predictedValueAbove: filter?.predictedValueAbove,
          probabilityAliveBelow: filter?.probabilityAliveBelow,
        });
        const customers = await Promise.all(page.items.map((id) => ctx.loaders.customer.load(id)));
        const present = customers.flatMap((customer, i) => (customer ? [{ customer, cursor: page.cursors[i]! }] : []));
        return connection(ctx.tenantId, list, { items: present.map((p) => p.customer), cursors: present.map((p) => p.cursor), hasNextPage: page.hasNextPage }, args.after);
      }
      const page = await listCustomersForShop({
        tenantId: ctx.tenantId,
        first: pageSize(args.first),
        cursor: decodeCursor(ctx.tenantId, list, args.after),
        filter,
      });
      return connection(ctx.tenantId, list, page, args.after);
    },
    me: async (_root, _args, ctx) => {
      if (ctx.principal.kind !== 'PUBLISHABLE') throw forbidden('`me` is for storefronts: a publishable key with a customer token');
      return (await ctx.me()) ?? null;
    },
  },
  Mutation: {
    customerUpsert: async (_root, { input }, ctx) => {
      requireScope(ctx, 'CUSTOMERS_WRITE');
      return mutation(
        async () => upsertCustomer(ctx.tenantId, customerUpsertInput.parse(input), ctx.clock.now()),
        { customer: null, created: false },
      );
    },
    customerErase: async (_root, { input }, ctx) => {
      requireScope(ctx, 'CUSTOMERS_WRITE');
      return mutation(
        async () => {
          const customerId = localIdOf(ctx.tenantId, input.id, 'Customer');
          if (!customerId || !(await getCustomer(ctx.tenantId, customerId))) throw new CustomerNotFoundError();
          return { customer: await eraseCustomer(ctx.tenantId, customerId, ctx.clock.now()) };
        },
        { customer: null },
      );
    },
  },
  Customer: {
    id: (c, _args, ctx) => toGlobalId(ctx.tenantId, 'Customer', c.customerId),
    externalId: (c) => c.externalId ?? null,
    email: (c) => c.email ?? null,
    firstName: (c) => c.firstName ?? null,
    lastName: (c) => c.lastName ?? null,
    phone: (c) => c.phone ?? null,
    birthday: (c) => c.birthday ?? null,
    locale: (c) => c.locale ?? null,
    tags: (c) => c.tags ?? [],
    attributes: (c) => c.attributes ?? null,
    erasedAt: (c) => c.erasedAt ?? null,
    marketingConsent: (c) => ({
      newsletter: c.newsletter ?? 'NOT_SUBSCRIBED',
      optedInAt: c.optedInAt ?? null,
      optInSource: c.optInSource ?? null,
      optedOutAt: c.optedOutAt ?? null,
    }),
    statistics: (c, _args, ctx) => {
      const stats = { ordersCount: c.ordersCount ?? 0, totalSpent: c.totalSpent ?? 0, firstOrderAt: c.firstOrderAt, lastOrderAt: c.lastOrderAt };
      const currencyCode = ctx.shop.currencyCode;
      const aov = averageOrderValue(stats);
      return {
        ordersCount: stats.ordersCount,
        totalSpent: { amount: stats.totalSpent, currencyCode },
        averageOrderValue: aov === null ? null : { amount: aov, currencyCode },
        firstOrderAt: stats.firstOrderAt ?? null,
        lastOrderAt: stats.lastOrderAt ?? null,
        averageDaysBetweenOrders: averageDaysBetweenOrders(stats),
      };
    },
    orders: async (customer, args, ctx) => {
      if (!(await canReadCustomer(ctx, customer, 'ORDERS_READ'))) throw forbidden('This needs a secret key with scope ORDERS_READ');
      const list = `orders:${customer.customerId}`;
      const page = await listOrdersForCustomer({
        tenantId: ctx.tenantId,
        customerId: customer.customerId,
        first: pageSize(args.first),
        cursor: decodeCursor(ctx.tenantId, list, args.after),
      });
      return connection(ctx.tenantId, list, page, args.after);
    },
  },
};
