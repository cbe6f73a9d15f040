import { DomainError, NotFoundError } from '../common/errors.js';

export class FlowNotFoundError extends NotFoundError {
  constructor(field: string[] = ['id']) {
    super('No flow with this id in this shop', field);
  }
}

/** A transition the flow's status does not allow (activating an archived flow, ...). */
export class FlowStatusError extends DomainError {
  readonly code = 'INVALID' as const;
  constructor(from: string, to: string) {
    super(`A ${from} flow cannot become ${to}`, ['id']);
  }
}
