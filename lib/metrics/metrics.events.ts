import { z } from 'zod';
import { RFM_GROUPS, type RfmGroup } from '../customers/index.js';
import { defineEvent } from '../events/index.js';

const group = z.enum(RFM_GROUPS as [RfmGroup, ...RfmGroup[]]);
const score = z.number().int().min(1).max(5);
const scores = z.object({ recency: score, frequency: score, monetary: score });

/** A segmentation run put a customer in an RFM group they were not in at the previous complete run. */
export const segmentEntered = defineEvent({
  type: 'segment.entered',
  version: 1,
  description: 'The daily segmentation put a customer in an RFM group (AT_RISK, CHAMPIONS, …) they were not in at the previous complete run; the first run of a shop reports every customer, with previousGroup null.',
  data: z.object({
    customerId: z.string(),
    group,
    /** The group at the previous complete run; null when the customer was in none. */
    previousGroup: group.nullable(),
    /** The run's as-of instant. */
    runAsOf: z.string(),
    /** The customer's R/F/M quintile scores at this run (1 to 5). */
    scores,
  }),
  sample: {
    customerId: 'cus_4f2a9c1e8b7d4a3f9e6c2b1a0d9e8f7c',
    group: 'AT_RISK',
    previousGroup: 'LOYAL',
    runAsOf: '2026-03-08T03:00:00.000Z',
    scores: { recency: 2, frequency: 4, monetary: 4 },
  },
});

/** A segmentation run no longer has a customer in the RFM group they were in at the previous complete run. */
export const segmentLeft = defineEvent({
  type: 'segment.left',
  version: 1,
  description: 'The daily segmentation moved a customer out of the RFM group they were in at the previous complete run: the group left, the group now (null when the customer has no counted order any more) and the scores now.',
  data: z.object({
    customerId: z.string(),
    group,
    /** The group at this run; null when the customer is in none. */
    nextGroup: group.nullable(),
    runAsOf: z.string(),
    /** The scores at this run; null when the customer is in no group. */
    scores: scores.nullable(),
  }),
  sample: {
    customerId: 'cus_4f2a9c1e8b7d4a3f9e6c2b1a0d9e8f7c',
    group: 'LOYAL',
    nextGroup: 'AT_RISK',
    runAsOf: '2026-03-08T03:00:00.000Z',
    scores: { recency: 2, frequency: 4, monetary: 4 },
  },
});

export const metricsEvents = [segmentEntered, segmentLeft];
