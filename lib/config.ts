import { isPublicBaseUrl } from '../functions/common/config.ts';
import type { Node } from 'constructs';
import { SenderAllowList } from '../functions/intake/senders.ts';

/** A webhook endpoint configured for a deployment (`cdk.json` context `webhookEndpoints`). */
export interface WebhookEndpointConfig {
  readonly url: string;
  readonly events: string[];
}

/** Deployment settings, read from CDK context (`cdk.json`, or `-c key=value`). */
export interface ServiceConfig {
  /** Name prefix and tag of the deployment, e.g. `prod`. */
  readonly stage: string;
  /** Days originals are kept in the inbox before they expire (0: kept for ever). */
  readonly retentionDays: number;
  /** Keep the buckets and table when the stack is destroyed (default true). */
  readonly retainData: boolean;
  /** `textract` (default): scans go to Amazon Textract. */
  readonly textractMode: 'textract';
  /** Most ingest Lambdas at once: bounds calls to Textract under the account's TPS. */
  readonly ingestConcurrency: number;
  readonly webhookEndpoints: WebhookEndpointConfig[];
  /** Email address for CloudWatch alarms; none: alarms only go to the topic. */
  readonly alarmEmail: string | null;
  /**
   * Who may call the API (context `auth`): `cognito` (default) a user pool with the hosted
   * sign-in for the review console and a client-credentials client for integrations, both
   * through the API's JWT authoriser; `iam` SigV4-signed calls only (no console); `jwt` another
   * OIDC issuer (`jwtIssuer`, `jwtAudience`; no console).
   */
  readonly auth:
    | { readonly kind: 'cognito'; readonly domainPrefix: string | null }
    | { readonly kind: 'iam' }
    | { readonly kind: 'jwt'; readonly issuer: string; readonly audience: string[] };
  /**
   * Email intake (context `emailRecipients` and `emailSenders`): SES receives mail for the
   * recipients (addresses, or domains for every address in them), keeps each message in the
   * raw-email bucket, and the email function puts the attachments of the senders listed into
   * the inbox. Null (the default): no SES resources at all.
   */
  readonly email: EmailConfig | null;
  /**
   * Where people reach the API and console (context `publicUrl`, e.g. a custom domain:
   * `https://imr.example.com`); events link under it. Null (the default): the API's own URL.
   */
  readonly publicUrl: string | null;
}

/** Email intake's settings. */
export interface EmailConfig {
  /** Who SES receives mail for: `imr@mail.example.com`, or `mail.example.com` for all of it. */
  readonly recipients: string[];
  /** Who may send letters (the email function's `EMAIL_SENDERS`): addresses and `@domain`s, comma-separated. */
  readonly senders: string;
}

/** A recipient SES can match: an address, or a domain (all its addresses). */
const RECIPIENT = /^(?:[\w!#$%&'*+/=?^`{|}~.-]+@)?(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i;

/** Reads `emailRecipients` and `emailSenders`: both or neither; a malformed one fails synth with its name (never its value). */
function readEmailConfig(get: (key: string) => unknown): EmailConfig | null {
  const list = (value: unknown) => (Array.isArray(value) ? value.map(String) : String(value ?? '').split(',')).map((entry) => entry.trim()).filter(Boolean);
  const recipients = list(get('emailRecipients'));
  const senders = get('emailSenders');
  if (recipients.length === 0) {
    if (senders !== undefined) throw new Error('context emailSenders is set but emailRecipients is not: name the address or domain SES receives letters for');
    return null;
  }
  if (recipients.some((recipient) => !RECIPIENT.test(recipient)))
    throw new Error('context emailRecipients must be addresses (imr@mail.example.com) or domains (mail.example.com), separated by commas');
  const sendersList = (Array.isArray(senders) ? senders.map(String).join(',') : String(senders ?? '')).trim();
  // The same check the email function makes at cold start: a list it would refuse fails synth instead.
  SenderAllowList.parse(sendersList, 'context emailSenders');
  return { recipients, senders: sendersList };
}

/** Reads and checks the deployment settings; a malformed value fails synth with its name. */
export function readServiceConfig(node: Node): ServiceConfig {
  const get = (key: string) => node.tryGetContext(key) as unknown;
  const number = (key: string, fallback: number) => {
    const value = get(key) ?? fallback;
    const parsed = Number(value);
    if (!Number.isInteger(parsed) || parsed < 0) throw new Error(`context ${key} must be a whole number, got ${JSON.stringify(value)}`);
    return parsed;
  };
  const endpoints = (
    typeof get('webhookEndpoints') === 'string' ? JSON.parse(get('webhookEndpoints') as string) : (get('webhookEndpoints') ?? [])
  ) as WebhookEndpointConfig[];
  if (
    !Array.isArray(endpoints) ||
    endpoints.some((endpoint) => typeof endpoint.url !== 'string' || !/^https:\/\//.test(endpoint.url) || !Array.isArray(endpoint.events))
  ) {
    throw new Error('context webhookEndpoints must be a list of { "url": "https://...", "events": [...] }');
  }
  const jwtIssuer = get('jwtIssuer') as string | undefined;
  const authKind = String(get('auth') ?? (jwtIssuer ? 'jwt' : 'cognito'));
  if (!['cognito', 'iam', 'jwt'].includes(authKind)) throw new Error(`context auth must be "cognito", "iam" or "jwt", got ${JSON.stringify(authKind)}`);
  if (authKind === 'jwt' && !jwtIssuer) throw new Error('context auth "jwt" needs jwtIssuer (and jwtAudience)');
  const domainPrefix = get('loginDomainPrefix') as string | undefined;
  // Cognito's rule for a hosted sign-in prefix; a wrong one would fail only at deploy.
  if (domainPrefix !== undefined && !/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/.test(domainPrefix))
    throw new Error('context loginDomainPrefix must be lower-case letters, digits and hyphens (at most 63)');
  const mode = (get('textractMode') ?? 'textract') as string;
  if (mode !== 'textract') throw new Error(`context textractMode must be "textract", got ${JSON.stringify(mode)}`);
  return {
    stage: String(get('stage') ?? 'dev'),
    retentionDays: number('retentionDays', 0),
    retainData: get('retainData') !== false && get('retainData') !== 'false',
    textractMode: 'textract',
    ingestConcurrency: Math.max(1, number('ingestConcurrency', 5)),
    webhookEndpoints: endpoints,
    alarmEmail: (get('alarmEmail') as string | undefined) ?? null,
    auth:
      authKind === 'jwt'
        ? {
            kind: 'jwt',
            issuer: jwtIssuer!,
            audience: String(get('jwtAudience') ?? '')
              .split(',')
              .filter(Boolean),
          }
        : authKind === 'iam'
          ? { kind: 'iam' }
          : { kind: 'cognito', domainPrefix: domainPrefix ?? null },
    email: readEmailConfig(get),
    publicUrl: readPublicUrl(get('publicUrl')),
  };
}

/** The context `publicUrl`: an https address with nothing after the host but `/`, trailing slash dropped. */
function readPublicUrl(value: unknown): string | null {
  if (value === undefined || value === null || value === '') return null;
  if (typeof value !== 'string' || !isPublicBaseUrl(value, ['https:']))
    throw new Error('context publicUrl must be an https address with no path, query or fragment, e.g. https://imr.example.com');
  return value.endsWith('/') ? value.slice(0, -1) : value;
}
