import type { Node } from 'constructs';

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
  /** JWT authoriser (Cognito or any OIDC issuer) instead of IAM, when set. */
  readonly jwt: { readonly issuer: string; readonly audience: string[] } | null;
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
  const endpoints = (typeof get('webhookEndpoints') === 'string' ? JSON.parse(get('webhookEndpoints') as string) : (get('webhookEndpoints') ?? [])) as WebhookEndpointConfig[];
  if (!Array.isArray(endpoints) || endpoints.some((endpoint) => typeof endpoint.url !== 'string' || !/^https:\/\//.test(endpoint.url) || !Array.isArray(endpoint.events))) {
    throw new Error('context webhookEndpoints must be a list of { "url": "https://...", "events": [...] }');
  }
  const jwtIssuer = get('jwtIssuer') as string | undefined;
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
    jwt: jwtIssuer ? { issuer: jwtIssuer, audience: String(get('jwtAudience') ?? '').split(',').filter(Boolean) } : null,
  };
}
