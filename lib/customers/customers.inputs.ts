import { z } from 'zod';
import { safeThreshold } from '../common/amounts.js';
import { inputDateTime, text } from '../common/input.js';
import { RFM_GROUPS, type RfmGroup } from './rfm-groups.js';


export const marketingConsentInput = z.object({
  newsletter: z.enum(['SUBSCRIBED', 'UNSUBSCRIBED', 'NOT_SUBSCRIBED']),
  at: inputDateTime.nullish(),
  source: text(100).nullish(),
});

/** Undefined leaves a field as it is; null clears it. */
/** Names an object inherits: as keys they break marshalling or set the object's prototype. */
const reservedAttributeKeys = new Set(['__proto__', 'constructor', 'prototype']);

// Checked on the raw object: zod's record drops a `__proto__` key silently.
const attributesInput = z
  .custom<unknown>(
    (raw) => !(raw && typeof raw === 'object' && Object.keys(raw).some((key) => reservedAttributeKeys.has(key))),
    'constructor, prototype and __proto__ are reserved and cannot be attribute names',
  )
  .pipe(
    z
      .record(
        z.string().min(1).max(100),
        // The table holds numbers exactly up to 2^53; a larger one would be stored rounded, or refused.
        z.union([z.string().max(1000), z.number().min(-Number.MAX_SAFE_INTEGER).max(Number.MAX_SAFE_INTEGER), z.boolean(), z.null()]),
      )
      .refine((value) => Object.keys(value).length <= 50, 'at most 50 attributes'),
  );

export const customerUpsertInput = z.object({
  externalId: text(200),
  email: z.string().trim().max(320).pipe(z.email()).nullish(),
  firstName: text(200).nullish(),
  lastName: text(200).nullish(),
  phone: z.string().regex(/^\+?[0-9 ()./-]{3,30}$/, 'digits, spaces and + ( ) - . / only').nullish(),
  birthday: z.iso.date().nullish(),
  locale: z.string().regex(/^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/, 'a BCP 47 tag such as de or nl-BE').nullish(),
  tags: z.array(text(100)).max(100).nullish(),
  attributes: attributesInput.nullish(),
  marketingConsent: marketingConsentInput.nullish(),
});
export type CustomerUpsertInput = z.infer<typeof customerUpsertInput>;

export const customerFilterInput = z
  .object({
    tag: text(100).nullish(),
    hasOrders: z.boolean().nullish(),
    newsletter: z.enum(['SUBSCRIBED', 'UNSUBSCRIBED', 'NOT_SUBSCRIBED']).nullish(),
    probabilityAliveBelow: z.number().min(0).max(1).nullish(),
    predictedValueAbove: safeThreshold().nullish(),
    segment: z.enum(RFM_GROUPS as [RfmGroup, ...RfmGroup[]]).nullish(),
  })
  .nullish();
export type CustomerFilterInput = z.infer<typeof customerFilterInput>;

/** Trimmed and lower-cased: the form in which emails are compared and looked up. */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}
