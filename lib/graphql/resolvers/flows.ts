import { z } from 'zod';
import type { Resolvers } from '../__generated__/resolvers.js';
import { requireScope } from '../context.js';
import { mutation } from '../user-errors.js';
import {
  createFlow,
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
  const { salt: _salt, tenantId: _tenant, flowId, ...rest } = flow;
  return { ...rest, id: flowId, conditions: rest.conditions ?? {} };
}

const emptyFlow = { flow: null };

export const flowResolvers: Resolvers = {
  Query: {
    flows: async (_root, _args, ctx) => {
      requireScope(ctx, 'FLOWS_READ');
      return (await listFlows(ctx.tenantId)).map(flowView) as never;
    },
    flow: async (_root, { id }, ctx) => {
      requireScope(ctx, 'FLOWS_READ');
      const flow = await getFlow(ctx.tenantId, id);
      return (flow ? flowView(flow) : null) as never;
    },
    flowReport: async (_root, args, ctx) => {
      requireScope(ctx, 'FLOWS_READ');
      const options = flowReportInput.parse({
        from: args.from ? new Date(args.from as unknown as string).toISOString() : undefined,
        to: args.to ? new Date(args.to as unknown as string).toISOString() : undefined,
        version: args.version ?? undefined,
      });
      const flow = await getFlow(ctx.tenantId, args.flow);
      if (!flow) return null;
      const report = await flowReport(ctx.tenantId, args.flow, options, ctx.clock.now());
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
        const flow = await updateFlow(ctx.tenantId, id, flowUpdateInput.parse(stripNulls(rest)), ctx.clock.now());
        return { flow: flowView(flow) as never };
      }, emptyFlow);
    },
    flowActivate: async (_root, { input }, ctx) => {
      requireScope(ctx, 'FLOWS_WRITE');
      return mutation(async () => ({ flow: flowView(await transitionFlow(ctx.tenantId, idInput.parse(input).id, 'ACTIVE', ctx.clock.now())) as never }), emptyFlow);
    },
    flowPause: async (_root, { input }, ctx) => {
      requireScope(ctx, 'FLOWS_WRITE');
      return mutation(async () => ({ flow: flowView(await transitionFlow(ctx.tenantId, idInput.parse(input).id, 'PAUSED', ctx.clock.now())) as never }), emptyFlow);
    },
    flowArchive: async (_root, { input }, ctx) => {
      requireScope(ctx, 'FLOWS_WRITE');
      return mutation(async () => ({ flow: flowView(await transitionFlow(ctx.tenantId, idInput.parse(input).id, 'ARCHIVED', ctx.clock.now())) as never }), emptyFlow);
    },
  },
};

/** GraphQL sends null for an omitted optional field; zod's optional means absent. */
function stripNulls<T extends object>(value: T): T {
  return JSON.parse(JSON.stringify(value, (_key, v) => (v === null ? undefined : v))) as T;
}
