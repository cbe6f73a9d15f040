import { DomainError } from '../common/errors.js';

/** Base of the metrics domain's business failures. */
export abstract class MetricsError extends DomainError {}

/** A period key that is not one of the formats of `periods.ts`, or not of the expected granularity. */
export class InvalidPeriodError extends MetricsError {
  readonly code = 'INVALID' as const;
  constructor(
    readonly period: string,
    readonly reason: string,
  ) {
    super(`Invalid period "${period}": ${reason}`);
  }
}

/** A time zone name that the runtime's IANA database does not know. */
export class InvalidTimeZoneError extends MetricsError {
  readonly code = 'INVALID' as const;
  constructor(readonly timeZone: string) {
    super(`Unknown IANA time zone "${timeZone}"`, ['timeZone']);
  }
}
