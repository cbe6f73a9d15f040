import { readFileSync } from 'node:fs';
import { buildSchema } from 'graphql';
import { breakingChanges, buildFromSdl, changelogPath, latestRelease, listedBreakingChanges, sdlSources } from './contract.js';

// Lists the breaking changes of the SDL files against the last release and whether CHANGELOG.md
// lists each (the test in tests/unit/schema/published-schema.test.ts fails on an unlisted one).
const release = latestRelease();
const changes = await breakingChanges(buildSchema(release.sdl), buildFromSdl(sdlSources()));
const listed = listedBreakingChanges(readFileSync(changelogPath, 'utf8'));
console.log(`${changes.length} breaking change(s) against release ${release.version}`);
for (const change of changes) console.log(`${listed.has(change.path) ? 'listed  ' : 'UNLISTED'} \`${change.path}\` ${change.message}`);
const unlisted = changes.filter((change) => !listed.has(change.path));
if (unlisted.length > 0) {
  // One suggested item per kind of change, e.g. every field changed from Int! to SafeInt!.
  const groups = new Map<string, Set<string>>();
  for (const change of unlisted) {
    const kind = change.message.replace(/^(Input field|Field|Argument|Enum value|Type) '[^']*'/, '$1').replace(/ (from|on|in) (object|input object|interface|enum) type '[^']*'/, ' $1 $2 type');
    groups.set(kind, (groups.get(kind) ?? new Set()).add(change.path));
  }
  const items = [...groups].map(([kind, paths]) => `- ${[...paths].map((p) => `\`${p}\``).join(', ')}: ${kind}. <what clients do>`);
  console.log(`\nAdd under "## Unreleased" / "### Breaking" in CHANGELOG.md:\n${items.join('\n')}`);
  process.exitCode = 1;
}
