/**
 * The shape of a survey's questions and the rules a definition must satisfy. Pure: no I/O.
 * The score question (key `score`) comes first; its scale follows from the survey's kind.
 */
export type SurveyKind = 'NPS' | 'CSAT' | 'CES' | 'CUSTOM';
export type QuestionType = 'RATING' | 'SINGLE_CHOICE' | 'MULTIPLE_CHOICE' | 'TEXT';

export interface LocalizedText {
  locale: string;
  text: string;
}

export interface SurveyQuestion {
  key: string;
  type: QuestionType;
  required: boolean;
  texts: LocalizedText[];
  min?: number;
  max?: number;
  labels?: Array<{ value: number; texts: LocalizedText[] }>;
  options?: Array<{ key: string; texts: LocalizedText[] }>;
  maxLength?: number;
  /** A follow-up: shown (and answerable) only when the score is within this band. */
  showWhenScore?: { min: number; max: number };
}

export interface Scale {
  min: number;
  max: number;
  satisfiedFrom: number;
}

export const scoreQuestionKey = 'score';

/** The fixed scales of the standard kinds (METRICS.md); CUSTOM states its own. */
export const standardScales: Record<Exclude<SurveyKind, 'CUSTOM'>, Scale> = {
  NPS: { min: 0, max: 10, satisfiedFrom: 9 },
  CSAT: { min: 1, max: 5, satisfiedFrom: 4 },
  CES: { min: 1, max: 7, satisfiedFrom: 5 },
};

export interface DefinitionIssue {
  path: Array<string | number>;
  message: string;
}

/**
 * Given a survey's scale, default locale and questions (score question first), returns every
 * rule they break, with the input path of the offending field (relative to the input).
 */
export function definitionIssues(args: {
  kind: SurveyKind;
  scale: Scale;
  defaultLocale: string;
  scoreQuestion: SurveyQuestion;
  questions: SurveyQuestion[];
  scalePath: Array<string | number>;
}): DefinitionIssue[] {
  const issues: DefinitionIssue[] = [];
  const { scale, defaultLocale } = args;
  if (args.kind === 'CUSTOM') {
    if (scale.min >= scale.max) issues.push({ path: [...args.scalePath, 'max'], message: 'max must be greater than min' });
    if (scale.satisfiedFrom < scale.min || scale.satisfiedFrom > scale.max) {
      issues.push({ path: [...args.scalePath, 'satisfiedFrom'], message: `satisfiedFrom must be within ${scale.min}..${scale.max}` });
    }
  }
  const needDefault = (texts: LocalizedText[], path: Array<string | number>) => {
    if (!texts.some((t) => t.locale === defaultLocale)) issues.push({ path, message: `needs a text in the default locale "${defaultLocale}"` });
    const seen = new Set<string>();
    texts.forEach((t, i) => {
      if (seen.has(t.locale)) issues.push({ path: [...path, i, 'locale'], message: `locale "${t.locale}" appears twice` });
      seen.add(t.locale);
    });
  };
  const checkLabels = (q: SurveyQuestion, min: number, max: number, path: Array<string | number>) => {
    (q.labels ?? []).forEach((label, i) => {
      if (label.value < min || label.value > max) issues.push({ path: [...path, 'labels', i, 'value'], message: `must be within ${min}..${max}` });
      needDefault(label.texts, [...path, 'labels', i, 'texts']);
    });
  };

  needDefault(args.scoreQuestion.texts, ['scoreQuestion', 'texts']);
  checkLabels(args.scoreQuestion, scale.min, scale.max, ['scoreQuestion']);

  const keys = new Set<string>([scoreQuestionKey]);
  args.questions.forEach((q, i) => {
    const path = ['questions', i];
    if (keys.has(q.key)) issues.push({ path: [...path, 'key'], message: `key "${q.key}" is used twice (or is the reserved "score")` });
    keys.add(q.key);
    needDefault(q.texts, [...path, 'texts']);
    if (q.type === 'RATING') {
      if (q.min === undefined || q.max === undefined || q.min >= q.max) issues.push({ path: [...path, 'max'], message: 'a rating needs min < max' });
      else checkLabels(q, q.min, q.max, path);
    }
    if (q.type === 'SINGLE_CHOICE' || q.type === 'MULTIPLE_CHOICE') {
      const options = q.options ?? [];
      if (options.length < 2) issues.push({ path: [...path, 'options'], message: 'a choice needs at least 2 options' });
      const optionKeys = new Set<string>();
      options.forEach((o, j) => {
        if (optionKeys.has(o.key)) issues.push({ path: [...path, 'options', j, 'key'], message: `option key "${o.key}" is used twice` });
        optionKeys.add(o.key);
        needDefault(o.texts, [...path, 'options', j, 'texts']);
      });
    }
    if (q.type === 'TEXT' && q.maxLength === undefined) issues.push({ path: [...path, 'maxLength'], message: 'a free text needs maxLength' });
    const band = q.showWhenScore;
    if (band && (band.min > band.max || band.min < scale.min || band.max > scale.max)) {
      issues.push({ path: [...path, 'showWhenScore'], message: `must be a band within ${scale.min}..${scale.max}` });
    }
  });
  return issues;
}

/** Given a question and a score, whether the question is shown to that respondent. */
export function isShown(question: SurveyQuestion, score: number | undefined): boolean {
  if (!question.showWhenScore) return true;
  return score !== undefined && score >= question.showWhenScore.min && score <= question.showWhenScore.max;
}
