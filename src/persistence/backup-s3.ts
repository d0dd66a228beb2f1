/**
 * The S3 side of backups (docs/backups.md): a client built from the
 * backup-s3-* parameters, uploading an RDB file (one PUT, or a multipart
 * upload of PART_SIZE parts read from the file one at a time, never the
 * whole file in memory), listing, downloading with the SHA-256 checked, and
 * deleting. Every body carries a Content-MD5 and the object records the
 * SHA-256 of the whole file as metadata (x-amz-meta-sha256), which restore
 * verifies. The SDK's own flexible checksums are sent only where required,
 * so older S3-compatible servers (s3rver, MinIO, Ceph) understand the
 * requests.
 */
import { createHash } from 'node:crypto';
import { open, rename, unlink } from 'node:fs/promises';
import {
  AbortMultipartUploadCommand, CompleteMultipartUploadCommand, CreateMultipartUploadCommand, DeleteObjectCommand,
  GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client, UploadPartCommand,
  type S3ClientConfig,
} from '@aws-sdk/client-s3';
import type { BackupObject, BackupTarget } from './backup-target.ts';

/** Multipart part size: S3's minimum is 5 MiB for every part but the last. */
export const PART_SIZE = 8 * 1024 * 1024;

/** A client for the target (close it with destroy()). */
export function s3Client(t: BackupTarget): S3Client {
  const opts: S3ClientConfig = {
    region: t.region,
    forcePathStyle: t.forcePathStyle,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    // a server that is down fails the backup after a few tries, not never
    maxAttempts: 3,
  };
  if (t.endpoint !== '') opts.endpoint = t.endpoint;
  // empty keys: the SDK's default chain (environment, shared files, instance roles …)
  if (t.accessKeyId !== '' || t.secretAccessKey !== '') opts.credentials = { accessKeyId: t.accessKeyId, secretAccessKey: t.secretAccessKey };
  return new S3Client(opts);
}

const md5 = (b: Uint8Array): string => createHash('md5').update(b).digest('base64');

/** A readable description of an SDK error (its name and message, or the HTTP status when that is all there is). */
export function s3ErrorText(e: unknown): string {
  const err = e as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } };
  const status = err.$metadata?.httpStatusCode;
  const msg = err.message && err.message !== 'UnknownError' ? err.message : status !== undefined ? `HTTP ${status}` : 'unknown error';
  return err.name && err.name !== 'Error' && !msg.startsWith(err.name) ? `${err.name}: ${msg}` : msg;
}

/** The SHA-256 (hex) and size of `len` bytes of an open file, read in parts. */
async function hashFile(fh: Awaited<ReturnType<typeof open>>, len: number): Promise<string> {
  const h = createHash('sha256');
  const buf = Buffer.allocUnsafe(Math.min(PART_SIZE, Math.max(len, 1)));
  for (let pos = 0; pos < len;) {
    const { bytesRead } = await fh.read(buf, 0, Math.min(buf.length, len - pos), pos);
    if (bytesRead === 0) throw new Error('the file shrank while it was read');
    h.update(buf.subarray(0, bytesRead));
    pos += bytesRead;
  }
  return h.digest('hex');
}

/** Reads exactly `len` bytes at `pos` into a new buffer. */
async function readPart(fh: Awaited<ReturnType<typeof open>>, pos: number, len: number): Promise<Buffer> {
  const buf = Buffer.allocUnsafe(len);
  for (let off = 0; off < len;) {
    const { bytesRead } = await fh.read(buf, off, len - off, pos + off);
    if (bytesRead === 0) throw new Error('the file shrank while it was read');
    off += bytesRead;
  }
  return buf;
}

/**
 * Uploads `file` as `key`. The file is opened once: a save renaming a newer
 * file into its place meanwhile changes nothing here. Resolves with the
 * size and SHA-256 uploaded.
 */
