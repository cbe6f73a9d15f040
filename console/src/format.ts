/** Display formats; the raw numbers stay on each cell (`data-value`) for whoever reads the page. */

/** Minor-unit exponents that differ from 2 (ISO 4217). */
const exponents: Record<string, number> = { JPY: 0, KRW: 0, CLP: 0, ISK: 0, HUF: 2, BHD: 3, KWD: 3, OMR: 3, TND: 3, JOD: 3 };

export function minorToMajor(minor: number, currency: string): number {
  return minor / 10 ** (exponents[currency] ?? 2);
}

export function money(minor: number | null | undefined, currency: string): string {
  if (minor == null) return '–';
  return new Intl.NumberFormat(undefined, { style: 'currency', currency }).format(minorToMajor(minor, currency));
}

export function percent(value: number | null | undefined): string {
  return value == null ? '–' : `${value.toFixed(1)} %`;
}

export function count(value: number | null | undefined): string {
  return value == null ? '–' : new Intl.NumberFormat().format(value);
}

export function decimal(value: number | null | undefined, digits = 2): string {
  return value == null ? '–' : value.toFixed(digits);
}

export function dateTime(iso: string | null | undefined): string {
  return iso ? new Date(iso).toLocaleString() : '–';
}

export function date(iso: string | null | undefined): string {
  return iso ? new Date(iso).toLocaleDateString() : '–';
}
