import { describe, expect, it } from 'vitest';
import { codeAlphabet, displayCode, generateCode, normalizeCode, referralUrl, vanityProblem } from '../../../lib/referrals/codes.js';

describe('generateCode', () => {
  it('uses only characters that cannot be confused when read aloud', () => {
    const codes = Array.from({ length: 500 }, () => generateCode(8));

    for (const code of codes) expect(code).toMatch(/^[A-HJKMNP-Z2-9]{8}$/);
    expect(codeAlphabet).not.toMatch(/[01OIL]/);
  });

  it('draws codes that are neither sequential nor repeated', () => {
    const codes = Array.from({ length: 2000 }, () => generateCode(8));

    expect(new Set(codes).size).toBe(codes.length);
    const sorted = [...codes].sort();
    expect(sorted).not.toEqual(codes);
  });

  it('uses every symbol of the alphabet about equally often', () => {
    const counts = new Map<string, number>();
    for (let i = 0; i < 3000; i++) for (const ch of generateCode(10)) counts.set(ch, (counts.get(ch) ?? 0) + 1);

    expect(counts.size).toBe(codeAlphabet.length);
    const expected = 30_000 / codeAlphabet.length;
    for (const count of counts.values()) expect(Math.abs(count - expected) / expected).toBeLessThan(0.2);
  });

  it('puts the normalised prefix in front of the random part', () => {
    const code = generateCode(6, 'ab-');

    expect(code).toMatch(/^AB[A-HJKMNP-Z2-9]{6}$/);
  });

  it.each([5, 17, 6.5])('refuses a length of %s', (length) => {
    expect(() => generateCode(length)).toThrow(RangeError);
  });
});

describe('normalizeCode', () => {
  it.each([
    ['abcd-efgh', 'ABCDEFGH'],
    [' AbCd efGH ', 'ABCDEFGH'],
    ['abcd_efgh!', 'ABCDEFGH'],
    ['', ''],
  ])('normalises %j to %j', (raw, expected) => {
    expect(normalizeCode(raw)).toBe(expected);
  });

  it('makes codes case-insensitive', () => {
    const code = generateCode(8);

    expect(normalizeCode(code.toLowerCase())).toBe(code);
    expect(normalizeCode(displayCode(code))).toBe(code);
  });
});

describe('displayCode', () => {
  it('groups in fours', () => {
    expect(displayCode('ABCDEFGH')).toBe('ABCD-EFGH');
    expect(displayCode('ABCDEF')).toBe('ABCD-EF');
  });
});

describe('vanityProblem', () => {
  it.each([
    ['ANNA', null],
    ['ABC', 'must have at least 4 letters or digits'],
    ['A'.repeat(21), 'must have at most 20 letters or digits'],
    ['12345', 'must contain a letter'],
  ])('judges %j', (code, problem) => {
    expect(vanityProblem(code)).toBe(problem);
  });
});

describe('referralUrl', () => {
  it('replaces every {code} in the template', () => {
    expect(referralUrl('https://shop.example/r/{code}?c={code}', 'ABCD2345')).toBe('https://shop.example/r/ABCD2345?c=ABCD2345');
  });
});
