/**
 * Score rules of METRICS.md ("Loyalty, referrals, feedback"). Pure: no I/O. Rates are floats in
 * [0, 100] (NPS in [-100, 100]), never rounded; a rate over no responses is null.
 */
export type NpsCategory = 'PROMOTER' | 'PASSIVE' | 'DETRACTOR';

/** Promoters score 9–10, passives 7–8, detractors 0–6. */
export function npsCategory(score: number): NpsCategory {
  if (score >= 9) return 'PROMOTER';
  if (score >= 7) return 'PASSIVE';
  return 'DETRACTOR';
}

export interface Nps {
  score: number | null;
  promoters: number;
  passives: number;
  detractors: number;
  responses: number;
}

/** NPS = %promoters − %detractors over the given 0–10 scores; null without responses. */
export function nps(scores: readonly number[]): Nps {
  let promoters = 0;
  let passives = 0;
  let detractors = 0;
  for (const score of scores) {
    const category = npsCategory(score);
    if (category === 'PROMOTER') promoters++;
    else if (category === 'PASSIVE') passives++;
    else detractors++;
  }
  const responses = scores.length;
  return { score: responses === 0 ? null : ((promoters - detractors) / responses) * 100, promoters, passives, detractors, responses };
}

export interface Satisfaction {
  score: number | null;
  satisfied: number;
  responses: number;
  satisfiedFrom: number;
}

/** Share of scores at or above the satisfied cut-off (CSAT: 4 on 1–5), × 100; null without responses. */
export function satisfaction(scores: readonly number[], satisfiedFrom: number): Satisfaction {
  const satisfied = scores.filter((s) => s >= satisfiedFrom).length;
  return { score: scores.length === 0 ? null : (satisfied / scores.length) * 100, satisfied, responses: scores.length, satisfiedFrom };
}

export interface Effort {
  mean: number | null;
  sum: number;
  responses: number;
}

/** CES: the mean score; null without responses. */
export function effort(scores: readonly number[]): Effort {
  const sum = scores.reduce((a, b) => a + b, 0);
  return { mean: scores.length === 0 ? null : sum / scores.length, sum, responses: scores.length };
}

/** responses / invitations × 100; null when nobody was invited. */
export function responseRate(responses: number, invitations: number): number | null {
  return invitations === 0 ? null : (responses / invitations) * 100;
}

export type FollowUpReason = 'DETRACTOR' | 'LOW_CSAT';

/** Whether a score calls for a follow-up: an NPS detractor (0–6) or a CSAT of 1–2. */
export function followUpReason(kind: string, score: number): FollowUpReason | null {
  if (kind === 'NPS' && npsCategory(score) === 'DETRACTOR') return 'DETRACTOR';
  if (kind === 'CSAT' && score <= 2) return 'LOW_CSAT';
  return null;
}
