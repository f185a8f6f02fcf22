import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { S3Client } from '@aws-sdk/client-s3';
import type { SQSRecord } from 'aws-lambda';
import { z } from 'zod';
import { loadConfig } from '../common/config.ts';
import { objectsInNotification } from '../common/s3-notifications.ts';
import { sqsBatchHandler } from '../common/sqs-batch.ts';
import { SenderAllowList } from '../intake/senders.ts';
import { receiveRawEmail, type RawEmailDependencies } from './receive.ts';

/** Whether a value is a sender allow-list (checked at cold start, so a malformed one names its variable). */
const isAllowList = (value: string) => {
  try {
    SenderAllowList.parse(value, 'EMAIL_SENDERS');
    return true;
  } catch {
    return false;
  }
};

const config = loadConfig({
  INBOX_BUCKET: z.string().min(1),
  EMAIL_SENDERS: z.string().refine(isAllowList),
  MAX_RECEIVE_COUNT: z.coerce.number().int().positive(),
});
const logger = new Logger({ serviceName: 'imr-email' });
const metrics = new Metrics({ namespace: 'ImrLetters', serviceName: 'email' });

/** The S3 client and settings, built once per container. */
export const dependencies: RawEmailDependencies = {
  s3: new S3Client({}),
  inbox: config.INBOX_BUCKET,
  senders: SenderAllowList.parse(config.EMAIL_SENDERS, 'EMAIL_SENDERS'),
};

async function processRecord(record: SQSRecord): Promise<void> {
  for (const object of objectsInNotification(record.body)) {
    const outcome = await receiveRawEmail(dependencies, object.bucket, object.key);
    // The sender's domain and counts only: an address, a subject or a file name may name a patient.
    if (outcome.status === 'ACCEPTED') {
      logger.info('email accepted', {
        senderDomain: outcome.senderDomain,
        documents: outcome.documents,
        alreadyThere: outcome.alreadyThere,
        skipped: outcome.skipped,
      });
      metrics.addMetric('emails_accepted', MetricUnit.Count, 1);
      metrics.addMetric('email_documents', MetricUnit.Count, outcome.documents - outcome.alreadyThere);
    } else if (outcome.status === 'REFUSED') {
      logger.warn('email refused', { senderDomain: outcome.senderDomain, reason: outcome.reason });
      // A message of an allowed sender not read is a fax someone expects to see: its own metric, with an alarm.
      metrics.addMetric(outcome.fromAllowedSender ? 'emails_unreadable' : 'emails_refused', MetricUnit.Count, 1);
    }
  }
}

/** SQS batch of S3 notifications of raw messages: `handler` is deployed, `lambdaHandler` is the same without middlewares. */
export const { lambdaHandler, handler } = sqsBatchHandler({ logger, metrics, processRecord, maxReceiveCount: config.MAX_RECEIVE_COUNT });
