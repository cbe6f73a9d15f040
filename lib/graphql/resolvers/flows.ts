import { z } from 'zod';
import type { Resolvers } from '../__generated__/resolvers.js';
import { requireScope, type GraphQLContext } from '../context.js';
import { localIdOf, toGlobalId } from '../ids.js';
import type { NodeFetchers } from '../nodes.js';
import { mutation } from '../user-errors.js';
import {
  createFlow,
  FlowNotFoundError,
  flowCreateInput,
  flowReport,
  flowReportInput,
  flowUpdateInput,
  getFlow,
  listFlows,
  transitionFlow,
  updateFlow,
  type FlowItem,
} from '../../flows/index.js';

const idInput = z.object({ id: z.string().min(1).max(200) });

/** What a caller sees of a flow: never its salt (with it, anyone could predict the holdout). */
function flowView(flow: FlowItem) {
  const { salt: _salt, tenantId, flowId, ...rest } = flow;
  return { ...rest, id: toGlobalId(tenantId, 'Flow', flowId), conditions: rest.conditions ?? {} };
}

/**
 * The local id of a flow's global id read by this shop. An id that is not one (another shop's, a
 * typo) becomes one no flow has (flows are `flw_…`), so it is NOT_FOUND like an unknown flow.
 */
function flowIdOf(ctx: GraphQLContext, id: string): string {
  return localIdOf(ctx.tenantId, id, 'Flow') ?? 'unknown';
}

export const flowNodes: NodeFetchers<'Flow'> = {
  Flow: async (ctx, flowId) => {
    requireScope(ctx, 'FLOWS_READ');
    const flow = await getFlow(ctx.tenantId, flowId);
    return (flow ? flowView(flow) : null) as never;
  },
};

const emptyFlow = { flow: null };

export const flowResolvers: Resolvers = {
  Query: {
    flows: async (_root, _args, ctx) => {
      requireScope(ctx, 'FLOWS_READ');
      return (await listFlows(ctx.tenantId)).map(flowView) as never;
    },
    flow: async (_root, { id }, ctx) => {
      requireScope(ctx, 'FLOWS_READ');
      const flow = await getFlow(ctx.tenantId, flowIdOf(ctx, id));
      return (flow ? flowView(flow) : null) as never;
    },
    flowReport: async (_root, args, ctx) => {
      requireScope(ctx, 'FLOWS_READ');
      const options = flowReportInput.parse({
        from: args.from ? new Date(args.from as unknown as string).toISOString() : undefined,
        to: args.to ? new Date(args.to as unknown as string).toISOString() : undefined,
        version: args.version ?? undefined,
      });
      // flowReport reads the flow itself: an unknown one is null here, not a second read first.
      let report;
      try {
        report = await flowReport(ctx.tenantId, flowIdOf(ctx, args.flow), options, ctx.clock.now());
      } catch (error) {
        if (error instanceof FlowNotFoundError) return null;
        throw error;
      }
      return { ...report, verdict: report.significant ? 'SIGNIFICANT' : 'NOT_YET_SIGNIFICANT' } as never;
    },
  },
  Mutation: {
    flowCreate: async (_root, { input }, ctx) => {
      requireScope(ctx, 'FLOWS_WRITE');
      return mutation(async () => {
        const { idempotencyKey, ...rest } = input;
        const parsed = flowCreateInput.parse(stripNulls(rest));
        const { flow } = await createFlow(ctx.tenantId, parsed, ctx.clock.now(), idempotencyKey ?? undefined);
        return { flow: flowView(flow) as never };
      }, emptyFlow);
    },
    flowUpdate: async (_root, { input }, ctx) => {
      requireScope(ctx, 'FLOWS_WRITE');
      return mutation(async () => {
        const { id, ...rest } = input;
        const flow = await updateFlow(ctx.tenantId, flowIdOf(ctx, id), flowUpdateInput.parse(stripNulls(rest)), ctx.clock.now());
        return { flow: flowView(flow) as never };
      }, emptyFlow);
    },
    flowActivate: async (_root, { input }, ctx) => {
      requireScope(ctx, 'FLOWS_WRITE');
      return mutation(async () => ({ flow: flowView(await transitionFlow(ctx.tenantId, flowIdOf(ctx, idInput.parse(input).id), 'ACTIVE', ctx.clock.now())) as never }), emptyFlow);
    },
    flowPause: async (_root, { input }, ctx) => {
      requireScope(ctx, 'FLOWS_WRITE');
      return mutation(async () => ({ flow: flowView(await transitionFlow(ctx.tenantId, flowIdOf(ctx, idInput.parse(input).id), 'PAUSED', ctx.clock.now())) as never }), emptyFlow);
    },
    flowArchive: async (_root, { input }, ctx) => {
      requireScope(ctx, 'FLOWS_WRITE');
      return mutation(async () => ({ flow: flowView(await transitionFlow(ctx.tenantId, flowIdOf(ctx, idInput.parse(input).id), 'ARCHIVED', ctx.clock.now())) as never }), emptyFlow);
    },
  },
};

/** GraphQL sends null for an omitted optional field; zod's optional means absent. */
function stripNulls<T extends object>(value: T): T {
  return JSON.parse(JSON.stringify(value, (_key, v) => (v === null ? undefined : v))) as T;
}
