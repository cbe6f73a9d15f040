import { describe, expect, it } from 'vitest';
import { effort, followUpReason, nps, npsCategory, responseRate, satisfaction } from '../../../lib/surveys/scores.js';

describe('npsCategory', () => {
  it.each([
    [0, 'DETRACTOR'],
    [6, 'DETRACTOR'],
    [7, 'PASSIVE'],
    [8, 'PASSIVE'],
    [9, 'PROMOTER'],
    [10, 'PROMOTER'],
  ])('puts %i in %s', (score, category) => {
    expect(npsCategory(score)).toBe(category);
  });
});

describe('nps', () => {
  it('is null with zero counts when there are no responses', () => {
    expect(nps([])).toEqual({ score: null, promoters: 0, passives: 0, detractors: 0, responses: 0 });
  });

  it('is 0 when every response is passive', () => {
    expect(nps([7, 8, 7])).toEqual({ score: 0, promoters: 0, passives: 3, detractors: 0, responses: 3 });
  });

  it('is -100 for one detractor', () => {
    expect(nps([6])).toMatchObject({ score: -100, detractors: 1 });
  });

  it('is 100 when everyone promotes', () => {
    expect(nps([9, 10]).score).toBe(100);
  });

  it('subtracts the detractor share from the promoter share, unrounded', () => {
    // 2 promoters, 1 passive, 3 detractors: (2 - 3) / 6 x 100
    expect(nps([10, 9, 8, 0, 3, 6])).toEqual({ score: (-1 / 6) * 100, promoters: 2, passives: 1, detractors: 3, responses: 6 });
  });
});

describe('satisfaction', () => {
  it('is null without responses', () => {
    expect(satisfaction([], 4).score).toBeNull();
  });

  it('counts CSAT answers of 4 and 5 as satisfied', () => {
    expect(satisfaction([1, 2, 3, 4, 5], 4)).toEqual({ score: 40, satisfied: 2, responses: 5, satisfiedFrom: 4 });
  });

  it('uses a custom scale cut-off', () => {
    expect(satisfaction([6, 7, 10], 7)).toMatchObject({ score: (2 / 3) * 100, satisfied: 2 });
  });
});

describe('effort', () => {
  it('is the mean score, null without responses', () => {
    expect(effort([])).toEqual({ mean: null, sum: 0, responses: 0 });
    expect(effort([1, 2, 7])).toEqual({ mean: 10 / 3, sum: 10, responses: 3 });
  });
});

describe('responseRate', () => {
  it('is responses over invitations x 100, null without invitations', () => {
    expect(responseRate(3, 0)).toBeNull();
    expect(responseRate(1, 4)).toBe(25);
  });
});

describe('followUpReason', () => {
  it.each([
    ['NPS', 6, 'DETRACTOR'],
    ['NPS', 7, null],
    ['CSAT', 2, 'LOW_CSAT'],
    ['CSAT', 3, null],
    ['CES', 1, null],
  ])('%s score %i -> %s', (kind, score, reason) => {
    expect(followUpReason(kind, score)).toBe(reason);
  });
});
