import { Service } from 'electrodb';
import { CustomerEntity, CustomerRefEntity } from '../customers/customers.entities.js';
import { IdempotencyEntity } from '../idempotency/idempotency.entities.js';
import { OrderEntity } from '../orders/orders.entities.js';
import { ApiKeyEntity, ShopEntity } from '../shops/shops.entities.js';
import { dynamo, tableName } from './client.js';

/** Every entity of the single table, composed once. Nothing else builds a key. */
function compose() {
  return new Service(
    {
      shop: ShopEntity,
      apiKey: ApiKeyEntity,
      customer: CustomerEntity,
      customerRef: CustomerRefEntity,
      order: OrderEntity,
      idempotency: IdempotencyEntity,
    },
    { client: dynamo().doc, table: tableName() },
  );
}

export type Db = ReturnType<typeof compose>;

let composed: { db: Db; client: unknown; table: string } | undefined;

/** The composed service for the current client and table (rebuilt when tests switch tables). */
export function db(): Db {
  const client = dynamo().doc;
  if (!composed || composed.client !== client || composed.table !== tableName()) {
    composed = { db: compose(), client, table: tableName() };
  }
  return composed.db;
}
