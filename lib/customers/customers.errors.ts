import { DomainError } from '../common/errors.js';

/** Base of the customers domain's business failures. */
export abstract class CustomerError extends DomainError {}

export class CustomerNotFoundError extends CustomerError {
  readonly code = 'NOT_FOUND' as const;
  constructor(field: string[] = ['id']) {
    super('No such customer', field);
  }
}

export class CustomerErasedError extends CustomerError {
  readonly code = 'ALREADY_ERASED' as const;
  constructor() {
    super('This customer was erased; personal data can no longer be changed', ['id']);
  }
}
