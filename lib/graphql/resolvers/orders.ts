import type { OrderItem } from '../../orders/orders.entities.js';
import type { Resolvers } from '../__generated__/resolvers.js';
import { canReadCustomer, forbidden, requireScope, type GraphQLContext } from '../context.js';
import { toGlobalId } from '../ids.js';
import type { NodeFetchers } from '../nodes.js';
import { mutation } from '../user-errors.js';
import { maxBatchSize, orderCancelInput, orderRecordInput, orderRefundInput } from '../../orders/orders.inputs.js';
import { cancelOrder, getOrder, recordOrder, refundOrder, type Refund } from '../../orders/orders.service.js';

const money = (amount: number, ctx: GraphQLContext) => ({ amount, currencyCode: ctx.shop.currencyCode });

const refundView = (r: Refund, ctx: GraphQLContext) => ({ refundId: r.refundId, amount: money(r.amount, ctx), reason: r.reason ?? null, createdAt: r.createdAt });

/** Records one order input; its user errors are rooted at `root` (e.g. input.orders.3). */
async function recordOne(ctx: GraphQLContext, input: unknown, root: string[]) {
  return mutation(
    async () => {
      const valid = orderRecordInput.parse(input);
      const { order, created } = await recordOrder({ tenantId: ctx.tenantId, currencyCode: ctx.shop.currencyCode }, valid, ctx.clock.now());
      return { order, created };
    },
    { order: null, created: false },
    root,
  );
}

/** Runs `task` over `items` with at most `limit` in flight, keeping the results in input order. */
async function mapLimited<T, R>(items: readonly T[], limit: number, task: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await task(items[index]!, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

export const orderNodes: NodeFetchers<'Order'> = {
  Order: async (ctx, orderId) => {
    requireScope(ctx, 'ORDERS_READ');
    return (await getOrder(ctx.tenantId, orderId)) ?? null;
  },
};

export const orderResolvers: Resolvers = {
  Query: {
    order: (_root, { orderId }, ctx) => orderNodes.Order(ctx, orderId),
  },
  Mutation: {
    orderRecord: async (_root, { input }, ctx) => {
      requireScope(ctx, 'ORDERS_WRITE');
      return recordOne(ctx, input, ['input']);
    },
    orderRecordBatch: async (_root, { input }, ctx) => {
      requireScope(ctx, 'ORDERS_WRITE');
      if (input.orders.length > maxBatchSize) {
        return {
          results: [],
          createdCount: 0,
          existingCount: 0,
          failedCount: input.orders.length,
          userErrors: [{ field: ['input', 'orders'], code: 'INVALID' as const, message: `At most ${maxBatchSize} orders per batch` }],
        };
      }
      // A few at a time: orders of one customer contend on its statistics (optimistic retries).
      const results = await mapLimited(input.orders, 4, async (order, index) => ({
        orderId: order.orderId ?? null,
        ...(await recordOne(ctx, order, ['input', 'orders', String(index)])),
      }));
      return {
        results,
        createdCount: results.filter((r) => r.created).length,
        existingCount: results.filter((r) => r.order && !r.created).length,
        failedCount: results.filter((r) => r.userErrors.length > 0).length,
        userErrors: [],
      };
    },
    orderCancel: async (_root, { input }, ctx) => {
      requireScope(ctx, 'ORDERS_WRITE');
      return mutation(async () => ({ order: await cancelOrder(ctx.tenantId, orderCancelInput.parse(input), ctx.clock.now()) }), { order: null });
    },
    orderRefund: async (_root, { input }, ctx) => {
      requireScope(ctx, 'ORDERS_WRITE');
      return mutation(
        async () => {
          const { order, refund } = await refundOrder(ctx.tenantId, orderRefundInput.parse(input), ctx.clock.now());
          return { order, refund: refundView(refund, ctx) };
        },
        { order: null, refund: null },
      );
    },
  },
  Order: {
    id: (o) => toGlobalId(o.tenantId, 'Order', o.orderId),
    customer: async (o, _args, ctx) => {
      const customer = await ctx.loaders.customer.load(o.customerId);
      if (!customer) return null;
      if (!(await canReadCustomer(ctx, customer, 'CUSTOMERS_READ'))) throw forbidden('This needs a secret key with scope CUSTOMERS_READ');
      return customer;
    },
    status: (o) => o.status,
    subtotal: (o, _a, ctx) => money(o.subtotal, ctx),
    discounts: (o, _a, ctx) => money(o.discounts, ctx),
    shipping: (o, _a, ctx) => money(o.shipping, ctx),
    tax: (o, _a, ctx) => money(o.tax, ctx),
    total: (o, _a, ctx) => money(o.total, ctx),
    refunded: (o, _a, ctx) => money(o.refunded, ctx),
    netTotal: (o, _a, ctx) => money(o.status === 'CANCELLED' ? 0 : o.total - o.refunded, ctx),
    lineItems: (o: OrderItem, _a, ctx) =>
      (o.lineItems ?? []).map((line) => ({
        sku: line.sku ?? null,
        productId: line.productId ?? null,
        title: line.title ?? null,
        category: line.category ?? null,
        quantity: line.quantity,
        unitPrice: money(line.unitPrice, ctx),
      })),
    discountCodes: (o) => o.discountCodes ?? [],
    referralCode: (o) => o.referralCode ?? null,
    channel: (o) => o.channel ?? null,
    refunds: (o, _a, ctx) => (o.refunds ?? []).map((r) => refundView(r, ctx)),
    cancelledAt: (o) => o.cancelledAt ?? null,
  },
};
