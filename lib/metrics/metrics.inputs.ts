import { z } from 'zod';
import { GRANULARITIES, isPeriodKey, periodOffset, type Granularity } from './periods.js';

/** The longest range a report covers: ten years of weeks. */
export const maxReportPeriods = 520;

const granularity = z.enum(GRANULARITIES as [Granularity, ...Granularity[]]);

/** A report's range: two period keys of the granularity, from ≤ to, at most `maxReportPeriods` periods. */
export const reportRangeInput = z
  .object({ granularity, from: z.string(), to: z.string() })
  .superRefine((value, ctx) => {
    const example = { WEEK: '2024-02-12 (a Monday)', MONTH: '2024-02', QUARTER: '2024-Q1', YEAR: '2024' }[value.granularity];
    for (const field of ['from', 'to'] as const) {
      if (!isPeriodKey(value[field], value.granularity)) {
        ctx.addIssue({ code: 'custom', path: [field], message: `${field} must be a ${value.granularity} period key such as ${example}, got "${value[field]}"` });
      }
    }
    if (!isPeriodKey(value.from, value.granularity) || !isPeriodKey(value.to, value.granularity)) return;
    const count = periodOffset(value.from, value.to) + 1;
    if (count < 1) ctx.addIssue({ code: 'custom', path: ['to'], message: `to (${value.to}) must not come before from (${value.from})` });
    if (count > maxReportPeriods) {
      ctx.addIssue({ code: 'custom', path: ['to'], message: `A report covers at most ${maxReportPeriods} periods; ${value.from}..${value.to} is ${count}` });
    }
  });

export const retentionReportInput = reportRangeInput.and(z.object({ lookback: z.enum(['PREVIOUS_PERIOD', 'ALL_PRIOR']).default('PREVIOUS_PERIOD') }));

export type ReportRangeInput = z.infer<typeof reportRangeInput>;
