/**
 * Imported first by the scripts that start services or read inputs: an error a user can act
 * on (a coded error: a missing prerequisite, an unreadable file) ends the script with one
 * line naming it, never a stack trace. Anything else is a bug and keeps its stack.
 */
import { basename } from 'node:path';
import { CodedError } from '../functions/common/coded-error.ts';

const script = basename(process.argv[1] ?? 'script').replace(/\.ts$/, '');
process.on('uncaughtException', (error) => {
  if (error instanceof CodedError) {
    console.error(`${script}: ${error.message}`);
    process.exit(1);
  }
  console.error(error);
  process.exit(1);
});
