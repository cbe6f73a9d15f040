import { describe, expect, it } from 'vitest';
import { validateAnswers, type AnswerInput } from '../../../lib/surveys/answers.js';
import type { SurveyQuestion } from '../../../lib/surveys/definition.js';
import { resolveText } from '../../../lib/surveys/locales.js';

const en = (text: string) => [{ locale: 'en', text }];
const questions: SurveyQuestion[] = [
  { key: 'score', type: 'RATING', required: true, texts: en('Recommend?'), min: 0, max: 10 },
  { key: 'why-bad', type: 'TEXT', required: true, texts: en('What went wrong?'), maxLength: 10, showWhenScore: { min: 0, max: 6 } },
  { key: 'liked', type: 'MULTIPLE_CHOICE', required: false, texts: en('Liked?'), options: [{ key: 'taste', texts: en('Taste') }, { key: 'price', texts: en('Price') }] },
  { key: 'channel', type: 'SINGLE_CHOICE', required: true, texts: en('Where?'), options: [{ key: 'web', texts: en('Web') }, { key: 'shop', texts: en('Shop') }] },
  { key: 'effort', type: 'RATING', required: false, texts: en('Effort?'), min: 1, max: 7 },
];

const valid: AnswerInput[] = [
  { questionKey: 'score', rating: 9 },
  { questionKey: 'channel', optionKeys: ['web'] },
];

describe('validateAnswers', () => {
  it('accepts a complete answer set and returns the score', () => {
    const result = validateAnswers(questions, [...valid, { questionKey: 'liked', optionKeys: ['taste', 'price'] }]);

    expect(result).toEqual({
      ok: true,
      value: {
        score: 9,
        hasComment: false,
        answers: [
          { questionKey: 'score', rating: 9 },
          { questionKey: 'channel', optionKeys: ['web'] },
          { questionKey: 'liked', optionKeys: ['taste', 'price'] },
        ],
      },
    });
  });

  it.each<[string, AnswerInput[], Array<string>]>([
    ['a score above the scale', [{ questionKey: 'score', rating: 11 }, valid[1]!], ['answers', '0', 'rating']],
    ['a score below the scale', [{ questionKey: 'score', rating: -1 }, valid[1]!], ['answers', '0', 'rating']],
    ['a rating out of its own range', [...valid, { questionKey: 'effort', rating: 8 }], ['answers', '2', 'rating']],
    ['an unknown option', [valid[0]!, { questionKey: 'channel', optionKeys: ['fax'] }], ['answers', '1', 'optionKeys', '0']],
    ['two options for a single choice', [valid[0]!, { questionKey: 'channel', optionKeys: ['web', 'shop'] }], ['answers', '1', 'optionKeys']],
    ['an unknown question', [...valid, { questionKey: 'nope', text: 'x' }], ['answers', '2', 'questionKey']],
    ['a question answered twice', [...valid, { questionKey: 'channel', optionKeys: ['shop'] }], ['answers', '2', 'questionKey']],
    ['a value of the wrong kind', [{ questionKey: 'score', text: '9' }, valid[1]!], ['answers', '0', 'text']],
    ['a missing required answer', [valid[0]!], ['answers']],
    ['a missing score', [valid[1]!], ['answers']],
    ['a text over the limit', [{ questionKey: 'score', rating: 3 }, valid[1]!, { questionKey: 'why-bad', text: 'much too long' }], ['answers', '2', 'text']],
    ['a follow-up not asked for this score', [...valid, { questionKey: 'why-bad', text: 'meh' }], ['answers', '2', 'questionKey']],
    ['a missing follow-up that is required for this score', [{ questionKey: 'score', rating: 3 }, valid[1]!], ['answers']],
  ])('rejects %s', (_case, answers, path) => {
    const result = validateAnswers(questions, answers);

    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.issues.map((i) => i.path)).toContainEqual(path);
  });

  it('reports every issue at once', () => {
    const result = validateAnswers(questions, [{ questionKey: 'score', rating: 99 }, { questionKey: 'channel', optionKeys: ['fax'] }]);

    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.issues).toHaveLength(2);
  });

  it('counts a length in characters, not UTF-16 units', () => {
    const result = validateAnswers(questions, [{ questionKey: 'score', rating: 2 }, valid[1]!, { questionKey: 'why-bad', text: '😀'.repeat(10) }]);

    expect(result).toMatchObject({ ok: true, value: { hasComment: true } });
  });

  it('treats a blank text as no answer', () => {
    const result = validateAnswers(questions, [{ questionKey: 'score', rating: 2 }, valid[1]!, { questionKey: 'why-bad', text: '   ' }]);

    expect(result.ok).toBe(false);
  });
});

describe('resolveText', () => {
  const texts = [
    { locale: 'en', text: 'Hello' },
    { locale: 'de', text: 'Hallo' },
    { locale: 'nl-BE', text: 'Hallo (BE)' },
  ];

  it.each([
    [['de'], 'Hallo'],
    [['de-AT'], 'Hallo'],
    [['nl'], 'Hallo (BE)'],
    [['fr'], 'Hello'],
    [[undefined, 'de'], 'Hallo'],
    [[], 'Hello'],
  ])('resolves %j to %s', (preferred, text) => {
    expect(resolveText(texts, preferred, 'en').text).toBe(text);
  });
});
