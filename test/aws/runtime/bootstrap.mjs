/* global process */
/**
 * The Lambda runtime's part, in the Node major the template declares: loads the handler
 * module from the task root (`_HANDLER`, e.g. `index.handler`) once, as a Lambda container
 * does at init, then runs one invocation at a time as the parent sends them over IPC. An error
 * at init is reported once and the process ends (Lambda's `Runtime.ImportModuleError` or the
 * module's own error); an invocation's error is returned as Lambda reports it.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const root = process.env.LAMBDA_TASK_ROOT;
const [moduleName, exportName] = (process.env._HANDLER ?? 'index.handler').split('.');

function describe(error) {
  return { errorType: error?.name ?? typeof error, errorMessage: error?.message ?? String(error), stack: String(error?.stack ?? '').split('\n').slice(0, 12) };
}

let handler;
try {
  const file = ['.mjs', '.js', '.cjs'].map((extension) => join(root, moduleName + extension)).find((candidate) => existsSync(candidate));
  if (!file) throw Object.assign(new Error(`Cannot find module '${moduleName}'`), { name: 'Runtime.ImportModuleError' });
  const module = await import(pathToFileURL(file).href);
  handler = module[exportName];
  if (typeof handler !== 'function') throw Object.assign(new Error(`${moduleName}.${exportName} is undefined or not exported`), { name: 'Runtime.HandlerNotFound' });
} catch (error) {
  process.send({ type: 'init-error', error: describe(error) }, () => process.exit(1));
}

if (handler) {
  process.on('message', async (message) => {
    const { id, event, context } = message;
    const deadline = context.deadline;
    const lambdaContext = { ...context, callbackWaitsForEmptyEventLoop: true, getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()), done() {}, fail() {}, succeed() {} };
    try {
      const result = await handler(event, lambdaContext);
      // Serialized as the runtime does (JSON): the parent measures the payload Lambda would return.
      process.send({ type: 'result', id, payload: JSON.stringify(result === undefined ? null : result) });
    } catch (error) {
      process.send({ type: 'error', id, error: describe(error) });
    }
  });
  process.send({ type: 'ready', node: process.version, arch: process.arch });
}
