import { Service } from 'electrodb';
import { dynamo, tableName } from './client.js';
import { registeredEntities, type RegisteredEntities } from './registry.js';

/**
 * Every entity of the single table, composed on the shared client (each domain registers its own,
 * see registry.ts). Nothing else builds a key.
 */
function compose(entities: RegisteredEntities) {
  return new Service(entities, { client: dynamo().doc, table: tableName() });
}

export type Db = ReturnType<typeof compose>;

let composed: { db: Db; client: unknown; table: string; generation: number } | undefined;

/**
 * The composed service for the current client, table and registered entities (rebuilt when tests
 * switch tables, or when a module loaded later registers more entities).
 */
export function db(): Db {
  const client = dynamo().doc;
  const { entities, generation } = registeredEntities();
  if (!composed || composed.client !== client || composed.table !== tableName() || composed.generation !== generation) {
    composed = { db: compose(entities), client, table: tableName(), generation };
  }
  return composed.db;
}
