import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CriticalityLevel, diff } from '@graphql-inspector/core';
import {
  buildSchema,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isIntrospectionType,
  isObjectType,
  isSpecifiedScalarType,
  lexicographicSortSchema,
  printSchema,
  type GraphQLSchema,
} from 'graphql';

/**
 * The API's published contract: `schema.graphql` at the repository root, printed from the SDL files
 * in schema/, with a snapshot per release in schema/releases/ to find breaking changes against, and
 * CHANGELOG.md listing the breaking changes a release makes on purpose.
 */
export const root = join(import.meta.dirname, '..', '..');
export const publishedSchemaPath = join(root, 'schema.graphql');
export const releasesDir = join(root, 'schema', 'releases');
export const changelogPath = join(root, 'CHANGELOG.md');

/** The schema built from SDL sources (every file's definitions and extensions merged). */
export function buildFromSdl(sources: string[]): GraphQLSchema {
  return buildSchema(sources.join('\n'));
}

export function sdlSources(dir = join(root, 'schema')): string[] {
  return readdirSync(dir)
    .filter((file) => file.endsWith('.graphql'))
    .sort()
    .map((file) => readFileSync(join(dir, file), 'utf8'));
}

/**
 * Printed in lexicographic order of types and fields, so that the file does not change when
 * definitions move between SDL files, and two branches' additions merge without reordering.
 */
export function printPublished(schema: GraphQLSchema): string {
  return `${printSchema(lexicographicSortSchema(schema))}\n`;
}

export function currentPublished(): string {
  return printPublished(buildFromSdl(sdlSources()));
}

/** The newest release snapshot, by semantic version of its file name. */
export function latestRelease(): { version: string; sdl: string } {
  const versions = readdirSync(releasesDir)
    .filter((file) => /^\d+\.\d+\.\d+\.graphql$/.test(file))
    .map((file) => file.replace(/\.graphql$/, ''))
    .sort((a, b) => {
      const [x, y] = [a.split('.').map(Number), b.split('.').map(Number)];
      return x[0]! - y[0]! || x[1]! - y[1]! || x[2]! - y[2]!;
    });
  const version = versions.at(-1);
  if (!version) throw new Error(`No release snapshot in ${releasesDir}`);
  return { version, sdl: readFileSync(join(releasesDir, `${version}.graphql`), 'utf8') };
}

export interface BreakingChange {
  /** Schema coordinate of the change, e.g. `Money.amount` or `Query.node.id`. */
  path: string;
  message: string;
}

export async function breakingChanges(before: GraphQLSchema, after: GraphQLSchema): Promise<BreakingChange[]> {
  const changes = await diff(before, after);
  return changes
    .filter((change) => change.criticality.level === CriticalityLevel.Breaking)
    .map((change) => ({ path: change.path ?? '(schema)', message: change.message }));
}

/**
 * The schema coordinates listed as breaking under `## Unreleased` in the changelog: every list
 * item of its `### Breaking` subsection starts with one or more coordinates in backticks,
 * separated by commas (several changes of one kind share an item), then says what changed.
 */
export function listedBreakingChanges(changelog: string): Set<string> {
  const unreleased = /^## Unreleased[^\n]*\n([\s\S]*?)(?=^## |(?![\s\S]))/m.exec(changelog)?.[1] ?? '';
  const breaking = /^### Breaking[^\n]*\n([\s\S]*?)(?=^#{2,3} |(?![\s\S]))/m.exec(unreleased)?.[1] ?? '';
  const listed = new Set<string>();
  for (const item of breaking.matchAll(/^\s*[-*] ((?:`[^`]+`(?:,\s*)?)+)/gm)) {
    for (const coordinate of item[1]!.matchAll(/`([^`]+)`/g)) listed.add(coordinate[1]!);
  }
  return listed;
}

/** Every type, field, argument, input field and enum value without a description, by coordinate. */
export function undocumented(schema: GraphQLSchema): string[] {
  const missing: string[] = [];
  const blank = (text: string | null | undefined) => !text || text.trim() === '';
  for (const type of Object.values(schema.getTypeMap())) {
    if (isIntrospectionType(type) || isSpecifiedScalarType(type)) continue;
    if (blank(type.description)) missing.push(type.name);
    if (isObjectType(type) || isInterfaceType(type)) {
      for (const field of Object.values(type.getFields())) {
        if (blank(field.description)) missing.push(`${type.name}.${field.name}`);
        for (const arg of field.args) if (blank(arg.description)) missing.push(`${type.name}.${field.name}(${arg.name}:)`);
      }
    } else if (isInputObjectType(type)) {
      for (const field of Object.values(type.getFields())) if (blank(field.description)) missing.push(`${type.name}.${field.name}`);
    } else if (isEnumType(type)) {
      for (const value of type.getValues()) if (blank(value.description)) missing.push(`${type.name}.${value.name}`);
    }
  }
  return missing;
}

/** The policy: a deprecation reason names the day after which the element may be removed. */
export const removalDate = /Removal after (\d{4}-\d{2}-\d{2})\b/;

/** Every deprecated element whose reason lacks a valid `Removal after YYYY-MM-DD`. */
export function deprecationsWithoutRemovalDate(schema: GraphQLSchema): string[] {
  const bad: string[] = [];
  const check = (coordinate: string, reason: string | null | undefined) => {
    if (reason === null || reason === undefined) return;
    const date = removalDate.exec(reason)?.[1];
    if (!date || Number.isNaN(Date.parse(`${date}T00:00:00Z`)) || new Date(`${date}T00:00:00Z`).toISOString().slice(0, 10) !== date) bad.push(coordinate);
  };
  for (const type of Object.values(schema.getTypeMap())) {
    if (isIntrospectionType(type)) continue;
    if (isObjectType(type) || isInterfaceType(type)) {
      for (const field of Object.values(type.getFields())) {
        check(`${type.name}.${field.name}`, field.deprecationReason);
        for (const arg of field.args) check(`${type.name}.${field.name}(${arg.name}:)`, arg.deprecationReason);
      }
    } else if (isInputObjectType(type)) {
      for (const field of Object.values(type.getFields())) check(`${type.name}.${field.name}`, field.deprecationReason);
    } else if (isEnumType(type)) {
      for (const value of type.getValues()) check(`${type.name}.${value.name}`, value.deprecationReason);
    }
  }
  return bad;
}
