import { Logger } from '@aws-lambda-powertools/logger';
import { loadConfig, SERVICE_CONFIG } from '../common/config.ts';
import { DynamoDeterminationStore } from '../adapters/dynamodb/determination-store.ts';
import { S3ObjectStore } from '../adapters/s3/object-store.ts';
import { createQueryHandler } from '../query/query-handler.ts';

const config = loadConfig(SERVICE_CONFIG);
const logger = new Logger({ serviceName: 'imr-pages' });
const objects = new S3ObjectStore(config.TEXT_BUCKET);

/**
 * `GET /documents/{id}/pages/{n}`: a page of a letter as PNG for the review console, rendered
 * on demand (PDFium for PDFs, sharp for TIFF/PNG/JPEG) and kept in the text bucket, so each
 * page is rendered once. Its own function: rendering wants more memory than a query, and only
 * it may read the originals' bytes.
 */
export const handler = createQueryHandler(new DynamoDeterminationStore(config.TABLE_NAME, null), logger, { originals: objects, pageCache: objects });
