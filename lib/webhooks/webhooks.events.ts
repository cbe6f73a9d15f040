import { z } from 'zod';
import { defineEvent } from '../events/index.js';

/** The dispatcher disabled an endpoint that kept failing. */
export const webhookEndpointDisabled = defineEvent({
  type: 'webhook.endpoint_disabled',
  version: 1,
  description: 'A webhook endpoint failed every delivery for the configured number of days and was disabled; re-enable it with webhookSubscriptionUpdate.',
  data: z.object({ subscriptionId: z.string(), url: z.string(), failingSince: z.string(), disabledReason: z.string() }),
  sample: {
    subscriptionId: 'whs_01hzy3k8q2',
    url: 'https://partner.example.com/hooks',
    failingSince: '2026-02-24T08:00:00.000Z',
    disabledReason: 'Every delivery failed for 5 days (last: HTTP 503)',
  },
});

export const webhookEvents = [webhookEndpointDisabled];
