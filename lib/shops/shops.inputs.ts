import { z } from 'zod';
import { tenantIdPattern } from './keys.js';

export const apiScopes = [
  'CUSTOMERS_READ',
  'CUSTOMERS_WRITE',
  'ORDERS_READ',
  'ORDERS_WRITE',
  'LOYALTY_READ',
  'LOYALTY_WRITE',
  'REFERRALS_READ',
  'REFERRALS_WRITE',
  'SURVEYS_READ',
  'SURVEYS_WRITE',
  'METRICS_READ',
  'KEYS_READ',
  'KEYS_WRITE',
  'WEBHOOKS_READ',
  'WEBHOOKS_WRITE',
  'EVENTS_READ',
  'FLOWS_READ',
  'FLOWS_WRITE',
] as const;

export type ApiScope = (typeof apiScopes)[number];

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/**
 * A web origin as a browser sends it in `Origin`: scheme, host and port, nothing else. Written as
 * the browser writes it (lower case, no default port, no trailing slash) so a plain string
 * comparison decides CORS.
 */
const webOrigin = z
  .string()
  .trim()
  .max(300)
  .transform((value, ctx) => {
    let url: URL | undefined;
    try {
      url = new URL(value);
    } catch {
      url = undefined;
    }
    const bare = url && (url.protocol === 'https:' || url.protocol === 'http:') && !url.username && !url.password && url.pathname === '/' && !url.search && !url.hash;
    if (!url || !bare || value.replace(/\/$/, '').toLowerCase() !== url.origin.toLowerCase()) {
      ctx.addIssue({ code: 'custom', message: 'an origin such as https://shop.example.com (scheme, host and port only)' });
      return z.NEVER;
    }
    return url.origin;
  });

/** At most this many storefront origins per shop. */
export const maxAllowedOrigins = 20;

export const shopCreateInput = z.object({
  tenantId: z.string().regex(tenantIdPattern, 'lower-case letters, digits and dashes, 3 to 40 characters'),
  name: z.string().trim().min(1).max(200),
  currencyCode: z.string().regex(/^[A-Z]{3}$/, 'an ISO 4217 code such as EUR'),
  timeZone: z.string().refine(isTimeZone, 'an IANA time zone such as Europe/Berlin').default('UTC'),
  revenueBasis: z.enum(['TOTAL', 'SUBTOTAL']).default('TOTAL'),
});
export type ShopCreateInput = z.input<typeof shopCreateInput>;

export const shopSettingsUpdateInput = z
  .object({
    timeZone: z.string().refine(isTimeZone, 'an IANA time zone such as Europe/Berlin').nullish(),
    revenueBasis: z.enum(['TOTAL', 'SUBTOTAL']).nullish(),
    allowedOrigins: z
      .array(webOrigin)
      .max(maxAllowedOrigins)
      .transform((origins) => [...new Set(origins)].sort())
      .nullish(),
    eventSettings: z
      .object({
        churnRiskThreshold: z.number().gt(0).lt(1).nullish(),
        replenishmentLeadDays: z.number().int().min(0).max(365).nullish(),
        birthdayLeadDays: z.number().int().min(0).max(365).nullish(),
      })
      .nullish(),
  })
  .refine(
    (input) =>
      input.timeZone != null ||
      input.revenueBasis != null ||
      input.allowedOrigins != null ||
      Object.values(input.eventSettings ?? {}).some((value) => value != null),
    'give a timeZone, a revenueBasis, allowedOrigins, eventSettings or several',
  );
export type ShopSettingsUpdateInput = z.input<typeof shopSettingsUpdateInput>;

export const apiKeyCreateInput = z
  .object({
    name: z.string().trim().min(1).max(100),
    kind: z.enum(['SECRET', 'PUBLISHABLE']),
    scopes: z.array(z.enum(apiScopes)).nullish(),
    idempotencyKey: z.string().min(1).max(200).nullish(),
  })
  .superRefine((input, ctx) => {
    if (input.kind === 'SECRET' && !input.scopes?.length) {
      ctx.addIssue({ code: 'custom', path: ['scopes'], message: 'a secret key needs at least one scope' });
    }
    if (input.kind === 'PUBLISHABLE' && input.scopes?.length) {
      ctx.addIssue({ code: 'custom', path: ['scopes'], message: 'publishable keys carry no scopes: they reach only what a customer token allows' });
    }
  });
export type ApiKeyCreateInput = z.infer<typeof apiKeyCreateInput>;
