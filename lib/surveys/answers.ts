import { isShown, scoreQuestionKey, type DefinitionIssue, type SurveyQuestion } from './definition.js';

/** An answer as the caller sends it: one value field, by the question's type. */
export interface AnswerInput {
  questionKey: string;
  rating?: number | null;
  optionKeys?: string[] | null;
  text?: string | null;
}

/** An answer as stored: only the field its question uses. */
export interface StoredAnswer {
  questionKey: string;
  rating?: number;
  optionKeys?: string[];
  text?: string;
}

export interface ValidatedAnswers {
  score: number;
  answers: StoredAnswer[];
  hasComment: boolean;
}

/**
 * Given a survey's questions (score question first) and the answers sent, returns either the
 * answers to store with the score, or every issue with its path relative to the input
 * (`["answers", "2", "rating"]`). A follow-up is answerable only when its score band is met; a
 * required question must be answered when shown; blank texts count as no answer.
 */
export function validateAnswers(
  questions: readonly SurveyQuestion[],
  answers: readonly AnswerInput[],
): { ok: true; value: ValidatedAnswers } | { ok: false; issues: DefinitionIssue[] } {
  const issues: DefinitionIssue[] = [];
  const byKey = new Map(questions.map((q) => [q.key, q]));
  const scoreIndex = answers.findIndex((a) => a.questionKey === scoreQuestionKey);
  const rawScore = scoreIndex >= 0 ? answers[scoreIndex]!.rating : undefined;
  const scoreQuestion = byKey.get(scoreQuestionKey)!;
  const score =
    typeof rawScore === 'number' && Number.isInteger(rawScore) && rawScore >= scoreQuestion.min! && rawScore <= scoreQuestion.max! ? rawScore : undefined;

  const stored: StoredAnswer[] = [];
  const seen = new Set<string>();
  answers.forEach((answer, i) => {
    const at = (...rest: Array<string | number>) => ['answers', String(i), ...rest.map(String)];
    const question = byKey.get(answer.questionKey);
    if (!question) {
      issues.push({ path: at('questionKey'), message: `The survey has no question "${answer.questionKey}"` });
      return;
    }
    if (seen.has(question.key)) {
      issues.push({ path: at('questionKey'), message: `Question "${question.key}" is answered twice` });
      return;
    }
    seen.add(question.key);
    const others = (['rating', 'optionKeys', 'text'] as const).filter((f) => answer[f] !== null && answer[f] !== undefined && f !== valueField(question));
    if (others.length) {
      issues.push({ path: at(others[0]!), message: `A ${question.type} question takes ${valueField(question)}, not ${others.join(', ')}` });
      return;
    }
    if (question.key !== scoreQuestionKey && score !== undefined && !isShown(question, score)) {
      issues.push({ path: at('questionKey'), message: `Question "${question.key}" is not asked for this score` });
      return;
    }
    switch (question.type) {
      case 'RATING': {
        const rating = answer.rating;
        if (rating === null || rating === undefined) return;
        if (!Number.isInteger(rating) || rating < question.min! || rating > question.max!) {
          issues.push({ path: at('rating'), message: `must be a whole number from ${question.min} to ${question.max}` });
          return;
        }
        stored.push({ questionKey: question.key, rating });
        return;
      }
      case 'SINGLE_CHOICE':
      case 'MULTIPLE_CHOICE': {
        const chosen = answer.optionKeys ?? [];
        if (chosen.length === 0) return;
        const known = new Set((question.options ?? []).map((o) => o.key));
        let bad = false;
        chosen.forEach((key, j) => {
          if (!known.has(key)) {
            issues.push({ path: at('optionKeys', j), message: `Question "${question.key}" has no option "${key}"` });
            bad = true;
          }
        });
        if (new Set(chosen).size !== chosen.length) {
          issues.push({ path: at('optionKeys'), message: 'An option is chosen twice' });
          bad = true;
        }
        if (question.type === 'SINGLE_CHOICE' && chosen.length > 1) {
          issues.push({ path: at('optionKeys'), message: 'Choose one option' });
          bad = true;
        }
        if (!bad) stored.push({ questionKey: question.key, optionKeys: [...chosen] });
        return;
      }
      case 'TEXT': {
        const text = answer.text?.trim() ?? '';
        if (text === '') return;
        if ([...text].length > question.maxLength!) {
          issues.push({ path: at('text'), message: `must be at most ${question.maxLength} characters` });
          return;
        }
        stored.push({ questionKey: question.key, text });
        return;
      }
    }
  });

  const answered = new Set(stored.map((a) => a.questionKey));
  const failed = new Set(issues.map((issue) => answers[Number(issue.path[1])]?.questionKey));
  for (const question of questions) {
    if (!question.required || answered.has(question.key) || failed.has(question.key)) continue;
    if (question.key !== scoreQuestionKey && (score === undefined ? question.showWhenScore : !isShown(question, score))) continue;
    issues.push({ path: ['answers'], message: `Question "${question.key}" is required` });
  }
  if (issues.length > 0 || score === undefined) return { ok: false, issues };
  return { ok: true, value: { score, answers: stored, hasComment: stored.some((a) => a.text !== undefined) } };
}

function valueField(question: SurveyQuestion): 'rating' | 'optionKeys' | 'text' {
  if (question.type === 'RATING') return 'rating';
  if (question.type === 'TEXT') return 'text';
  return 'optionKeys';
}
