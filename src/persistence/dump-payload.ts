/** DUMP payloads' footer check, shared by RESTORE and FUNCTION RESTORE. */
import { crc64 } from './crc64.ts';
import { RDB_VERSION_MAX } from './rdb-types.ts';

/**
 * verifyDumpPayload: at least the 10-byte footer, an RDB version this server
 * reads (up to 12, Redis 7.4's), and (unless skipped) a matching CRC-64.
 */
export function verifyDumpPayload(p: Buffer, skipChecksum: boolean): boolean {
  if (p.length < 10) return false;
  const footer = p.length - 10;
  const version = p[footer]! | (p[footer + 1]! << 8);
  if (version > RDB_VERSION_MAX) return false;
  if (skipChecksum) return true;
  return crc64(p, 0, p.length - 8).equals(p.subarray(p.length - 8));
}
