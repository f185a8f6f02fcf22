/**
 * `npm start`: the whole service on one machine. Flags override `IMR_*` variables, which
 * override the defaults:
 *
 *   --s3-port (IMR_S3_PORT, 4569)  --http-port (IMR_HTTP_PORT, 3000)  --inbox (IMR_INBOX_DIR, ./inbox)
 *   --data (IMR_DATA_DIR, ./.imr-data)  IMR_WEBHOOK_URL, IMR_WEBHOOK_SECRET
 *   --smtp-port (IMR_SMTP_PORT, off) with IMR_EMAIL_SENDERS (who may send letters by email)
 *   --public-url (IMR_PUBLIC_URL, http://127.0.0.1:<http port>): where people reach the API and
 *   console (behind a proxy, say); events link under it
 *
 * Ctrl-C (SIGINT) or SIGTERM stops everything cleanly.
 */
import { parseArgs } from 'node:util';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { MultiBar, Presets } from 'cli-progress';
import { startLocalService, LOCAL_INBOX, S3_CREDENTIALS_FILE, SMTP_PASSWORD_FILE } from './runtime.ts';
import { LOCAL_REGION } from './stand-ins.ts';
import { isPublicBaseUrl } from '../common/config.ts';

// Who started the service, read first: if it dies even during start-up, the service notices.
const parent = process.ppid;

