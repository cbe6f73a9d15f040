import type { z } from 'zod';

/**
 * One type of the event catalogue. A domain declares the events it emits next to its services
 * (`lib/<domain>/<domain>.events.ts`); the catalogue partners read (README, `webhookTest`,
 * subscription validation) is assembled at the top floor, so this floor knows no domain.
 */
export interface EventDefinition<S extends z.ZodType = z.ZodType> {
  /** `<noun>.<past tense or state>`, e.g. `order.recorded`. Never renamed once published. */
  type: string;
  /** The payload's version: starts at 1 and grows only with a breaking change to `data`. */
  version: number;
  /** One sentence: what fact the event reports and when it fires. */
  description: string;
  /** The payload: the facts a partner needs without a second call. */
  data: S;
  /** A realistic payload, for the README and `webhookTest`. */
  sample: z.infer<S>;
}

/** Declares an event type; the identity function, there so that `sample` is checked against `data`. */
export function defineEvent<S extends z.ZodType>(definition: EventDefinition<S>): EventDefinition<S> {
  return definition;
}
