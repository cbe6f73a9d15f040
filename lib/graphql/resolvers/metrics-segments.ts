import { GraphQLError } from 'graphql';
import { z, ZodError } from 'zod';
import type { Resolvers } from '../__generated__/resolvers.js';
import { requireScope, type GraphQLContext } from '../context.js';
import { connection, decodeCursor, pageSize } from '../cursors.js';
import { listReplenishmentDue, readBrightSpots } from '../../metrics/metrics.purchases.js';
import type { BrightSpot } from '../../metrics/purchases.js';

// Queries have no userErrors: invalid arguments are a BAD_USER_INPUT naming the argument.
function parseArgs<S extends z.ZodType>(schema: S, args: unknown): z.infer<S> {
  try {
    return schema.parse(args);
  } catch (error) {
    if (!(error instanceof ZodError)) throw error;
    const first = error.issues[0];
    throw new GraphQLError(error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; '), {
      extensions: { code: 'BAD_USER_INPUT', argumentName: first?.path[0] !== undefined ? String(first.path[0]) : undefined },
    });
  }
}

const replenishmentInput = z
  .object({
    category: z.string().trim().min(1).max(200),
    from: z.iso.datetime({ offset: true }).transform((value) => new Date(value)),
    to: z.iso.datetime({ offset: true }).transform((value) => new Date(value)),
  })
  .refine(({ from, to }) => from <= to, { message: 'from must not come after to', path: ['to'] });

const DAY_MS = 86_400_000;
const day = z.iso.date();
const brightSpotsInput = z.object({
  period: z
    .object({ from: day, to: day })
    .refine(({ from, to }) => from <= to, { message: 'from must not come after to', path: ['to'] })
    .refine(({ from, to }) => Date.parse(to) - Date.parse(from) <= 365 * DAY_MS, { message: 'at most 366 days', path: ['to'] }),
});

function brightSpotView(spot: BrightSpot, ctx: GraphQLContext) {
  return {
    ...spot,
    loyalRevenue: { amount: spot.loyalRevenue, currencyCode: ctx.shop.currencyCode },
    otherRevenue: { amount: spot.otherRevenue, currencyCode: ctx.shop.currencyCode },
  };
}

function foldedView(folded: { loyalUnits: number; loyalRevenue: number; otherUnits: number; otherRevenue: number }, ctx: GraphQLContext) {
  return {
    loyalUnits: folded.loyalUnits,
    otherUnits: folded.otherUnits,
    loyalRevenue: { amount: folded.loyalRevenue, currencyCode: ctx.shop.currencyCode },
    otherRevenue: { amount: folded.otherRevenue, currencyCode: ctx.shop.currencyCode },
  };
}

export const metricsSegmentResolvers: Resolvers = {
  Query: {
    replenishmentDue: async (_root, args, ctx) => {
      requireScope(ctx, 'METRICS_READ');
      requireScope(ctx, 'CUSTOMERS_READ');
      const { category, from, to } = parseArgs(replenishmentInput, { category: args.category, from: args.from, to: args.to });
      const list = `replenishmentDue:${category}:${from.toISOString()}:${to.toISOString()}`;
      const page = await listReplenishmentDue({ tenantId: ctx.tenantId, category, from, to, first: pageSize(args.first), cursor: decodeCursor(ctx.tenantId, list, args.after) });
      const customers = await Promise.all(page.items.map((item) => ctx.loaders.customer.load(item.customerId)));
      const present = page.items.flatMap((item, i) => {
        const customer = customers[i];
        if (!customer) return [];
        const node = {
          customer,
          category: item.category,
          purchaseDays: item.purchaseDays,
          lastPurchaseAt: item.lastPurchaseAt,
          usualIntervalDays: item.meanIntervalDays,
          expectedNextAt: item.expectedNextAt,
        };
        return [{ node, cursor: page.cursors[i]! }];
      });
      return connection(ctx.tenantId, list, { items: present.map((p) => p.node), cursors: present.map((p) => p.cursor), hasNextPage: page.hasNextPage }, args.after);
    },
    loyalCustomerProducts: async (_root, args, ctx) => {
      requireScope(ctx, 'METRICS_READ');
      const { period } = parseArgs(brightSpotsInput, { period: args.period });
      const spots = await readBrightSpots(ctx.tenantId, period.from, period.to, pageSize(args.first));
      return {
        from: period.from,
        to: period.to,
        segmentationRunAt: spots.segmentationRunAt,
        products: spots.products.map((spot) => brightSpotView(spot, ctx)),
        categories: spots.categories.map((spot) => brightSpotView(spot, ctx)),
        foldedProducts: foldedView(spots.foldedProducts, ctx),
        foldedCategories: foldedView(spots.foldedCategories, ctx),
      };
    },
  },
};
