import { existsSync, readFileSync } from 'node:fs';
import { buildSchema } from 'graphql';
import { describe, expect, it } from 'vitest';
import {
  breakingChanges,
  buildFromSdl,
  changelogPath,
  currentPublished,
  deprecationsWithoutRemovalDate,
  latestRelease,
  listedBreakingChanges,
  publishedSchemaPath,
  sdlSources,
} from '../../../scripts/schema/contract.js';

const current = () => buildFromSdl(sdlSources());

describe('the published schema', () => {
  it('schema.graphql is the one printed from schema/*.graphql', () => {
    const committed = existsSync(publishedSchemaPath) ? readFileSync(publishedSchemaPath, 'utf8') : '';
    expect(committed === currentPublished(), 'schema.graphql is out of date: run `npm run schema:print` and commit schema.graphql').toBe(true);
  });

  it('makes no breaking change against the last release that CHANGELOG.md does not list', async () => {
    const release = latestRelease();
    const listed = listedBreakingChanges(readFileSync(changelogPath, 'utf8'));
    const unlisted = (await breakingChanges(buildSchema(release.sdl), current())).filter((change) => !listed.has(change.path));
    expect(
      unlisted.map((change) => `${change.path}: ${change.message}`),
      `breaking changes against ${release.version} missing from CHANGELOG.md "## Unreleased" / "### Breaking" (run \`npm run schema:check\`)`,
    ).toEqual([]);
  });

  it('gives every deprecation a removal date', () => {
    expect(deprecationsWithoutRemovalDate(current()), 'write @deprecated(reason: "... Removal after YYYY-MM-DD.") (README, "Deprecation policy")').toEqual([]);
  });
});

describe('the contract checks', () => {
  const before = buildSchema(`type Query { a: Int, b(x: Int): String } enum E { ONE TWO }`);

  it('find removed fields, changed types and removed enum values by coordinate, and not additions', async () => {
    const after = buildSchema(`type Query { a: String, b(x: Int): String, c: Int } enum E { ONE TWO THREE }`);
    expect((await breakingChanges(before, after)).map((c) => c.path)).toEqual(['Query.a']);
    const removed = buildSchema(`type Query { a: Int } enum E { ONE }`);
    expect((await breakingChanges(before, removed)).map((c) => c.path).sort()).toEqual(['E.TWO', 'Query.b']);
  });

  it('read the breaking changes listed under Unreleased only', () => {
    const changelog = [
      '# Changelog',
      '## Unreleased',
      '### Breaking',
      '- `Money.amount`: now a string.',
      '* `Query.b` removed.',
      '- `Query.x`, `Input.y`: several of one kind, `Query.notLeading` in the text.',
      'Prose mentioning `Query.c` does not count.',
      '### Added',
      '- `Query.d`: not breaking.',
      '## 0.1.0',
      '### Breaking',
      '- `Query.e`: an older release.',
    ].join('\n');
    expect([...listedBreakingChanges(changelog)].sort()).toEqual(['Input.y', 'Money.amount', 'Query.b', 'Query.x']);
  });

  it('find deprecations without a valid removal date', () => {
    const schema = buildSchema(`
      type Query {
        ok: Int @deprecated(reason: "Use \`b\`. Removal after 2027-06-30.")
        noDate: Int @deprecated(reason: "Use \`b\`.")
        badDate: Int @deprecated(reason: "Removal after 2027-02-30.")
        plain: Int @deprecated
        arg(x: Int @deprecated(reason: "Gone soon.")): Int
      }
      enum E { A @deprecated(reason: "Removal after 2027-01-01") B }
    `);
    expect(deprecationsWithoutRemovalDate(schema).sort()).toEqual(['Query.arg(x:)', 'Query.badDate', 'Query.noDate', 'Query.plain']);
  });
});
