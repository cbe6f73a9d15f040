import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { catalogueEnd, catalogueMarkdown, catalogueStart } from '../../../scripts/webhooks-catalogue.js';

describe('the README event catalogue', () => {
  it('matches the catalogue’s definitions (regenerate it when an event is added or changed)', () => {
    const readme = readFileSync('README.md', 'utf8');
    const start = readme.indexOf(catalogueStart);
    const end = readme.indexOf(catalogueEnd);

    expect(start).toBeGreaterThan(-1);
    expect(readme.slice(start, end + catalogueEnd.length)).toBe(catalogueMarkdown());
  });
});
