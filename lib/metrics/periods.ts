/**
 * Calendar periods in a tenant's IANA time zone, with keys that sort chronologically as plain
 * strings (so a DynamoDB sort key range over them is a period range):
 *
 * | granularity | key          | example      |
 * |-------------|--------------|--------------|
 * | WEEK        | `YYYY-MM-DD` | `2024-02-12` (the ISO week's Monday; `isoWeekLabel` gives `2024-W07`) |
 * | MONTH       | `YYYY-MM`    | `2024-02`    |
 * | QUARTER     | `YYYY-Qn`    | `2024-Q1`    |
 * | YEAR        | `YYYY`       | `2024`       |
 *
 * The four formats never collide, so a key names its granularity too. A period is the half-open
 * interval [start, end) of instants whose local calendar date (in the zone) falls in it. Offsets
 * come from `Intl` (the runtime's tz database), never from a fixed table.
 */
import { InvalidPeriodError, InvalidTimeZoneError } from './metrics.errors.js';

export type Granularity = 'WEEK' | 'MONTH' | 'QUARTER' | 'YEAR';
export const GRANULARITIES: readonly Granularity[] = ['WEEK', 'MONTH', 'QUARTER', 'YEAR'];

/** A period key in one of the formats above. */
export type PeriodKey = string;

/** An instant: a Date or epoch milliseconds. */
export type Instant = Date | number;

export const DEFAULT_TIME_ZONE = 'UTC';

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
// 1970-01-01 was a Thursday: day numbers of Mondays are ≡ 4 (mod 7).
const MONDAY_OF_EPOCH_WEEK = -3;
const MIN_YEAR = 1;
const MAX_YEAR = 9999;

interface CivilDate {
  readonly year: number;
  readonly month: number;
  readonly day: number;
}

interface WallClock extends CivilDate {
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
}

function mod(n: number, m: number): number {
  return ((n % m) + m) % m;
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

// Date.UTC maps years 0..99 to 1900..1999; the period keys allow years from 1.
function utcMs(year: number, month: number, day: number, hour = 0, minute = 0, second = 0): number {
  if (year >= 100) return Date.UTC(year, month - 1, day, hour, minute, second);
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, 0);
  return date.getTime();
}

function civilOfDayNumber(dayNumber: number): CivilDate {
  const date = new Date(dayNumber * DAY_MS);
  return { year: date.getUTCFullYear(), month: date.getUTCMonth() + 1, day: date.getUTCDate() };
}

function dayNumberOf(civil: CivilDate): number {
  return Math.floor(utcMs(civil.year, civil.month, civil.day) / DAY_MS);
}

function toMs(instant: Instant): number {
  const ms = typeof instant === 'number' ? instant : instant.getTime();
  if (!Number.isFinite(ms)) throw new RangeError(`Invalid instant: ${String(instant)}`);
  return ms;
}

