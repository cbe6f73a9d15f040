import { z } from 'zod';
import { defineEvent } from '../events/index.js';

/** A treated customer entered a flow: the shop's email tool sends the message (held-out customers get no event). */
export const flowAction = defineEvent({
  type: 'flow.action',
  version: 1,
  description: 'A customer in a flow’s treatment group is due its action: the flow, the customer and the coupon code to send.',
  data: z.object({
    flowId: z.string(),
    flowVersion: z.number().int().positive(),
    customerId: z.string(),
    couponCode: z.string().nullable(),
    triggerEventId: z.string(),
    enteredAt: z.string(),
  }),
  sample: {
    flowId: 'flw_3c1e2b9d',
    flowVersion: 1,
    customerId: 'cus_4f2a9c1e8b7d4a3f9e6c2b1a0d9e8f7c',
    couponCode: 'COMEBACK15',
    triggerEventId: 'evt_9a8b7c',
    enteredAt: '2026-03-01T10:15:00.000Z',
  },
});

export const flowEvents = [flowAction];
