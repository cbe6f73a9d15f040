import { readFileSync, writeFileSync } from 'node:fs';
import { catalogueEnd, catalogueMarkdown, catalogueStart } from './webhooks-catalogue.js';

// Rewrites the README's event catalogue from lib/app/event-catalogue.ts.
const readme = readFileSync('README.md', 'utf8');
const start = readme.indexOf(catalogueStart);
const end = readme.indexOf(catalogueEnd);
if (start < 0 || end < 0) throw new Error('README.md has no event catalogue markers');
writeFileSync('README.md', readme.slice(0, start) + catalogueMarkdown() + readme.slice(end + catalogueEnd.length));