function isUtc(timeZone: string): boolean {
  const upper = timeZone.toUpperCase();
  return upper === 'UTC' || upper === 'ETC/UTC';
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    try {
      formatter = new Intl.DateTimeFormat('en-US', {
        timeZone,
        era: 'short',
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: 'numeric',
        minute: 'numeric',
        second: 'numeric',
        // 'h23' rather than hour12: false, which renders midnight as "24" on some ICU versions.
        hourCycle: 'h23',
      });
    } catch {
      throw new InvalidTimeZoneError(timeZone);
    }
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/** Given an IANA zone name, throws InvalidTimeZoneError unless the runtime knows it. */
export function assertTimeZone(timeZone: string): void {
  if (!isUtc(timeZone)) formatterFor(timeZone);
}

function wallClockAt(ms: number, timeZone: string): WallClock {
  if (isUtc(timeZone)) {
    const date = new Date(ms);
    return {
      year: date.getUTCFullYear(),
      month: date.getUTCMonth() + 1,
      day: date.getUTCDate(),
      hour: date.getUTCHours(),
      minute: date.getUTCMinutes(),
      second: date.getUTCSeconds(),
    };
  }
  const fields: Record<string, string> = {};
  for (const part of formatterFor(timeZone).formatToParts(ms)) fields[part.type] = part.value;
  const yearOfEra = Number(fields.year);
  return {
    year: fields.era === 'BC' || fields.era === 'B' ? 1 - yearOfEra : yearOfEra,
    month: Number(fields.month),
    day: Number(fields.day),
    hour: Number(fields.hour),
    minute: Number(fields.minute),
    second: Number(fields.second),
  };
}

// The stream consumer recomputes a customer's contribution on every change, mapping the same
// placedAt values again and again; Intl costs microseconds per call, a map lookup far less.
const LOCAL_DAY_CACHE_LIMIT = 200_000;
const localDayCache = new Map<string, Map<number, number>>();

function localDayNumber(ms: number, timeZone: string): number {
  if (isUtc(timeZone)) return Math.floor(ms / DAY_MS);
  let cache = localDayCache.get(timeZone);
  if (!cache) {
    cache = new Map();
    localDayCache.set(timeZone, cache);
  }
  const cached = cache.get(ms);
  if (cached !== undefined) return cached;
  const dayNumber = dayNumberOf(wallClockAt(ms, timeZone));
  if (cache.size >= LOCAL_DAY_CACHE_LIMIT) cache.clear();
  cache.set(ms, dayNumber);
  return dayNumber;
}

function offsetAt(ms: number, timeZone: string): number {
  const wall = wallClockAt(ms, timeZone);
  const wholeSecond = Math.floor(ms / 1000) * 1000;
  return utcMs(wall.year, wall.month, wall.day, wall.hour, wall.minute, wall.second) - wholeSecond;
}

/**
 * Given a local calendar date and a zone, returns the first instant of that date there: local
 * midnight, the earlier one when midnight happens twice, and the end of the gap when the clocks
 * skip midnight (America/Asuncion on 2023-10-01 starts the day at 01:00).
 */
function startOfLocalDay(civil: CivilDate, timeZone: string): number {
  const wallMs = utcMs(civil.year, civil.month, civil.day);
  if (isUtc(timeZone)) return wallMs;
  // Offsets a day either side bracket any single transition near this midnight.
  const candidates = [...new Set([offsetAt(wallMs - DAY_MS, timeZone), offsetAt(wallMs + DAY_MS, timeZone)])]
    .map((offset) => wallMs - offset)
    .filter((ms) => {
      const wall = wallClockAt(ms, timeZone);
      return wall.year === civil.year && wall.month === civil.month && wall.day === civil.day && wall.hour === 0 && wall.minute === 0 && wall.second === 0;
    });
  if (candidates.length > 0) return Math.min(...candidates);
  // Midnight does not exist: the day starts at the transition, the first instant whose local
  // date is `civil`. Offsets stay within ±26 h, so the transition lies in this window.
  const target = dayNumberOf(civil);
  let low = wallMs - 26 * HOUR_MS;
  let high = wallMs + 26 * HOUR_MS;
  while (high - low > 1) {
    const middle = Math.floor((low + high) / 2);
    if (dayNumberOf(wallClockAt(middle, timeZone)) >= target) high = middle;
    else low = middle;
  }
  return high;
}

interface ParsedPeriod {
  readonly granularity: Granularity;
  /** Consecutive integers for consecutive periods of one granularity. */
  readonly index: number;
}

const YEAR_KEY = /^(\d{4})$/;
const QUARTER_KEY = /^(\d{4})-Q([1-4])$/;
const MONTH_KEY = /^(\d{4})-(0[1-9]|1[0-2])$/;
const WEEK_KEY = /^(\d{4})-(\d{2})-(\d{2})$/;

function parsePeriod(key: PeriodKey): ParsedPeriod {
  let match = YEAR_KEY.exec(key);
  if (match) return { granularity: 'YEAR', index: Number(match[1]) };
  match = QUARTER_KEY.exec(key);
  if (match) return { granularity: 'QUARTER', index: Number(match[1]) * 4 + Number(match[2]) - 1 };
  match = MONTH_KEY.exec(key);
  if (match) return { granularity: 'MONTH', index: Number(match[1]) * 12 + Number(match[2]) - 1 };
  match = WEEK_KEY.exec(key);
  if (match) {
    const civil = { year: Number(match[1]), month: Number(match[2]), day: Number(match[3]) };
    const dayNumber = dayNumberOf(civil);
    const roundTrip = civilOfDayNumber(dayNumber);
    if (roundTrip.month !== civil.month || roundTrip.day !== civil.day) {
      throw new InvalidPeriodError(key, 'not a calendar date');
    }
    if (mod(dayNumber - MONDAY_OF_EPOCH_WEEK, 7) !== 0) {
      throw new InvalidPeriodError(key, 'a week is keyed by its Monday');
    }
    return { granularity: 'WEEK', index: (dayNumber - MONDAY_OF_EPOCH_WEEK) / 7 };
  }
  throw new InvalidPeriodError(key, 'expected YYYY, YYYY-Qn, YYYY-MM or YYYY-MM-DD (a Monday)');
}

function checkYear(year: number, what: string): void {
  if (year < MIN_YEAR || year > MAX_YEAR) {
    throw new RangeError(`${what} falls in year ${year}, outside the keys' range ${MIN_YEAR}..${MAX_YEAR}`);
  }
}

function keyOf(granularity: Granularity, index: number): PeriodKey {
  switch (granularity) {
    case 'YEAR':
      checkYear(index, 'Period');
      return pad(index, 4);
    case 'QUARTER': {
      const year = Math.floor(index / 4);
      checkYear(year, 'Period');
      return `${pad(year, 4)}-Q${mod(index, 4) + 1}`;
    }
    case 'MONTH': {
      const year = Math.floor(index / 12);
      checkYear(year, 'Period');
      return `${pad(year, 4)}-${pad(mod(index, 12) + 1, 2)}`;
    }
    case 'WEEK': {
      const monday = civilOfDayNumber(index * 7 + MONDAY_OF_EPOCH_WEEK);
      checkYear(monday.year, 'Period');
      return `${pad(monday.year, 4)}-${pad(monday.month, 2)}-${pad(monday.day, 2)}`;
    }
  }
}

function firstDayOf(parsed: ParsedPeriod): CivilDate {
  switch (parsed.granularity) {
    case 'YEAR':
      return { year: parsed.index, month: 1, day: 1 };
    case 'QUARTER':
      return { year: Math.floor(parsed.index / 4), month: mod(parsed.index, 4) * 3 + 1, day: 1 };
    case 'MONTH':
      return { year: Math.floor(parsed.index / 12), month: mod(parsed.index, 12) + 1, day: 1 };
    case 'WEEK':
      return civilOfDayNumber(parsed.index * 7 + MONDAY_OF_EPOCH_WEEK);
  }
}

function parseAs(key: PeriodKey, granularity: Granularity): ParsedPeriod {
  const parsed = parsePeriod(key);
  if (parsed.granularity !== granularity) {
    throw new InvalidPeriodError(key, `a ${parsed.granularity} key where a ${granularity} key was expected`);
  }
  return parsed;
}

/** Given a period key, returns its granularity; throws InvalidPeriodError for anything else. */
export function granularityOf(key: PeriodKey): Granularity {
  return parsePeriod(key).granularity;
}

/** Given a period key, returns true when it is a well-formed key (of `granularity`, if given). */
export function isPeriodKey(key: string, granularity?: Granularity): boolean {
  try {
    const parsed = parsePeriod(key);
    return granularity === undefined || parsed.granularity === granularity;
  } catch {
    return false;
  }
}

/**
 * Given an instant, returns the key of the period of `granularity` whose local dates (in
 * `timeZone`, default UTC) contain the instant's local date.
 */
export function periodOf(instant: Instant, granularity: Granularity, timeZone: string = DEFAULT_TIME_ZONE): PeriodKey {
  const dayNumber = localDayNumber(toMs(instant), timeZone);
  if (granularity === 'WEEK') {
    return keyOf('WEEK', Math.floor((dayNumber - MONDAY_OF_EPOCH_WEEK) / 7));
  }
  const { year, month } = civilOfDayNumber(dayNumber);
  checkYear(year, 'Instant');
  switch (granularity) {
    case 'YEAR':
      return pad(year, 4);
    case 'QUARTER':
      return `${pad(year, 4)}-Q${Math.ceil(month / 3)}`;
    case 'MONTH':
      return `${pad(year, 4)}-${pad(month, 2)}`;
  }
}

/** Given a period key of `granularity`, returns the first instant of the period in `timeZone`. */
export function periodStart(key: PeriodKey, granularity: Granularity, timeZone: string = DEFAULT_TIME_ZONE): Date {
  return new Date(startOfLocalDay(firstDayOf(parseAs(key, granularity)), timeZone));
}

/** Given a period key of `granularity`, returns the instant the period ends (exclusive) in `timeZone`. */
export function periodEnd(key: PeriodKey, granularity: Granularity, timeZone: string = DEFAULT_TIME_ZONE): Date {
  const parsed = parseAs(key, granularity);
  return new Date(startOfLocalDay(firstDayOf({ granularity, index: parsed.index + 1 }), timeZone));
}

/** Given a period key, returns the key of the period after it (same granularity). */
export function nextPeriod(key: PeriodKey): PeriodKey {
  const parsed = parsePeriod(key);
  return keyOf(parsed.granularity, parsed.index + 1);
}

/** Given a period key, returns the key of the period before it (same granularity). */
export function previousPeriod(key: PeriodKey): PeriodKey {
  const parsed = parsePeriod(key);
  return keyOf(parsed.granularity, parsed.index - 1);
}

/** Given a period key and an integer n, returns the key n periods later (earlier when negative). */
export function addPeriods(key: PeriodKey, n: number): PeriodKey {
  if (!Number.isInteger(n)) throw new RangeError(`Not a whole number of periods: ${n}`);
  const parsed = parsePeriod(key);
  return keyOf(parsed.granularity, parsed.index + n);
}

/**
 * Given a cohort period and a period of the same granularity, returns k such that
 * period = cohort + k (negative when the period comes first).
 */
export function periodOffset(cohort: PeriodKey, period: PeriodKey): number {
  const from = parsePeriod(cohort);
  const to = parseAs(period, from.granularity);
  return to.index - from.index;
}

/**
 * Given the first and last period keys (inclusive, same granularity), returns every key from the
 * first to the last in order; empty when last comes before first.
 */
export function periodRange(first: PeriodKey, last: PeriodKey): PeriodKey[] {
  const from = parsePeriod(first);
  const to = parseAs(last, from.granularity);
  const keys: PeriodKey[] = [];
  for (let index = from.index; index <= to.index; index += 1) keys.push(keyOf(from.granularity, index));
  return keys;
}

/**
 * Given the half-open instant range [from, to), returns the keys of the periods of `granularity`
 * that overlap it, in order; empty when to ≤ from.
 */
export function periodsBetween(from: Instant, to: Instant, granularity: Granularity, timeZone: string = DEFAULT_TIME_ZONE): PeriodKey[] {
  const fromMs = toMs(from);
  const toMsExclusive = toMs(to);
  if (toMsExclusive <= fromMs) return [];
  return periodRange(periodOf(fromMs, granularity, timeZone), periodOf(toMsExclusive - 1, granularity, timeZone));
}

/** Given a WEEK key (its Monday), returns the ISO 8601 week label, e.g. `2020-12-28` → `2020-W53`. */
export function isoWeekLabel(key: PeriodKey): string {
  const parsed = parseAs(key, 'WEEK');
  // The ISO week-numbering year is the calendar year of the week's Thursday.
  const thursdayDay = parsed.index * 7 + MONDAY_OF_EPOCH_WEEK + 3;
  const thursday = civilOfDayNumber(thursdayDay);
  const week = Math.floor((thursdayDay - dayNumberOf({ year: thursday.year, month: 1, day: 1 })) / 7) + 1;
  return `${pad(thursday.year, 4)}-W${pad(week, 2)}`;
}

/**
 * Given a local wall-clock time in `timeZone`, returns the instant it denotes; the earlier one when
 * the time occurs twice, and the time shifted forward by the gap when the clocks skip it.
 */
export function zonedTimeToInstant(
  wall: { year: number; month: number; day: number; hour?: number; minute?: number; second?: number },
  timeZone: string = DEFAULT_TIME_ZONE,
): Date {
  const wallMs = utcMs(wall.year, wall.month, wall.day, wall.hour ?? 0, wall.minute ?? 0, wall.second ?? 0);
  if (isUtc(timeZone)) return new Date(wallMs);
  const before = offsetAt(wallMs - DAY_MS, timeZone);
  const after = offsetAt(wallMs + DAY_MS, timeZone);
  const matches = [...new Set([before, after])]
    .map((offset) => wallMs - offset)
    .filter((ms) => offsetAt(ms, timeZone) + ms === wallMs);
  // In a gap, the offset from before the transition lands past it, like Temporal's 'compatible'.
  return new Date(matches.length > 0 ? Math.min(...matches) : wallMs - before);
}
