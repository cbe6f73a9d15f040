import { z } from 'zod';
import { defineEvent } from '../events/index.js';

const source = z.enum(['UPSERT', 'ORDER']);

/** A customer record was created, by an upsert or by their first order (once per customer). */
export const customerCreated = defineEvent({
  type: 'customer.created',
  version: 1,
  description: 'A customer was created, by `customerUpsert` or by the first order that named them.',
  data: z.object({
    customerId: z.string(),
    externalId: z.string().nullable(),
    /** What created it: an upsert or an order. */
    source,
    newsletter: z.enum(['SUBSCRIBED', 'UNSUBSCRIBED', 'NOT_SUBSCRIBED']),
    createdAt: z.string(),
  }),
  sample: {
    customerId: 'cus_4f2a9c1e8b7d4a3f9e6c2b1a0d9e8f7c',
    externalId: 'shopify-7710',
    source: 'UPSERT',
    newsletter: 'SUBSCRIBED',
    createdAt: '2026-03-01T10:15:00.000Z',
  },
});

/** A customer's personal data was erased (GDPR); once per customer. */
export const customerErased = defineEvent({
  type: 'customer.erased',
  version: 1,
  description: 'A customer’s personal data was erased (GDPR): partners must erase what they hold about this customer id.',
  data: z.object({
    customerId: z.string(),
    erasedAt: z.string(),
  }),
  sample: { customerId: 'cus_4f2a9c1e8b7d4a3f9e6c2b1a0d9e8f7c', erasedAt: '2026-04-12T08:30:00.000Z' },
});

/** Marketing consent turned on (from not subscribed or unsubscribed); once per opt-in. */
export const customerNewsletterSubscribed = defineEvent({
  type: 'customer.newsletter_subscribed',
  version: 1,
  description: 'A customer’s newsletter consent turned on: when it was given and where.',
  data: z.object({
    customerId: z.string(),
    externalId: z.string().nullable(),
    optedInAt: z.string(),
    optInSource: z.string().nullable(),
  }),
  sample: {
    customerId: 'cus_4f2a9c1e8b7d4a3f9e6c2b1a0d9e8f7c',
    externalId: 'shopify-7710',
    optedInAt: '2026-03-01T10:15:00.000Z',
    optInSource: 'checkout',
  },
});

/** A customer's birthday is N days away (the shop's setting, default 7); once per customer and year. */
export const customerBirthdayUpcoming = defineEvent({
  type: 'customer.birthday_upcoming',
  version: 1,
  description: 'A customer’s birthday is the shop’s configured number of days away (default 7); sent once a year.',
  data: z.object({
    customerId: z.string(),
    externalId: z.string().nullable(),
    /** YYYY-MM-DD: this year's birthday (28 February for a 29 February birthday in a common year). */
    birthdayOn: z.string(),
    daysBefore: z.number().int().nonnegative(),
  }),
  sample: { customerId: 'cus_4f2a9c1e8b7d4a3f9e6c2b1a0d9e8f7c', externalId: 'shopify-7710', birthdayOn: '2026-03-08', daysBefore: 7 },
});

export const customerEvents = [customerCreated, customerErased, customerNewsletterSubscribed, customerBirthdayUpcoming];
