import { randomInt } from 'node:crypto';

/**
 * Referral codes: read aloud and typed by people, so the alphabet leaves out the letters and
 * digits that sound or look alike (0/O, 1/I/L); drawn from a CSPRNG, so a code says nothing about
 * the next one. 31 symbols: 8 characters are about 40 bits.
 */
export const codeAlphabet = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';

export const minCodeLength = 6;
export const maxCodeLength = 16;

/** Given a length and an optional prefix, returns a fresh random code (normalised form). */
export function generateCode(length: number, prefix = '', random: (max: number) => number = randomInt): string {
  if (!Number.isInteger(length) || length < minCodeLength || length > maxCodeLength) throw new RangeError(`code length must be ${minCodeLength}..${maxCodeLength}`);
  let code = normalizeCode(prefix);
  for (let i = 0; i < length; i++) code += codeAlphabet[random(codeAlphabet.length)];
  return code;
}

/**
 * Given what a person typed or a link carried, returns the code as stored: upper-cased, without
 * spaces, hyphens or any other separator. Codes are case-insensitive because of this.
 */
export function normalizeCode(raw: string): string {
  return raw.normalize('NFKC').toUpperCase().replace(/[^A-Z0-9]/g, '');
}

/** Given a normalised code, returns it grouped in fours for display ("ABCD-EFGH"). */
export function displayCode(code: string): string {
  return code.match(/.{1,4}/g)?.join('-') ?? code;
}

/** Why a requested vanity code is not acceptable, or null when it is (checked after normalising). */
export function vanityProblem(code: string): string | null {
  if (code.length < 4) return 'must have at least 4 letters or digits';
  if (code.length > 20) return 'must have at most 20 letters or digits';
  if (/^[0-9]+$/.test(code)) return 'must contain a letter';
  return null;
}

/** Given a template with `{code}`, returns the customer's referral link. */
export function referralUrl(template: string, code: string): string {
  return template.replaceAll('{code}', encodeURIComponent(code));
}
