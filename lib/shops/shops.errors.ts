import { DomainError } from '../common/errors.js';

/** Base of the shops domain's business failures. */
export abstract class ShopError extends DomainError {}

export class ShopAlreadyExistsError extends ShopError {
  readonly code = 'CONFLICT' as const;
  constructor(readonly tenantId: string) {
    super(`A shop with id "${tenantId}" already exists`, ['tenantId']);
  }
}

export class ApiKeyNotFoundError extends ShopError {
  readonly code = 'NOT_FOUND' as const;
  constructor() {
    super('No such API key', ['id']);
  }
}

export class ShopNotFoundError extends ShopError {
  readonly code = 'NOT_FOUND' as const;
  constructor(readonly tenantId: string) {
    super(`No shop with id "${tenantId}"`);
  }
}

/** A key may only hand out scopes it holds itself: creating a wider key would escalate it. */
export class ScopesNotHeldError extends ShopError {
  readonly code = 'FORBIDDEN' as const;
  constructor(readonly missing: readonly string[]) {
    super(`A key may only create keys with scopes it holds; this key lacks ${missing.join(', ')}`, ['scopes']);
  }
}
