import { DomainError } from '../common/errors.js';

/** Base of the surveys domain's business failures. */
export abstract class SurveyError extends DomainError {}

export class SurveyNotFoundError extends SurveyError {
  readonly code = 'NOT_FOUND' as const;
  constructor(field: string[] = ['surveyId']) {
    super('No such survey', field);
  }
}

/** Questions, scale and locales change only while the survey is a DRAFT; activation needs one too. */
export class SurveyNotDraftError extends SurveyError {
  readonly code = 'SURVEY_NOT_DRAFT' as const;
  constructor(readonly status: string, field: string[] = ['id']) {
    super(`The survey is ${status}; this needs a DRAFT survey`, field);
  }
}

/** Answering, inviting and closing need an ACTIVE survey. */
export class SurveyNotActiveError extends SurveyError {
  readonly code = 'SURVEY_NOT_ACTIVE' as const;
  constructor(readonly status: string, field: string[] = ['surveyId']) {
    super(`The survey is ${status}, not ACTIVE`, field);
  }
}

export class SurveyAlreadyAnsweredError extends SurveyError {
  readonly code = 'SURVEY_ALREADY_ANSWERED' as const;
  constructor() {
    super('This customer has already answered this survey', ['surveyId']);
  }
}

/** Unknown, forged, of another survey or of another shop: one answer, so nothing leaks. */
export class InvitationNotFoundError extends SurveyError {
  readonly code = 'NOT_FOUND' as const;
  constructor(field: string[] = ['invitationToken']) {
    super('No such invitation', field);
  }
}

export class InvitationExpiredError extends SurveyError {
  readonly code = 'INVITATION_EXPIRED' as const;
  constructor(readonly expiresAt: string) {
    super(`The invitation expired at ${expiresAt}`, ['invitationToken']);
  }
}

export class InvitationUsedError extends SurveyError {
  readonly code = 'INVITATION_USED' as const;
  constructor() {
    super('The invitation was already used', ['invitationToken']);
  }
}

export class ResponseNotFoundError extends SurveyError {
  readonly code = 'NOT_FOUND' as const;
  constructor() {
    super('No such response', ['id']);
  }
}

export class ResponseNotEditableError extends SurveyError {
  readonly code = 'RESPONSE_NOT_EDITABLE' as const;
  constructor(readonly editableUntil: string) {
    super(`The response could be edited until ${editableUntil}`, ['id']);
  }
}

export class FollowUpNotFoundError extends SurveyError {
  readonly code = 'NOT_FOUND' as const;
  constructor() {
    super('No such follow-up', ['id']);
  }
}

export class CustomerRequiredError extends SurveyError {
  readonly code = 'NOT_FOUND' as const;
  constructor(field: string[] = ['customerId']) {
    super('No such customer', field);
  }
}