export async function uploadFile(client: S3Client, t: BackupTarget, file: string, key: string): Promise<{ size: number; sha256: string }> {
  const fh = await open(file, 'r');
  try {
    const size = (await fh.stat()).size;
    const sha256 = await hashFile(fh, size);
    const Metadata = { sha256 };
    if (size <= PART_SIZE) {
      const body = await readPart(fh, 0, size);
      await client.send(new PutObjectCommand({ Bucket: t.bucket, Key: key, Body: body, ContentMD5: md5(body), ContentType: 'application/octet-stream', Metadata }));
      return { size, sha256 };
    }
    const created = await client.send(new CreateMultipartUploadCommand({ Bucket: t.bucket, Key: key, ContentType: 'application/octet-stream', Metadata }));
    const uploadId = created.UploadId;
    if (uploadId === undefined) throw new Error('the server returned no upload id');
    try {
      const parts: Array<{ PartNumber: number; ETag: string | undefined }> = [];
      for (let pos = 0, n = 1; pos < size; pos += PART_SIZE, n++) {
        const body = await readPart(fh, pos, Math.min(PART_SIZE, size - pos));
        const r = await client.send(new UploadPartCommand({ Bucket: t.bucket, Key: key, UploadId: uploadId, PartNumber: n, Body: body, ContentMD5: md5(body) }));
        parts.push({ PartNumber: n, ETag: r.ETag });
      }
      await client.send(new CompleteMultipartUploadCommand({ Bucket: t.bucket, Key: key, UploadId: uploadId, MultipartUpload: { Parts: parts } }));
    } catch (e) {
      await client.send(new AbortMultipartUploadCommand({ Bucket: t.bucket, Key: key, UploadId: uploadId })).catch(() => {});
      throw e;
    }
    return { size, sha256 };
  } finally {
    await fh.close();
  }
}

/** The backups under the prefix (only `.rdb` keys), newest first; with `withSha` each one's recorded SHA-256 (a HEAD each). */
export async function listBackups(client: S3Client, t: BackupTarget, withSha: boolean): Promise<BackupObject[]> {
  const out: BackupObject[] = [];
  let token: string | undefined;
  do {
    const r = await client.send(new ListObjectsV2Command({ Bucket: t.bucket, Prefix: t.prefix, ContinuationToken: token }));
    for (const o of r.Contents ?? []) {
      if (o.Key === undefined || !o.Key.endsWith('.rdb')) continue;
      out.push({ key: o.Key, size: o.Size ?? 0, lastModified: o.LastModified ?? new Date(0), sha256: '' });
    }
    token = r.IsTruncated === true ? r.NextContinuationToken : undefined;
  } while (token !== undefined);
  // keys hold the time: newest first
  out.sort((a, b) => (a.key < b.key ? 1 : a.key > b.key ? -1 : 0));
  if (withSha) {
    for (const o of out) {
      const h = await client.send(new HeadObjectCommand({ Bucket: t.bucket, Key: o.key }));
      o.sha256 = h.Metadata?.sha256 ?? '';
    }
  }
  return out;
}

/** A backup whose bytes don't match the SHA-256 it records. */
export class CorruptBackupError extends Error {}

/**
 * Downloads `key` to `file` (through a temp file in the same directory,
 * renamed into place only once the SHA-256 of what arrived equals the one
 * recorded). Throws CorruptBackupError on a mismatch or a missing checksum.
 */
export async function downloadBackup(client: S3Client, t: BackupTarget, key: string, file: string): Promise<{ size: number; sha256: string }> {
  const r = await client.send(new GetObjectCommand({ Bucket: t.bucket, Key: key }));
  const want = r.Metadata?.sha256 ?? '';
  if (!/^[0-9a-f]{64}$/.test(want)) throw new CorruptBackupError(`backup ${key} records no SHA-256 checksum`);
  const body = r.Body as AsyncIterable<Uint8Array> | undefined;
  if (body === undefined) throw new Error(`backup ${key} has no body`);
  const tmp = `${file}.download-${process.pid}.tmp`;
  const fh = await open(tmp, 'w');
  const h = createHash('sha256');
  let size = 0;
  try {
    for await (const chunk of body) {
      h.update(chunk);
      size += chunk.length;
      await fh.write(chunk);
    }
    await fh.sync();
  } catch (e) {
    await fh.close();
    await unlink(tmp).catch(() => {});
    throw e;
  }
  await fh.close();
  const got = h.digest('hex');
  if (got !== want) {
    await unlink(tmp).catch(() => {});
    throw new CorruptBackupError(`backup ${key} is corrupt: its SHA-256 is ${got}, the backup recorded ${want}`);
  }
  await rename(tmp, file);
  return { size, sha256: got };
}

export async function deleteBackup(client: S3Client, t: BackupTarget, key: string): Promise<void> {
  await client.send(new DeleteObjectCommand({ Bucket: t.bucket, Key: key }));
}
