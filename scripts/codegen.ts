import { generate } from '@graphql-codegen/cli';
import config from '../codegen.js';

// `npm install` runs this: the CLI's progress lines on every install tell a newcomer nothing, and
// its silent mode would hide the errors too, so run it silently and print only what failed.
try {
  await generate({ ...config, silent: true }, true);
} catch (error) {
  console.error(`codegen failed:\n${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
