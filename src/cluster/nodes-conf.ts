/**
 * nodes.conf (cluster-config-file in dir): the node's identity across
 * restarts and the last view it had, in Redis's format (CLUSTER NODES lines,
 * then `vars currentEpoch N lastVoteEpoch 0`). The line flagged `myself`
 * gives the node its id, role, master, epoch and slots; the others let a
 * node started while etcd is down serve with the last map it knew.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { parseRanges, type NodeRecord } from './topology.ts';

export interface NodesConf {
  myself: NodeRecord;
  others: NodeRecord[];
  currentEpoch: number;
  /** The fleet the node is in (shardis's own var, `fleet <id>` on the vars line), null when alone. */
  fleet: string | null;
}

/** A new node id: 40 hex characters, as Redis's. */
export function newNodeId(): string {
  return randomBytes(20).toString('hex');
}

/** Parses one CLUSTER NODES line into a record and whether it is `myself`; null if it is not one. */
function parseLine(line: string): { rec: NodeRecord; myself: boolean } | null {
  const f = line.trim().split(' ');
  if (f.length < 8 || !/^[0-9a-f]{40}$/.test(f[0]!)) return null;
  const m = /^(.*):(\d+)@(\d+)(?:,(.*))?$/.exec(f[1]!);
  if (m === null) return null;
  const flags = f[2]!.split(',');
  // `,hostname` then aux fields `,name=value` (Redis 7.2: shard-id, nodename, tcp-port, tls-port)
  const [hostname = '', ...aux] = (m[4] ?? '').split(',');
  const shardId = aux.find((a) => a.startsWith('shard-id='))?.slice(9);
  const rec: NodeRecord = {
    id: f[0]!, ip: m[1]!, port: Number(m[2]), cport: Number(m[3]), hostname,
    role: flags.includes('slave') ? 'slave' : 'master', master: f[3] === '-' ? null : f[3]!,
    configEpoch: Number(f[6]), slots: parseRanges(f.slice(8)), offset: 0, nofailover: flags.includes('nofailover'),
  };
  if (shardId !== undefined && /^[0-9a-f]{40}$/.test(shardId)) rec.shardId = shardId;
  const tlsPort = Number(aux.find((a) => a.startsWith('tls-port='))?.slice(9) ?? '0');
  if (Number.isInteger(tlsPort) && tlsPort > 0 && tlsPort < 65536) rec.tlsPort = tlsPort;
  return { rec, myself: flags.includes('myself') };
}

/** Reads the file; null when there is none (a new node). */
export function readNodesConf(path: string): NodesConf | null {
  if (!existsSync(path)) return null;
  let myself: NodeRecord | null = null;
  const others: NodeRecord[] = [];
  let currentEpoch = 0;
  let fleet: string | null = null;
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    const vars = /^vars currentEpoch (\d+)/.exec(line);
    if (vars !== null) {
      currentEpoch = Number(vars[1]);
      fleet = / fleet ([0-9a-f]{40})/.exec(line)?.[1] ?? null;
      continue;
    }
    const p = parseLine(line);
    if (p === null) continue;
    if (p.myself) myself = p.rec;
    else others.push(p.rec);
  }
  if (myself === null) throw new Error(`Unrecoverable error: corrupted cluster config file "${path}".`);
  return { myself, others, currentEpoch, fleet };
}

/** Writes the file whole (a temporary file renamed over it, as Redis's clusterSaveConfig). */
export function writeNodesConf(path: string, lines: string[], currentEpoch: number, fleet: string | null): void {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, `${lines.join('\n')}\nvars currentEpoch ${currentEpoch} lastVoteEpoch 0${fleet === null ? '' : ` fleet ${fleet}`}\n`);
  renameSync(tmp, path);
}
