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
}

export const schedules: Schedule[] = [];
