import type { Entity } from 'electrodb';

/**
 * Every entity of the single table, by the name transactions and `db().entities` use. Empty here:
 * each `<domain>.entities.ts` adds its own entities to this interface (declaration merging) and
 * registers them with `registerEntities`, so that this floor composes them without importing any
 * domain. `lib/app/entities.ts` imports every entity module, so an entry point knows all of them.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface EntityRegistry {}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyEntity = Entity<any, any, any, any>;

/** The registry as a plain object type (an interface has no index signature; ElectroDB's Service wants one). */
export type RegisteredEntities = { [K in keyof EntityRegistry]: EntityRegistry[K] };

const registered: Record<string, AnyEntity> = {};
let generation = 0;

/** Adds a domain's entities to the composition; called once at the bottom of each entities module. */
export function registerEntities(entities: Partial<RegisteredEntities>): void {
  for (const [name, entity] of Object.entries(entities as Record<string, AnyEntity>)) {
    if (registered[name] === entity) continue;
    if (registered[name]) throw new Error(`entity name registered twice: ${name}`);
    registered[name] = entity;
    generation++;
  }
}

/** The entities registered so far and a number that changes whenever one is added. */
export function registeredEntities(): { entities: RegisteredEntities; generation: number } {
  return { entities: registered as unknown as RegisteredEntities, generation };
}
