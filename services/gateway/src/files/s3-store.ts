import type { Readable } from 'node:stream';
import { DeleteObjectCommand, GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import type { ByteRange, FileStore } from './store.js';

export interface S3Location {
  endpoint: string;
  bucket: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
}

/**
 * `S3_URL` as `http(s)://ACCESS_KEY:SECRET@host:port/bucket`: any S3-compatible store,
 * addressed path-style (bucket in the path), which every such store understands.
 */
export function parseS3Url(url: string, region: string): S3Location {
  const u = new URL(url);
  const bucket = u.pathname.replace(/^\/+|\/+$/g, '');
  if (!bucket || bucket.includes('/')) throw new Error('S3_URL must name exactly one bucket as its path');
  return {
    endpoint: `${u.protocol}//${u.host}`,
    bucket,
    region,
    accessKeyId: decodeURIComponent(u.username),
    secretAccessKey: decodeURIComponent(u.password),
  };
}

/**
 * Files in an S3-compatible bucket. Uploads stream through multipart upload in 5 MiB parts
 * (at most one part in memory); a failed stream aborts the upload, so nothing is left.
 */
export class S3FileStore implements FileStore {
  private readonly client: S3Client;

  constructor(private readonly location: S3Location) {
    this.client = new S3Client({
      endpoint: location.endpoint,
      region: location.region,
      forcePathStyle: true,
      // Checksums only where S3 requires them: many S3-compatible stores do not know the
      // newer trailing-checksum encodings.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      credentials: { accessKeyId: location.accessKeyId, secretAccessKey: location.secretAccessKey },
    });
  }

  async put(key: string, body: Readable, contentType: string): Promise<void> {
    const upload = new Upload({
      client: this.client,
      params: { Bucket: this.location.bucket, Key: key, Body: body, ContentType: contentType },
      queueSize: 1,
      partSize: 5 * 1024 * 1024,
      leavePartsOnError: false,
    });
    try {
      await upload.done();
    } catch (err) {
      // A stream that failed after a single-request upload began may still have landed.
      await this.delete(key).catch(() => undefined);
      throw err;
    }
  }

  async read(key: string, range?: ByteRange): Promise<Readable> {
    const out = await this.client.send(
      new GetObjectCommand({ Bucket: this.location.bucket, Key: key, ...(range ? { Range: `bytes=${range.start}-${range.end}` } : {}) }),
    );
    return out.Body as Readable;
  }

  async delete(key: string): Promise<void> {
    await this.client.send(new DeleteObjectCommand({ Bucket: this.location.bucket, Key: key }));
  }

  close(): void {
    this.client.destroy();
  }
}
