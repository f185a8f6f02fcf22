import { createHash } from 'node:crypto';
import { DeleteObjectCommand, DeleteObjectsCommand, GetObjectCommand, ListObjectsV2Command, NoSuchKey, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { createPresignedPost } from '@aws-sdk/s3-presigned-post';
import {
  ObjectMissingError,
  type ObjectRemoval,
  type ObjectStore,
  type OriginalLinks,
  type PageImageCache,
  type StoredReading,
  type UploadForm,
  type UploadForms,
} from '../../service/ports.ts';
import type { DocumentLayout, ReadingContext } from '../../domain/index.ts';
import { attachmentDisposition } from '../../common/content-disposition.ts';
import { layoutFromJson, readingFromJson, readingContextOf, readingJson } from '../stored-reading.ts';

const moduleClient = new S3Client({});

function isMissing(error: unknown): boolean {
  return error instanceof NoSuchKey || (error as { name?: string }).name === 'NoSuchKey';
}

/** Where the reading of document `id` is kept: its text and what the reader knew of it, in one JSON object. */
function readingKey(documentId: string): string {
  return `text/${documentId}.json`;
}

/**
 * The key of a cached page image. Versioned: images drawn before a change to how pages are drawn
 * (v1 showed a standard-resolution fax squashed to half its height) are never served again.
 */
export function pageImageKey(documentId: string, page: number): string {
  return `pages/${documentId}/v2/${page}.png`;
}

/**
 * {@link ObjectStore} on S3 (Amazon's, or the local S3 endpoint on one machine). The reading of
 * document `<id>` (its text, what the reader knew of it, and where its lines lie on its pages
 * when OCR or a text layer gave boxes) is kept at `text/<id>.json` in the text bucket (readings
 * stored by earlier versions, at `text/<id>.txt` and `text/<id>.reading.json`, are still read),
 * its rendered pages at `pages/<id>/v2/<n>.png`, each encrypted by the bucket's default.
 */
export class S3ObjectStore implements ObjectStore, OriginalLinks, PageImageCache, UploadForms, ObjectRemoval {
  private readonly client: S3Client;

  constructor(
    private readonly textBucket: string,
    client?: S3Client,
  ) {
    this.client = client ?? moduleClient;
  }

  /** The object's bytes; {@link ObjectMissingError} when S3 answers `NoSuchKey` (the key is not named: it may be a file name). */
  async get(bucket: string, key: string): Promise<Uint8Array> {
    const result = await this.send(bucket, key);
    if (!result.Body) throw new Error('S3 returned an object without a body');
    return result.Body.transformToByteArray();
  }

  /** GetObject, with `NoSuchKey` as {@link ObjectMissingError}. */
  private async send(bucket: string, key: string): Promise<import('@aws-sdk/client-s3').GetObjectCommandOutput> {
    try {
      return await this.client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    } catch (error) {
      if (isMissing(error)) throw new ObjectMissingError('OBJECT_MISSING', `no object under this key in bucket ${bucket}`, { cause: error });
      throw error;
    }
  }

  async getWithin(
    bucket: string,
    key: string,
    maxBytes: number,
  ): Promise<{ bytes: Uint8Array; metadata?: Readonly<Record<string, string>> } | { tooLarge: number }> {
    const result = await this.send(bucket, key);
    const size = result.ContentLength ?? 0;
    if (size > maxBytes) {
      // The answer's headers say how large it is: its body is dropped unread (a 600 MB file is never downloaded to be refused).
      (result.Body as { destroy?: () => void } | undefined)?.destroy?.();
      return { tooLarge: size };
    }
    if (!result.Body) throw new Error('S3 returned an object without a body');
    // The object's user metadata (an email's sender and time received, written by the email intake) travels with its bytes.
    return {
      bytes: await result.Body.transformToByteArray(),
      ...(result.Metadata && Object.keys(result.Metadata).length > 0 ? { metadata: result.Metadata } : {}),
    };
  }

  async hash(bucket: string, key: string): Promise<string> {
    const result = await this.client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    const hash = createHash('sha256');
    for await (const chunk of result.Body as AsyncIterable<Uint8Array>) hash.update(chunk);
    return hash.digest('hex');
  }

  async putReading(documentId: string, reading: StoredReading): Promise<void> {
    // One object, text and context together: written at once (never a text without its context),
    // and one write per letter where there were two (each a durable write on the local endpoint).
    await this.client.send(
      new PutObjectCommand({
        Bucket: this.textBucket,
        Key: readingKey(documentId),
        Body: readingJson(reading),
        ContentType: 'application/json',
      }),
    );
  }

  async getReading(documentId: string): Promise<{ text: string; context: ReadingContext | null } | null> {
    const stored = await this.getString(readingKey(documentId));
    if (stored !== null) return readingFromJson(stored);
    // A reading stored by an earlier version: the text, and its context beside it when contexts were kept.
    const text = await this.getString(`text/${documentId}.txt`);
    if (text === null) return null;
    const context = await this.getString(`text/${documentId}.reading.json`);
    return { text, context: context === null ? null : readingContextOf(context) };
  }

  async getText(documentId: string): Promise<string | null> {
    return (await this.getReading(documentId))?.text ?? null;
  }

  async getLayout(documentId: string): Promise<DocumentLayout | null> {
    // Kept in the reading's own object (a reading from an earlier version has none); one not of its shape is left out, not trusted.
    const stored = await this.getString(readingKey(documentId));
    return stored === null ? null : layoutFromJson(stored);
  }

  private async getString(key: string): Promise<string | null> {
    try {
      const result = await this.client.send(new GetObjectCommand({ Bucket: this.textBucket, Key: key }));
      return (await result.Body?.transformToString('utf-8')) ?? null;
    } catch (error) {
      if (isMissing(error)) return null;
      throw error;
    }
  }

  async linkTo(bucket: string, key: string, fileName: string, expiresInSeconds: number): Promise<string> {
    return getSignedUrl(this.client, new GetObjectCommand({ Bucket: bucket, Key: key, ResponseContentDisposition: attachmentDisposition(fileName) }), {
      expiresIn: expiresInSeconds,
    });
  }

  async uploadForm(bucket: string, key: string, metadata: Readonly<Record<string, string>>, size: number, expiresInSeconds: number): Promise<UploadForm> {
    const fields = Object.fromEntries(Object.entries(metadata).map(([name, value]) => [`x-amz-meta-${name}`, value]));
    // The policy pins the key, every metadata field and the exact size: the browser posts this file, as this person, or nothing.
    return createPresignedPost(this.client, {
      Bucket: bucket,
      Key: key,
      Fields: fields,
      Conditions: [['content-length-range', size, size], ...Object.entries(fields).map(([name, value]) => ({ [name]: value }))],
      Expires: expiresInSeconds,
    });
  }

  async getPageImage(documentId: string, page: number): Promise<Uint8Array | null> {
    try {
      const result = await this.client.send(new GetObjectCommand({ Bucket: this.textBucket, Key: pageImageKey(documentId, page) }));
      return (await result.Body?.transformToByteArray()) ?? null;
    } catch (error) {
      if (isMissing(error)) return null;
      throw error;
    }
  }

  async putPageImage(documentId: string, page: number, png: Uint8Array): Promise<void> {
    await this.client.send(new PutObjectCommand({ Bucket: this.textBucket, Key: pageImageKey(documentId, page), Body: png, ContentType: 'image/png' }));
  }

  /** Deletes one object (S3 answers the same whether or not it was there). */
  async remove(bucket: string, key: string): Promise<void> {
    await this.client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
  }

  /** Deletes what was derived from a document (its text and reading, its page images); how many objects went. */
  async removeDerived(documentId: string): Promise<number> {
    let removed = 0;
    for (const prefix of [`text/${documentId}.`, `pages/${documentId}/`]) {
      let token: string | undefined;
      do {
        const page = await this.client.send(new ListObjectsV2Command({ Bucket: this.textBucket, Prefix: prefix, ContinuationToken: token }));
        const keys = (page.Contents ?? []).map((object) => ({ Key: object.Key! }));
        if (keys.length > 0) {
          const answer = await this.client.send(new DeleteObjectsCommand({ Bucket: this.textBucket, Delete: { Objects: keys, Quiet: true } }));
          // Quiet: only the keys that could not be deleted are named, and a deletion that did not happen is not one.
          if (answer.Errors?.length) throw new Error(`${answer.Errors.length} derived object(s) could not be deleted (${answer.Errors[0]!.Code})`);
          removed += keys.length;
        }
        token = page.NextContinuationToken;
      } while (token);
    }
    return removed;
  }
}
