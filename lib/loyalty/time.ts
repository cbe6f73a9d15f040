/**
 * Instants and calendar arithmetic for the loyalty rules.
 *
 * Instants are ISO-8601 UTC strings in `Date.prototype.toISOString()` form, so they are stored as
 * they are and compare correctly as strings. Durations (pending period, AFTER_DAYS, INACTIVITY) are
 * whole 24-hour days; calendar periods (per-day limits, calendar years, rolling 12 months) are taken
 * in the tenant's IANA time zone.
 */

export const DAY_MS = 86_400_000;

/** Given an ISO-8601 instant, returns its epoch milliseconds; throws RangeError when unparseable. */
export function toMs(at: string): number {
  const ms = Date.parse(at);
  if (Number.isNaN(ms)) throw new RangeError(`Not an ISO-8601 instant: ${at}`);
  return ms;
}

/** Given epoch milliseconds, returns the canonical ISO-8601 UTC instant. */
export function toInstant(ms: number): string {
  return new Date(ms).toISOString();
}

/** Given any ISO-8601 instant, returns it in canonical UTC form (comparable as a string). */
export function normalizeInstant(at: string): string {
  return toInstant(toMs(at));
}

/** Given an instant and a number of 24-hour days, returns the instant that many days later. */
export function addDays(at: string, days: number): string {
  return toInstant(toMs(at) + days * DAY_MS);
}

export interface ZonedParts {
  year: number;
  /** 1-12 */
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    // Throws RangeError for an unknown zone, which is what a misconfigured tenant deserves.
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

function partsAtMs(ms: number, timeZone: string): ZonedParts {
  const parts: Record<string, number> = {};
  for (const part of formatterFor(timeZone).formatToParts(new Date(ms))) {
    if (part.type !== 'literal') parts[part.type] = Number(part.value);
  }
  return {
    year: parts.year ?? 0,
    month: parts.month ?? 1,
    day: parts.day ?? 1,
    hour: parts.hour ?? 0,
    minute: parts.minute ?? 0,
    second: parts.second ?? 0,
  };
}

/** Given an instant and an IANA time zone, returns the wall-clock date and time there. */
export function zonedParts(at: string, timeZone: string): ZonedParts {
  return partsAtMs(toMs(at), timeZone);
}

/** Given an instant and a time zone, returns the local calendar date there as `YYYY-MM-DD`. */
export function zonedDate(at: string, timeZone: string): string {
  const { year, month, day } = zonedParts(at, timeZone);
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

function offsetMs(ms: number, timeZone: string): number {
  const p = partsAtMs(ms, timeZone);
  const wall = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  return wall - Math.floor(ms / 1000) * 1000;
}

/**
 * Given a wall-clock time in a time zone, returns the instant it denotes. A wall time repeated by a
 * DST change resolves to its first occurrence; one skipped by a DST gap is moved forward by the gap.
 */
export function fromZoned(parts: Partial<ZonedParts> & Pick<ZonedParts, 'year'>, timeZone: string): string {
  const wall = Date.UTC(parts.year, (parts.month ?? 1) - 1, parts.day ?? 1, parts.hour ?? 0, parts.minute ?? 0, parts.second ?? 0);
  // Zones change offset at most once a day, so the offsets a day either side are the candidates.
  const before = offsetMs(wall - DAY_MS, timeZone);
  const after = offsetMs(wall + DAY_MS, timeZone);
  const valid = [wall - before, wall - after].filter((ms) => offsetMs(ms, timeZone) === wall - ms);
  if (valid.length > 0) return toInstant(Math.min(...valid));
  return toInstant(wall - before);
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** Given an instant and a time zone, returns the instant at which that local year began. */
export function startOfZonedYear(at: string, timeZone: string): string {
  return fromZoned({ year: zonedParts(at, timeZone).year }, timeZone);
}

/** Given an instant and a time zone, returns the instant at which the next local year begins. */
export function startOfNextZonedYear(at: string, timeZone: string): string {
  return fromZoned({ year: zonedParts(at, timeZone).year + 1 }, timeZone);
}

/**
 * Given an instant, a (possibly negative) number of months and a time zone, returns the same local
 * wall time that many months away, clamped to the end of shorter months (Feb 29 + 12 -> Feb 28).
 */
export function addZonedMonths(at: string, months: number, timeZone: string): string {
  const p = zonedParts(at, timeZone);
  const index = p.year * 12 + (p.month - 1) + months;
  const year = Math.floor(index / 12);
  const month = (index % 12) + 1;
  return fromZoned({ ...p, year, month, day: Math.min(p.day, daysInMonth(year, month)) }, timeZone);
}
