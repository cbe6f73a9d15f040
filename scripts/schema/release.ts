import { writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { currentPublished, releasesDir, root } from './contract.js';

// `npm run schema:release -- 1.2.0` when cutting a release: the snapshot later changes are checked against.
const version = process.argv[2];
if (!version || !/^\d+\.\d+\.\d+$/.test(version)) {
  console.error('usage: npm run schema:release -- <major.minor.patch>');
  process.exit(1);
}
const path = join(releasesDir, `${version}.graphql`);
writeFileSync(path, currentPublished());
console.log(`wrote ${relative(root, path)}; now move CHANGELOG.md's "Unreleased" entries under "## ${version}"`);
