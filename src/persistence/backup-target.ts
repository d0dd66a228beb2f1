/**
 * Where backups go (the backup-s3-* parameters) and how their objects are
 * named: what every layer reads without loading the AWS SDK, which only
 * backup-s3.ts imports (loaded once backups are configured).
 */
import { getConfigValue, type Config } from '../config/config.ts';

/** Where backups go, read from the backup-s3-* parameters. */
export interface BackupTarget {
  endpoint: string;
  region: string;
  bucket: string;
  prefix: string;
  accessKeyId: string;
  secretAccessKey: string;
  forcePathStyle: boolean;
}

/** One backup object: its key, size, upload time and recorded SHA-256 ('' when the object has none). */
export interface BackupObject {
  key: string;
  size: number;
  lastModified: Date;
  sha256: string;
}

/** The target under the current config, or null when backups are off (no bucket). */
export function backupTarget(cfg: Config): BackupTarget | null {
  const bucket = getConfigValue(cfg, 'backup-s3-bucket') ?? '';
  if (bucket === '') return null;
  return {
    endpoint: getConfigValue(cfg, 'backup-s3-endpoint') ?? '',
    region: getConfigValue(cfg, 'backup-s3-region') ?? 'us-east-1',
    bucket,
    prefix: getConfigValue(cfg, 'backup-s3-prefix') ?? 'shardis/',
    accessKeyId: getConfigValue(cfg, 'backup-s3-access-key-id') ?? '',
    secretAccessKey: getConfigValue(cfg, 'backup-s3-secret-access-key') ?? '',
    forcePathStyle: getConfigValue(cfg, 'backup-s3-force-path-style') === 'yes',
  };
}

/** `<prefix><UTC time to the millisecond>-<id>.rdb`: keys sort by time. */
export function backupKey(prefix: string, id: string, now = new Date()): string {
  const ts = now.toISOString().replace(/[-:]/g, '');
  return `${prefix}${ts}-${id}.rdb`;
}

