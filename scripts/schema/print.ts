import { writeFileSync } from 'node:fs';
import { relative } from 'node:path';
import { currentPublished, publishedSchemaPath, root } from './contract.js';

// Not part of `npm run codegen` (which runs on every install): the committed file must stay as it
// was committed, so that the test comparing it with the SDL files can catch a forgotten print.
writeFileSync(publishedSchemaPath, currentPublished());
console.log(`wrote ${relative(root, publishedSchemaPath)}`);
