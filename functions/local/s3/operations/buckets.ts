import { AccessDeniedError, BucketAlreadyOwnedByYouError } from '../errors.ts';
import type { Context, Reply } from '../request.ts';
import { document, element, xmlText } from '../xml.ts';

/** Bucket-level operations. The buckets are the configured ones: none is created or deleted over the wire. */

/** ListBuckets: the configured buckets, with the time each was first served. */
export function listBuckets({ config, storage }: Context): Reply {
  const now = Date.now();
  const buckets = [...config.buckets]
    .sort()
    .map((name) => `<Bucket>${element('Name', name)}${element('CreationDate', new Date(storage.bucketCreated(name, now)).toISOString())}</Bucket>`)
    .join('');
  return { status: 200, xml: document('ListAllMyBucketsResult', `${owner(config.owner)}<Buckets>${buckets}</Buckets>`) };
}

/** HeadBucket: the bucket is there (the router answered NoSuchBucket otherwise). */
export function headBucket({ config }: Context): Reply {
  return { status: 200, headers: { 'x-amz-bucket-region': config.region } };
}

/** GetBucketLocation: S3 answers an empty constraint for us-east-1. */
export function getBucketLocation({ config }: Context): Reply {
  const constraint = config.region === 'us-east-1' ? '' : config.region;
  return { status: 200, xml: document('LocationConstraint', xmlText(constraint)) };
}

/** CreateBucket: a configured bucket is already ours (409, as S3 outside us-east-1); any other is refused. */
export function createBucket({ config, request }: Context): Reply {
  if (config.buckets.has(request.bucket)) throw new BucketAlreadyOwnedByYouError();
  throw new AccessDeniedError('The local S3 endpoint serves only the buckets it was started with; it creates none.');
}

/** The `<Owner>` element. */
export function owner(who: { readonly id: string; readonly displayName: string }, name = 'Owner'): string {
  return `<${name}>${element('ID', who.id)}${element('DisplayName', who.displayName)}</${name}>`;
}
