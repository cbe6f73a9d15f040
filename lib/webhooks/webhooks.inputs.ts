import { z } from 'zod';

export interface InputRules {
  /** Every type of the event catalogue. */
  knownTypes: readonly string[];
  /** In production http is refused even for localhost. */
  production: boolean;
}

function urlSchema(rules: InputRules) {
  return z
    .string()
    .max(2048)
    .refine((value) => {
      let url: URL;
      try {
        url = new URL(value);
      } catch {
        return false;
      }
      if (url.protocol === 'https:') return true;
      return url.protocol === 'http:' && !rules.production && ['localhost', '127.0.0.1'].includes(url.hostname);
    }, 'Must be an https URL (http only for localhost or 127.0.0.1 outside production)');
}

function typesSchema(rules: InputRules) {
  return z
    .array(z.string().refine((type) => type === '*' || rules.knownTypes.includes(type), 'Unknown event type (see the event catalogue) and not *'))
    .min(1)
    .max(100);
}

const idempotencyKey = z.string().min(1).max(255).nullish();

export function subscriptionCreateInput(rules: InputRules) {
  return z.object({
    url: urlSchema(rules),
    eventTypes: typesSchema(rules),
    enabled: z.boolean().nullish(),
    description: z.string().max(500).nullish(),
    idempotencyKey,
  });
}

export function subscriptionUpdateInput(rules: InputRules) {
  return z.object({
    id: z.string().min(1),
    url: urlSchema(rules).nullish(),
    eventTypes: typesSchema(rules).nullish(),
    enabled: z.boolean().nullish(),
    description: z.string().max(500).nullish(),
    idempotencyKey,
  });
}

export const byIdInput = z.object({ id: z.string().min(1), idempotencyKey });

export const replayInput = z
  .object({ subscription: z.string().min(1), from: z.coerce.date(), to: z.coerce.date(), idempotencyKey })
  .refine((value) => value.from < value.to, { message: '`from` must be before `to`', path: ['to'] });

export type SubscriptionCreateInput = z.infer<ReturnType<typeof subscriptionCreateInput>>;
export type SubscriptionUpdateInput = z.infer<ReturnType<typeof subscriptionUpdateInput>>;
