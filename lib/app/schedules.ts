/**
 * Every scheduled function, declared once: `sst.config.ts` turns each into an `sst.aws.Cron`, and
 * `npm run dev` runs the same handlers on a timer (`localEveryMs`). A scheduled handler must be
 * idempotent: EventBridge delivers at least once, and a run may overlap the next.
 */
export interface Schedule {
  /** Resource name in SST (PascalCase). */
  name: string;
  /** `functions/<file>.handler`. */
  handler: string;
  /** EventBridge schedule expression. */
  schedule: `rate(${string})` | `cron(${string})`;
  /** How often `npm run dev` runs it. */
  localEveryMs: number;
  /** Lambda memory in AWS when the default (1024 MB) is not enough. */
  memory?: `${number} MB`;
}

export const schedules: Schedule[] = [
  // The refit holds one summary per customer and fits in memory: 3 GB (and the CPU share it buys)
  // is what the README's limits assume.
  { name: 'Predictions', handler: 'functions/predictions.handler', schedule: 'rate(1 minute)', localEveryMs: 5_000, memory: '3072 MB' },
  { name: 'MetricsRebuild', handler: 'functions/metrics-rebuild.handler', schedule: 'rate(1 minute)', localEveryMs: 2_000 },
  { name: 'MetricsSegments', handler: 'functions/metrics-segments.handler', schedule: 'rate(1 day)', localEveryMs: 300_000 },
  { name: 'LoyaltyExpiry', handler: 'functions/loyalty-expiry.handler', schedule: 'rate(1 hour)', localEveryMs: 60_000 },
  { name: 'LoyaltyTiers', handler: 'functions/loyalty-tiers.handler', schedule: 'rate(1 hour)', localEveryMs: 60_000 },
  { name: 'WebhookSweep', handler: 'functions/webhook-sweep.handler', schedule: 'rate(1 minute)', localEveryMs: 5_000 },
  { name: 'ReferralCompletion', handler: 'functions/referral-completion.handler', schedule: 'rate(1 hour)', localEveryMs: 60_000 },
];
