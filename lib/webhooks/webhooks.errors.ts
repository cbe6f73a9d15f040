import { NotFoundError } from '../common/errors.js';

export class WebhookSubscriptionNotFoundError extends NotFoundError {
  constructor(field: string[] = ['id']) {
    super('No webhook subscription with this id', field);
  }
}

export class WebhookDeliveryNotFoundError extends NotFoundError {
  constructor() {
    super('No webhook delivery with this id', ['id']);
  }
}
