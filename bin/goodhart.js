#!/usr/bin/env node
// Runs the compiled CLI in dist/ (built by `npm run build`, which npm ci and npm pack run through `prepare`).
import fs from 'node:fs';

const main = new URL('../dist/src/cli/main.js', import.meta.url);
if (!fs.existsSync(main)) {
  process.stderr.write(
    `goodhart: the compiled command is missing (${main.pathname}): run \`npm run build\` first, ` +
      'or `npm run goodhart -- <arguments>` to run the sources directly.\n',
  );
  process.exit(1);
}
await import(main.href);
