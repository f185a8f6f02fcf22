/**
 * Amazon Textract's default quotas, enforced on the stand-in ({@link TextractStandIn}) as
 * Textract enforces them: transactions per second per API (a call over the rate answers
 * `ProvisionedThroughputExceededException`, HTTP 400) and asynchronous jobs that may exist at
 * once (a start over it answers `LimitExceededException`, HTTP 400, until a job finishes).
 * `ThrottlingException` ("temporarily unable to process the request", HTTP 500 in the API
 * reference: a server fault, not a quota) can be injected at a rate, to exercise that retry too.
 * Used by `npm run bench -- --aws`; `npm run test:aws` runs without quotas.
 */
import type { RecordedCall, TextractStandIn } from './proxy.ts';

/** The quotas enforced: TPS per API and concurrent asynchronous jobs. */
export interface TextractQuotas {
  readonly name: string;
  readonly tps: { readonly DetectDocumentText: number; readonly StartDocumentTextDetection: number; readonly GetDocumentTextDetection: number };
  readonly concurrentJobs: number;
}

/** Where the figures come from. */
export const QUOTA_SOURCE =
  'AWS General Reference, "Amazon Textract endpoints and quotas", table "Service quotas" (https://docs.aws.amazon.com/general/latest/gr/textract.html): "Transactions per second per account for synchronous operations", "... for all start (asynchronous) operations", "... for all get (asynchronous) operations", "Maximum number of asynchronous jobs per account that can simultaneously exist"';

/** The default quotas by column of that table. */
export const TEXTRACT_DEFAULT_QUOTAS: Record<'us-east-1' | 'us-east-2' | 'other', TextractQuotas> = {
  'us-east-1': {
    name: 'us-east-1 (US East, N. Virginia) defaults',
    tps: { DetectDocumentText: 25, StartDocumentTextDetection: 15, GetDocumentTextDetection: 25 },
    concurrentJobs: 600,
  },
  'us-east-2': {
    name: 'us-east-2 (US East, Ohio) defaults',
    tps: { DetectDocumentText: 10, StartDocumentTextDetection: 5, GetDocumentTextDetection: 10 },
    concurrentJobs: 100,
  },
  other: { name: '"Other Regions" defaults', tps: { DetectDocumentText: 1, StartDocumentTextDetection: 1, GetDocumentTextDetection: 5 }, concurrentJobs: 100 },
};

type Api = keyof TextractQuotas['tps'];

/** What the quotas did, per API. */
export interface QuotaStats {
  calls: number;
  accepted: number;
  /** Answers by error type (ProvisionedThroughputExceededException, LimitExceededException, ThrottlingException). */
  refused: Record<string, number>;
  /** Most calls accepted within any one second. */
  peakTps: number;
}

/** The enforcement, installed on a stand-in; `stats` and `peakJobs` say what it did. */
export interface QuotaEnforcement {
  readonly quotas: TextractQuotas;
  readonly stats: Record<Api, QuotaStats>;
  /** Most asynchronous jobs in progress at once. */
  peakJobs: number;
  /** Jobs in progress now. */
  runningJobs(): number;
}

/**
 * Wraps the stand-in's `answer` with the quotas. A TPS quota is a sliding one-second window
 * of accepted calls (a refused call consumes nothing); a job counts from its start until its
 * completion (`jobMs` of the stand-in) as Textract counts a job until it SUCCEEDS or FAILS.
 */
export function enforceQuotas(
  standIn: TextractStandIn,
  quotas: TextractQuotas,
  options: { throttlingRate?: number; random?: () => number } = {},
): QuotaEnforcement {
  const random = options.random ?? Math.random;
  const windows = new Map<Api, number[]>();
  const jobs = new Map<string, number>();
  const started = new Set<string>();
  const empty = (): QuotaStats => ({ calls: 0, accepted: 0, refused: {}, peakTps: 0 });
  const enforcement: QuotaEnforcement = {
    quotas,
    stats: { DetectDocumentText: empty(), StartDocumentTextDetection: empty(), GetDocumentTextDetection: empty() },
    peakJobs: 0,
    runningJobs: () => {
      const now = Date.now();
      for (const [jobId, endsAt] of jobs) if (endsAt <= now) jobs.delete(jobId);
      return jobs.size;
    },
  };
  const answer = standIn.answer.bind(standIn);
  standIn.answer = async (operation: string, params: Record<string, unknown>, record: (call: Omit<RecordedCall, 'seq'>) => void) => {
    if (!(operation in quotas.tps)) return answer(operation, params, record);
    const api = operation as Api;
    const stats = enforcement.stats[api];
    stats.calls += 1;
    const refuse = (status: number, type: string, message: string) => {
      stats.refused[type] = (stats.refused[type] ?? 0) + 1;
      return { status, body: { __type: type, Message: message } };
    };
    const now = Date.now();
    const window = (windows.get(api) ?? []).filter((at) => at > now - 1000);
    windows.set(api, window);
    if (window.length >= quotas.tps[api]) return refuse(400, 'ProvisionedThroughputExceededException', 'Provisioned rate exceeded');
    if (options.throttlingRate && random() < options.throttlingRate)
      return refuse(500, 'ThrottlingException', 'Amazon Textract is temporarily unable to process the request. Try your call again.');
    if (api === 'StartDocumentTextDetection' && enforcement.runningJobs() >= quotas.concurrentJobs) {
      return refuse(400, 'LimitExceededException', `Open jobs exceed maximum concurrent job limit (${quotas.concurrentJobs})`);
    }
    window.push(now);
    stats.accepted += 1;
    stats.peakTps = Math.max(stats.peakTps, window.length);
    const result = await answer(operation, params, record);
    const jobId = (result.body as { JobId?: string }).JobId;
    if (api === 'StartDocumentTextDetection' && result.status === 200 && jobId && !started.has(jobId)) {
      // A start repeated with the same ClientRequestToken answers the same job: counted once.
      started.add(jobId);
      jobs.set(jobId, Date.now() + standIn.jobMs);
      enforcement.peakJobs = Math.max(enforcement.peakJobs, enforcement.runningJobs());
    }
    return result;
  };
  return enforcement;
}
