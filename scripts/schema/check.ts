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
  console.log(`\nAdd under "## Unreleased" / "### Breaking" in CHANGELOG.md, one line each:\n${[...new Set(unlisted.map((c) => `- \`${c.path}\`: <what changed and what clients do>`))].join('\n')}`);
  process.exitCode = 1;
}
