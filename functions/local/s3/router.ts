import { MethodNotAllowedError, NoSuchBucketError, NotImplementedError } from './errors.ts';
import { createBucket, getBucketLocation, headBucket, listBuckets } from './operations/buckets.ts';
import { listObjectsV1, listObjectsV2 } from './operations/list.ts';
import { abortMultipartUpload, completeMultipartUpload, createMultipartUpload, listMultipartUploads, listParts, uploadPart } from './operations/multipart.ts';
import { deleteObject, deleteObjects, getObject, headObject, putObject } from './operations/objects.ts';
import type { Context, EndpointConfig, Reply, S3Request } from './request.ts';

/** An operation: its S3 name (for the log), whether it reads the body itself, and its handler. */
export interface Operation {
  readonly name: string;
  /** False: the dispatcher checks the body is empty before the handler runs. */
  readonly readsBody: boolean;
  readonly handle: (context: Context) => Reply | Promise<Reply>;
}

const op = (name: string, handle: Operation['handle'], readsBody = false): Operation => ({ name, handle, readsBody });

/**
 * Query parameters that select another operation of S3 (sub-resources). One the endpoint does
 * not serve is answered 501 rather than mistaken for the plain operation (GET ?acl is not
 * GetObject).
 */
const SUBRESOURCES = new Set([
  'accelerate',
  'acl',
  'analytics',
  'attributes',
  'cors',
  'delete',
  'encryption',
  'intelligent-tiering',
  'inventory',
  'legal-hold',
  'lifecycle',
  'location',
  'logging',
  'metadataConfiguration',
  'metadataTable',
  'metrics',
  'notification',
  'object-lock',
  'ownershipControls',
  'partNumber',
  'policy',
  'policyStatus',
  'publicAccessBlock',
  'renameObject',
  'replication',
  'requestPayment',
  'restore',
  'retention',
  'select',
  'session',
  'tagging',
  'torrent',
  'uploadId',
  'uploads',
  'versioning',
  'versions',
  'website',
]);

/** The operation a request names (path-style: `/`, `/bucket`, `/bucket/key`), or the S3 error for one not served. */
export function route(request: S3Request, config: EndpointConfig): Operation {
  const sub = [...request.query.keys()]
    .filter((name) => SUBRESOURCES.has(name))
    .sort()
    .join('&');
  const versionId = request.query.get('versionId');
  // Buckets are not versioned: only the null version exists.
  if (versionId !== undefined && versionId !== 'null') throw new NotImplementedError('Versioning is not implemented by the local S3 endpoint.');
  if (request.bucket === '') {
    if (request.method === 'GET' && sub === '') return op('ListBuckets', listBuckets);
    throw new MethodNotAllowedError();
  }
  if (!config.buckets.has(request.bucket)) {
    if (request.method === 'PUT' && request.key === '' && sub === '') return op('CreateBucket', createBucket, true);
    throw new NoSuchBucketError();
  }
  const found = request.key === '' ? bucketOperation(request, sub) : objectOperation(request, sub);
  if (!found) throw new NotImplementedError();
  return found;
}

function bucketOperation(request: S3Request, sub: string): Operation | undefined {
  switch (`${request.method} ${sub}`) {
    case 'GET ':
      if (request.query.get('list-type') === '2') return op('ListObjectsV2', listObjectsV2);
      return request.query.has('list-type') ? undefined : op('ListObjects', listObjectsV1);
    case 'GET location':
      return op('GetBucketLocation', getBucketLocation);
    case 'GET uploads':
      return op('ListMultipartUploads', listMultipartUploads);
    case 'HEAD ':
      return op('HeadBucket', headBucket);
    case 'PUT ':
      return op('CreateBucket', createBucket, true);
    case 'POST delete':
      return op('DeleteObjects', deleteObjects, true);
    default:
      return undefined;
  }
}

function objectOperation(request: S3Request, sub: string): Operation | undefined {
  switch (`${request.method} ${sub}`) {
    case 'GET ':
      return op('GetObject', getObject);
    case 'HEAD ':
      return op('HeadObject', headObject);
    case 'PUT ':
      return op('PutObject', putObject, true);
    case 'DELETE ':
      return op('DeleteObject', deleteObject);
    case 'POST uploads':
      return op('CreateMultipartUpload', createMultipartUpload);
    case 'PUT partNumber&uploadId':
      return op('UploadPart', uploadPart, true);
    case 'POST uploadId':
      return op('CompleteMultipartUpload', completeMultipartUpload, true);
    case 'DELETE uploadId':
      return op('AbortMultipartUpload', abortMultipartUpload);
    case 'GET uploadId':
      return op('ListParts', listParts);
    default:
      return undefined;
  }
}
