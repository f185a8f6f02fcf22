#!/usr/bin/env node
// The `imr` command. TypeScript sources run through tsx's loader, so `npx imr` works right
// after `npm ci` with no build step.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../functions/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
