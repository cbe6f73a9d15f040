import { z } from 'zod';
import { holdoutShareBounds } from './holdout.js';

/** The event types a flow can be triggered by (the catalogue's and those other domains are adding). */
export const flowTriggerTypes = [
  'segment.entered',
  'replenishment.due',
  'customer.birthday_upcoming',
  'customer.newsletter_subscribed',
  'loyalty.points_expiring',
  'order.recorded',
  'customer.churn_risk_high',
] as const;

export const flowConditionsInput = z.object({
  /** segment.entered: the group entered (e.g. AT_RISK). */
  segmentGroup: z.string().min(1).max(64).optional(),
  /** order.recorded: only a customer's first order. */
  firstOrderOnly: z.boolean().optional(),
  /** replenishment.due: the category. */
  category: z.string().min(1).max(128).optional(),
  /** The customer carries every one of these tags. */
  tags: z.array(z.string().min(1).max(64)).max(20).optional(),
  minimumTotalSpent: z.number().int().nonnegative().optional(),
});
export type FlowConditions = z.infer<typeof flowConditionsInput>;

const definition = {
  name: z.string().trim().min(1).max(120),
  conditions: flowConditionsInput.default({}),
  couponCode: z.string().trim().min(1).max(64).optional(),
  holdoutShare: z.number().min(holdoutShareBounds.min).max(holdoutShareBounds.max).default(holdoutShareBounds.default),
  reentryDays: z.number().int().min(1).max(3_650).default(90),
  goalDays: z.number().int().min(1).max(365).default(30),
  goalMinimumAmount: z.number().int().nonnegative().optional(),
};

export const flowCreateInput = z.object({
  triggerType: z.enum(flowTriggerTypes),
  ...definition,
});
export type FlowCreateInput = z.infer<typeof flowCreateInput>;

export const flowUpdateInput = z.object({
  name: definition.name.optional(),
  conditions: flowConditionsInput.optional(),
  couponCode: definition.couponCode,
  holdoutShare: definition.holdoutShare.optional(),
  reentryDays: definition.reentryDays.optional(),
  goalDays: definition.goalDays.optional(),
  goalMinimumAmount: definition.goalMinimumAmount,
});
export type FlowUpdateInput = z.infer<typeof flowUpdateInput>;

export const flowReportInput = z.object({
  from: z.string().datetime({ offset: true }).optional(),
  to: z.string().datetime({ offset: true }).optional(),
  version: z.number().int().positive().optional(),
});