const { values } = parseArgs({
  options: {
    's3-port': { type: 'string' },
    'http-port': { type: 'string' },
    inbox: { type: 'string' },
    data: { type: 'string' },
    reviewer: { type: 'string' },
    'smtp-port': { type: 'string' },
    'public-url': { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  },
});
if (values.help) {
  console.log('usage: npm start -- [--s3-port N] [--http-port N] [--inbox DIR] [--data DIR] [--reviewer NAME] [--smtp-port N] [--public-url URL]');
  process.exit(0);
}

const Port = z.coerce.number().int().min(1).max(65535);
const settings = z
  .object({
    s3Port: Port,
    httpPort: Port,
    inboxDir: z.string().min(1),
    dataDir: z.string().min(1),
    reviewer: z.string().min(1).max(200).optional(),
    webhookUrl: z.url().optional(),
    webhookSecret: z.string().min(1).optional(),
    webhookRetryScale: z.coerce.number().positive().max(1).optional(),
    smtpPort: Port.optional(),
    emailSenders: z.string().min(1).optional(),
    publicUrl: z
      .string()
      .refine((value) => isPublicBaseUrl(value, ['http:', 'https:']))
      .optional(),
  })
  .safeParse({
    s3Port: values['s3-port'] ?? process.env.IMR_S3_PORT ?? 4569,
    httpPort: values['http-port'] ?? process.env.IMR_HTTP_PORT ?? 3000,
    inboxDir: resolve(values.inbox ?? process.env.IMR_INBOX_DIR ?? 'inbox'),
    dataDir: resolve(values.data ?? process.env.IMR_DATA_DIR ?? '.imr-data'),
    reviewer: values.reviewer ?? process.env.IMR_REVIEWER,
    webhookUrl: process.env.IMR_WEBHOOK_URL || undefined,
    webhookSecret: process.env.IMR_WEBHOOK_SECRET || undefined,
    // For tests and drills only: shortens webhook retry waits by this factor (e.g. 0.01).
    webhookRetryScale: process.env.IMR_WEBHOOK_RETRY_SCALE || undefined,
    smtpPort: values['smtp-port'] ?? (process.env.IMR_SMTP_PORT || undefined),
    emailSenders: process.env.IMR_EMAIL_SENDERS || undefined,
    publicUrl: values['public-url'] ?? (process.env.IMR_PUBLIC_URL || undefined),
  });
if (!settings.success) {
  console.error(`imr: invalid setting ${settings.error.issues.map((issue) => issue.path.join('.')).join(', ')}`);
  process.exit(1);
}
if (settings.data.smtpPort !== undefined && !settings.data.emailSenders) {
  console.error(
    'imr: an SMTP port is set (--smtp-port or IMR_SMTP_PORT) but IMR_EMAIL_SENDERS is not: list who may send letters by email, e.g. IMR_EMAIL_SENDERS=@efax.com,fax@yourfirm.com',
  );
  process.exit(1);
}
if (settings.data.webhookUrl && !settings.data.webhookSecret) {
  console.error('imr: IMR_WEBHOOK_URL is set but IMR_WEBHOOK_SECRET is not: webhooks must be signed');
  process.exit(1);
}

const time = () => new Date().toISOString().slice(11, 19);
// On a terminal, a progress bar for batches sits under the status lines.
const bars = process.stdout.isTTY
  ? new MultiBar({ format: 'documents [{bar}] {value}/{total}', hideCursor: false, clearOnComplete: true, stopOnComplete: false }, Presets.shades_classic)
  : null;
let bar: ReturnType<MultiBar['create']> | null = null;
const progress = (done: number, queued: number) => {
  if (!bars) return;
  if (done >= queued) {
    if (bar) bars.remove(bar);
    bar = null;
    return;
  }
  bar ??= bars.create(queued, done);
  bar.setTotal(queued);
  bar.update(done);
};
const log = (line: string) => (bars ? bars.log(`${time()} ${line}\n`) : console.log(`${time()} ${line}`));
// One bad request or file never stops the service: a promise nobody awaited is logged (its error's name only: a message could quote a letter), not fatal.
process.on('unhandledRejection', (reason) => log(`internal  an unhandled ${(reason as Error)?.name ?? 'error'} was caught; the service goes on`));
try {
  const service = await startLocalService({ ...settings.data, log, progress, warmOcr: true });
  if (service.credentialsCreated && !process.stdout.isTTY) {
    // Not on a terminal (a log file, a supervisor): the secret is not written into logs.
    console.log(
      `S3 credentials generated: kept in ${join(settings.data.dataDir, S3_CREDENTIALS_FILE)} (mode 0600); read them there for the AWS CLI (profile imr-local).\n`,
    );
  } else if (service.credentialsCreated) {
    // Printed this once: the S3 endpoint refuses any request not signed with this pair.
    console.log(`S3 credentials generated (printed once; kept in ${join(settings.data.dataDir, S3_CREDENTIALS_FILE)}, mode 0600). For the AWS CLI:
  aws configure set aws_access_key_id ${service.s3Credentials.accessKeyId} --profile imr-local
  aws configure set aws_secret_access_key ${service.s3Credentials.secretAccessKey} --profile imr-local
  aws configure set region ${LOCAL_REGION} --profile imr-local
`);
  }
  console.log(`IMR letter service running (Ctrl-C to stop)
  S3 (inbox bucket ${LOCAL_INBOX})  ${service.endpoints.s3}      aws --profile imr-local --endpoint-url ${service.endpoints.s3} s3 cp letter.pdf s3://${LOCAL_INBOX}/
  store                           ${settings.data.dataDir}/store (embedded, no port)
  review console                  ${service.endpoints.http}/     (open it in a browser)
  HTTP API                        ${service.endpoints.http}      curl ${service.endpoints.http}/determinations   (changes: -H "x-imr-session: $(cat ${join(settings.data.dataDir, 'api-token')})")
  watched folder                  ${settings.data.inboxDir}
  data                            ${settings.data.dataDir}
  webhooks                        ${settings.data.webhookUrl ?? 'off (set IMR_WEBHOOK_URL and IMR_WEBHOOK_SECRET)'}
  email (SMTP)                    ${service.email ? `${service.email.endpoint}    user ${service.email.user}, password in ${join(settings.data.dataDir, SMTP_PASSWORD_FILE)}` : 'off (set IMR_SMTP_PORT and IMR_EMAIL_SENDERS)'}`);
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) {
      // A second Ctrl-C: now. What was under way is read again at the next start.
      console.log(`${time()} ${signal} again: stopping now`);
      process.exit(1);
    }
    stopping = true;
    console.log(`${time()} ${signal}: stopping...`);
    await service.stop();
    bars?.stop();
    console.log(`${time()} stopped`);
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
  // Whatever started the service (npm, a shell, a supervisor) may die without passing a
  // signal on; the service then finds itself adopted by another process and stops with it.
  setInterval(() => {
    if (process.ppid !== parent) void stop('parent process gone');
  }, 1000).unref();
} catch (error) {
  const message = (error as Error).message;
  console.error(
    `imr: could not start: ${/EADDRINUSE/.test(message) ? `a port is already in use (${message.replace(/^.*EADDRINUSE:?\s*/, '')}); choose others with --http-port, --s3-port, --smtp-port` : message}`,
  );
  process.exit(1);
}
