#!/usr/bin/env node
// The `mlcompile` command. Runs the TypeScript sources through tsx, so a checkout
// works after `npm ci` with no build step, from any working directory.

import { fileURLToPath } from 'node:url';
import { register } from 'tsx/esm/api';

// Our own tsconfig, not whatever the caller's working directory holds.
register({ tsconfig: fileURLToPath(new URL('../tsconfig.json', import.meta.url)) });
const { main } = await import('../src/cli/main.ts');
await main(process.argv);
