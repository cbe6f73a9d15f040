export type Granularity = 'WEEK' | 'MONTH' | 'QUARTER' | 'YEAR';

const pad = (n: number): string => String(n).padStart(2, '0');

/** Given a calendar date (YYYY-MM-DD), the key of its period as the reports take it (metrics.graphql). */
export function periodKey(day: string, granularity: Granularity): string {
  const [year, month, date] = day.split('-').map(Number) as [number, number, number];
  switch (granularity) {
    case 'YEAR':
      return String(year);
    case 'QUARTER':
      return `${year}-Q${Math.floor((month - 1) / 3) + 1}`;
    case 'MONTH':
      return `${year}-${pad(month)}`;
    case 'WEEK': {
      // The ISO week's Monday.
      const at = new Date(Date.UTC(year, month - 1, date));
      at.setUTCDate(at.getUTCDate() - ((at.getUTCDay() + 6) % 7));
      return at.toISOString().slice(0, 10);
    }
  }
}

export function isoDay(date: Date): string {
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

/** The default range: the first day of the month eleven months ago to today. */
export function defaultRange(today = new Date()): { from: string; to: string } {
  return { from: isoDay(new Date(today.getFullYear(), today.getMonth() - 11, 1)), to: isoDay(today) };
}
