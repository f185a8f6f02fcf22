import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import { loadConfig, SERVICE_CONFIG } from '../common/config.ts';
import { sweepPendingOcr, type SweepReport } from '../service/sweep.ts';
import { ingestDependencies } from '../aws/ingest-dependencies.ts';
import { drainSearchBacklog } from '../service/search.ts';

const config = loadConfig(SERVICE_CONFIG);
const logger = new Logger({ serviceName: 'imr-sweep' });
const metrics = new Metrics({ namespace: 'ImrLetters', serviceName: 'sweep' });

/** The adapters, built once per container. */
export const dependencies = ingestDependencies(config);

/** How long one sweep builds search entries (of its 5 minutes): a backlog larger than that is taken up by the next. */
const SEARCH_BUDGET_MS = 3 * 60_000;
/** Most letters one sweep passes over after they failed: each pass asks the index for them again, beside the 100 it builds. */
const MOST_PASSED_OVER = 1_000;

/**
 * Builds the search entries of the letters still marked behind: those whose build right after
 * their commit failed (the mark stayed), those marked by a write that builds none (a new file
 * name for a letter already read), and, in a table written before the index existed, every letter
 * read before (marked by `backfill`). Counts them; the failures only by the error's name.
 */
async function sweepSearchBacklog(): Promise<{ indexed: number; failed: number; backfilled: number }> {
  const started = Date.now();
  // A table written before the index existed: its letters are marked first (a minute at most a sweep, resumed by the next).
  const { marked: backfilled } = await dependencies.search.backfill(started + 60_000);
  let indexed = 0;
  // Passed over for the rest of this sweep, so the letters behind them are built; the next sweep tries them again.
  const failedIds = new Set<string>();
  for (;;) {
    const report = await drainSearchBacklog(dependencies, 100, {
      concurrency: 4,
      onError: (id, error) => logger.warn('search entry not built', { documentId: id, errorName: (error as Error)?.name }),
      skip: failedIds,
    });
    indexed += report.indexed;
    for (const id of report.failedIds) failedIds.add(id);
    const stuck = report.indexed === 0 && report.failed === 0;
    if (!report.more || stuck || failedIds.size >= MOST_PASSED_OVER || Date.now() - started > SEARCH_BUDGET_MS)
      return { indexed, failed: failedIds.size, backfilled };
  }
}

/**
 * Every 15 minutes (an EventBridge schedule): settles the documents whose Textract notice never
 * came (see `sweepPendingOcr`), then builds the search entries left behind. `ocr_notices_lost`
 * counts the documents it recovered or failed: its alarm says notices are being lost;
 * `search_entries_late` counts the letters whose words were indexed only by the sweep.
 */
export const lambdaHandler = async (): Promise<SweepReport & { search: { indexed: number; failed: number; backfilled: number } }> => {
  const report = await sweepPendingOcr(dependencies);
  logger.info('pending OCR swept', { ...report });
  metrics.addMetric('ocr_notices_lost', MetricUnit.Count, report.recovered + report.failed);
  metrics.addMetric('ocr_sweep_errors', MetricUnit.Count, report.errors);
  const search = await sweepSearchBacklog();
  logger.info('search backlog swept', { ...search });
  metrics.addMetric('search_entries_late', MetricUnit.Count, search.indexed);
  metrics.addMetric('search_sweep_errors', MetricUnit.Count, search.failed);
  return { ...report, search };
};

export const handler = middy(lambdaHandler)
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(logMetrics(metrics));
