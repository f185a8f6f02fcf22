import { InvalidArgumentError } from '../errors.ts';
import type { ObjectEntry } from '../object-index.ts';
import type { Context, Reply } from '../request.ts';
import { document, element } from '../xml.ts';
import { owner } from './buckets.ts';

/**
 * ListObjectsV2 and ListObjects (v1). The index keeps keys in UTF-8 byte order, so a page is
 * one ordered range read from where the last one ended, and a common prefix is skipped by
 * seeking past it: paging has no limit and costs the same at any depth.
 */

const MAX_KEYS = 1000;
/** Sorts after every byte of UTF-8 text: `P` + 0xFF is past every key that starts with `P`. */
const PAST = Buffer.from([0xff]);

/** One listed item: an object, or a common prefix standing for all keys under it. */
type Item = { readonly key: Buffer; readonly entry: ObjectEntry } | { readonly prefix: Buffer };

interface Page {
  readonly items: Item[];
  readonly truncated: boolean;
  /** Where the next page starts (exclusive, raw bytes), when truncated. */
  readonly next: Buffer | undefined;
}

/** ListObjectsV2. */
export function listObjectsV2(context: Context): Reply {
  const { query } = context.request;
  const common = listParameters(context);
  const token = query.get('continuation-token');
  const startAfter = query.get('start-after');
  // The token wins over start-after, as in S3.
  const after = token !== undefined ? decodeToken(token) : startAfter !== undefined ? Buffer.from(startAfter) : undefined;
  const page = listPage(context, common.prefix, common.delimiter, after, common.maxKeys);
  const withOwner = query.get('fetch-owner') === 'true';
  const text = common.encode;
  const inner = [
    element('Name', context.request.bucket),
    element('Prefix', text(common.prefix)),
    common.delimiter !== undefined ? element('Delimiter', text(common.delimiter)) : '',
    element('MaxKeys', common.maxKeys),
    common.url ? element('EncodingType', 'url') : '',
    element('KeyCount', page.items.length),
    element('IsTruncated', page.truncated),
    token !== undefined ? element('ContinuationToken', token) : '',
    page.truncated && page.next ? element('NextContinuationToken', page.next.toString('base64url')) : '',
    startAfter !== undefined ? element('StartAfter', text(startAfter)) : '',
    itemsXml(context, page.items, text, withOwner),
  ];
  return { status: 200, xml: document('ListBucketResult', inner.join('')) };
}

/** ListObjects (v1): `marker` instead of a token; NextMarker when a delimiter is used. */
export function listObjectsV1(context: Context): Reply {
  const common = listParameters(context);
  const marker = context.request.query.get('marker') ?? '';
  let after = marker === '' ? undefined : Buffer.from(marker);
  // A marker that is a common prefix (a previous page's NextMarker) continues past all keys under it.
  if (after && common.delimiter && marker.startsWith(common.prefix) && marker.endsWith(common.delimiter) && marker.length > common.prefix.length) {
    after = Buffer.concat([after, PAST]);
  }
  const page = listPage(context, common.prefix, common.delimiter, after, common.maxKeys);
  const last = page.items.at(-1);
  const nextMarker = page.truncated && common.delimiter !== undefined && last ? ('key' in last ? last.key : last.prefix).toString('utf8') : undefined;
  const text = common.encode;
  const inner = [
    element('Name', context.request.bucket),
    element('Prefix', text(common.prefix)),
    element('Marker', text(marker)),
    nextMarker !== undefined ? element('NextMarker', text(nextMarker)) : '',
    element('MaxKeys', common.maxKeys),
    common.delimiter !== undefined ? element('Delimiter', text(common.delimiter)) : '',
    common.url ? element('EncodingType', 'url') : '',
    element('IsTruncated', page.truncated),
    itemsXml(context, page.items, text, true),
  ];
  return { status: 200, xml: document('ListBucketResult', inner.join('')) };
}

/** The parameters both versions share. */
function listParameters({ request }: Context) {
  const { query } = request;
  const rawMax = query.get('max-keys');
  if (rawMax !== undefined && !/^\d{1,10}$/.test(rawMax)) throw new InvalidArgumentError('max-keys must be a whole number from 0 to 1000.');
  const encoding = query.get('encoding-type');
  if (encoding !== undefined && encoding !== 'url') throw new InvalidArgumentError('Invalid Encoding Method specified in Request');
  const delimiter = query.get('delimiter');
  const url = encoding === 'url';
  return {
    prefix: query.get('prefix') ?? '',
    delimiter: delimiter === '' ? undefined : delimiter,
    maxKeys: Math.min(rawMax === undefined ? MAX_KEYS : Number(rawMax), MAX_KEYS),
    url,
    // With encoding-type=url S3 escapes keys and prefixes (a key may hold what XML cannot).
    encode: (text: string) => (url ? encodeURIComponent(text).replace(/%2F/g, '/') : text),
  };
}

/** Up to `maxKeys` items after `after`, folding keys under a common prefix into one item. */
function listPage({ storage, request }: Context, prefix: string, delimiter: string | undefined, after: Buffer | undefined, maxKeys: number): Page {
  const items: Item[] = [];
  if (maxKeys === 0) return { items, truncated: false, next: undefined };
  const prefixBytes = Buffer.from(prefix);
  const delimiterBytes = delimiter === undefined ? undefined : Buffer.from(delimiter);
  let cursor = after;
  // One more than asked: whether there is one tells IsTruncated.
  scan: while (items.length <= maxKeys) {
    for (const found of storage.index.range(request.bucket, prefixBytes, cursor, maxKeys + 1 - items.length)) {
      const cut = delimiterBytes ? found.key.indexOf(delimiterBytes, prefixBytes.length) : -1;
      if (cut >= 0) {
        const common = found.key.subarray(0, cut + delimiterBytes!.length);
        items.push({ prefix: common });
        // Seek past every key under this prefix, and read on from there.
        cursor = Buffer.concat([common, PAST]);
        continue scan;
      }
      items.push(found);
    }
    break;
  }
  const truncated = items.length > maxKeys;
  if (truncated) items.length = maxKeys;
  const last = items.at(-1);
  const next = !truncated || !last ? undefined : 'key' in last ? last.key : Buffer.concat([last.prefix, PAST]);
  return { items, truncated, next };
}

/** The `<Contents>` and `<CommonPrefixes>` of a page (S3 writes all Contents first). */
function itemsXml({ config }: Context, items: readonly Item[], text: (value: string) => string, withOwner: boolean): string {
  let contents = '';
  let prefixes = '';
  for (const item of items) {
    if ('prefix' in item) {
      prefixes += `<CommonPrefixes>${element('Prefix', text(item.prefix.toString('utf8')))}</CommonPrefixes>`;
      continue;
    }
    const { entry } = item;
    contents += `<Contents>${element('Key', text(item.key.toString('utf8')))}${element('LastModified', new Date(entry.lastModified).toISOString())}${element('ETag', `"${entry.etag}"`)}${element('Size', entry.size)}${withOwner ? owner(config.owner) : ''}${element('StorageClass', 'STANDARD')}</Contents>`;
  }
  return contents + prefixes;
}

/** The raw bytes a continuation token stands for; InvalidArgument for one this endpoint did not give. */
function decodeToken(token: string): Buffer {
  const bytes = Buffer.from(token, 'base64url');
  if (bytes.length === 0 || bytes.length > 2048 || bytes.toString('base64url') !== token)
    throw new InvalidArgumentError('The continuation token provided is incorrect');
  return bytes;
}
