import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import { loadConfig, SERVICE_CONFIG } from '../common/config.ts';
import { sweepPendingOcr, type SweepReport } from '../service/sweep.ts';
import { ingestDependencies } from '../aws/ingest-dependencies.ts';

const config = loadConfig(SERVICE_CONFIG);
const logger = new Logger({ serviceName: 'imr-sweep' });
const metrics = new Metrics({ namespace: 'ImrLetters', serviceName: 'sweep' });

/** The adapters, built once per container. */
export const dependencies = ingestDependencies(config);

/**
 * Every 15 minutes (an EventBridge schedule): settles the documents whose Textract notice never
 * came (see `sweepPendingOcr`). `ocr_notices_lost` counts the documents it recovered or failed:
 * its alarm says notices are being lost.
 */
export const lambdaHandler = async (): Promise<SweepReport> => {
  const report = await sweepPendingOcr(dependencies);
  logger.info('pending OCR swept', { ...report });
  metrics.addMetric('ocr_notices_lost', MetricUnit.Count, report.recovered + report.failed);
  metrics.addMetric('ocr_sweep_errors', MetricUnit.Count, report.errors);
  return report;
};

export const handler = middy(lambdaHandler)
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(logMetrics(metrics));
