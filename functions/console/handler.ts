import { readFileSync } from 'node:fs';
import middy from '@middy/core';
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { z } from 'zod';
import { loadConfig } from '../common/config.ts';
import { serveConsole, type ConsoleConfig, type ConsoleFiles } from './site.ts';

/**
 * The review console's files on AWS (`GET /` and `/console/*`, the only routes without the
 * login: they hold no data). The files were built into the bundle's `console/` folder at
 * synth; the login settings come from the environment, checked at start.
 */
const config = loadConfig({
  CONSOLE_LOGIN_DOMAIN: z.url().startsWith('https://'),
  CONSOLE_CLIENT_ID: z.string().min(1),
  CONSOLE_REDIRECT_URI: z.url().startsWith('https://'),
  CONSOLE_UPLOAD_ORIGIN: z.url().startsWith('https://').optional(),
});
const logger = new Logger({ serviceName: 'imr-console' });

/** The built files, read once per container. */
export function readConsoleFiles(folder: URL): ConsoleFiles {
  const read = (name: string) => readFileSync(new URL(name, folder), 'utf8');
  return new Map([
    ['/console/icon.svg', { contentType: 'image/svg+xml', body: read('icon.svg') }],
    ['/console/app.js', { contentType: 'text/javascript; charset=utf-8', body: read('app.js') }],
    ['/console/app.css', { contentType: 'text/css; charset=utf-8', body: read('app.css') }],
  ]);
}

const files = readConsoleFiles(new URL('./console/', import.meta.url));
const consoleConfig: ConsoleConfig = {
  auth: { domain: config.CONSOLE_LOGIN_DOMAIN, clientId: config.CONSOLE_CLIENT_ID, redirectUri: config.CONSOLE_REDIRECT_URI },
  ...(config.CONSOLE_UPLOAD_ORIGIN ? { uploadOrigin: config.CONSOLE_UPLOAD_ORIGIN } : {}),
};

/** The deployed handler. */
export const handler = middy(async (event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> =>
  serveConsole(event.rawPath, files, consoleConfig),
).use(injectLambdaContext(logger, { resetKeys: true }));
