import { createHash } from 'node:crypto';
import { GetObjectCommand, HeadObjectCommand, NoSuchKey, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { ObjectMissingError, type ObjectStore, type OriginalLinks, type PageImageCache } from '../../service/ports.ts';
import { attachmentDisposition } from '../../common/content-disposition.ts';

const moduleClient = new S3Client({});

function isMissing(error: unknown): boolean {
  return error instanceof NoSuchKey || (error as { name?: string }).name === 'NoSuchKey';
}

/**
 * {@link ObjectStore} on S3 (Amazon's, or the local S3 endpoint on one machine). The OCR text of document
 * `<id>` is kept at `text/<id>.txt` in the text bucket, its rendered pages at
 * `pages/<id>/<n>.png`, each encrypted by the bucket's default.
 */
export class S3ObjectStore implements ObjectStore, OriginalLinks, PageImageCache {
  private readonly client: S3Client;

  constructor(
    private readonly textBucket: string,
    client?: S3Client,
  ) {
    this.client = client ?? moduleClient;
  }

  /** The object's bytes; {@link ObjectMissingError} when S3 answers `NoSuchKey` (the key is not named: it may be a file name). */
  async get(bucket: string, key: string): Promise<Uint8Array> {
    let result;
    try {
      result = await this.client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    } catch (error) {
      if (isMissing(error)) throw new ObjectMissingError('OBJECT_MISSING', `no object under this key in bucket ${bucket}`, { cause: error });
      throw error;
    }
    if (!result.Body) throw new Error('S3 returned an object without a body');
    return result.Body.transformToByteArray();
  }

  async size(bucket: string, key: string): Promise<number> {
    const head = await this.client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    return head.ContentLength ?? 0;
  }

  async hash(bucket: string, key: string): Promise<string> {
    const result = await this.client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    const hash = createHash('sha256');
    for await (const chunk of result.Body as AsyncIterable<Uint8Array>) hash.update(chunk);
    return hash.digest('hex');
  }

  async putText(documentId: string, text: string): Promise<void> {
    await this.client.send(new PutObjectCommand({ Bucket: this.textBucket, Key: `text/${documentId}.txt`, Body: text, ContentType: 'text/plain; charset=utf-8' }));
  }

  async getText(documentId: string): Promise<string | null> {
    try {
      const result = await this.client.send(new GetObjectCommand({ Bucket: this.textBucket, Key: `text/${documentId}.txt` }));
      return (await result.Body?.transformToString('utf-8')) ?? null;
    } catch (error) {
      if (isMissing(error)) return null;
      throw error;
    }
  }

  async linkTo(bucket: string, key: string, fileName: string, expiresInSeconds: number): Promise<string> {
    return getSignedUrl(this.client, new GetObjectCommand({ Bucket: bucket, Key: key, ResponseContentDisposition: attachmentDisposition(fileName) }), { expiresIn: expiresInSeconds });
  }

  async getPageImage(documentId: string, page: number): Promise<Uint8Array | null> {
    try {
      const result = await this.client.send(new GetObjectCommand({ Bucket: this.textBucket, Key: `pages/${documentId}/${page}.png` }));
      return (await result.Body?.transformToByteArray()) ?? null;
    } catch (error) {
      if (isMissing(error)) return null;
      throw error;
    }
  }

  async putPageImage(documentId: string, page: number, png: Uint8Array): Promise<void> {
    await this.client.send(new PutObjectCommand({ Bucket: this.textBucket, Key: `pages/${documentId}/${page}.png`, Body: png, ContentType: 'image/png' }));
  }
}
