/** Everything a command can see of the server: config, engine, registry, clients, stats. */
import type { Config } from '../config/config.ts';
import type { Engine } from '../engine/engine.ts';
import type { Registry, Command } from '../commands/registry.ts';
import type { Client } from './client.ts';

export type LogLevel = 'debug' | 'verbose' | 'notice' | 'warning';

const LEVELS: Record<string, number> = { debug: 0, verbose: 1, notice: 2, warning: 3, nothing: 4 };

export interface ServerStats {
  totalConnections: number;
  rejectedConnections: number;
  commandsProcessed: number;
  netInputBytes: number;
  netOutputBytes: number;
  /** errorstats: error code (first word) → count */
  errors: Map<string, number>;
  totalErrorReplies: number;
}

/** Decides whether a client may run a command right now: null = yes, else the error reply. */
export type Gate = (c: Client, cmd: Command, args: string[]) => string | null;

export class ServerState {
  nextClientId = 1;
  readonly clients = new Map<number, Client>();
  readonly startedAt = Date.now();
  readonly stats: ServerStats = {
    totalConnections: 0,
    rejectedConnections: 0,
    commandsProcessed: 0,
    netInputBytes: 0,
    netOutputBytes: 0,
    errors: new Map(),
    totalErrorReplies: 0,
  };
  /** Port actually bound (differs from config.port when it was 0). */
  port = 0;
  /** Set by the front end: stops listening and closes everything. */
  shutdown: (reason: string) => Promise<void> = async () => {};
  /** Checks run before every command (AUTH, MULTI state, pub/sub context…), in order. */
  readonly gates: Gate[] = [];

  readonly config: Config;
  readonly engine: Engine;
  readonly registry: Registry;

  constructor(config: Config, engine: Engine, registry: Registry) {
    this.config = config;
    this.engine = engine;
    this.registry = registry;
  }

  gate(c: Client, cmd: Command, args: string[]): string | null {
    const gates = this.gates;
    for (let i = 0; i < gates.length; i++) {
      const r = gates[i]!(c, cmd, args);
      if (r !== null) return r;
    }
    return null;
  }

  countError(msg: string): void {
    const sp = msg.indexOf(' ');
    const code = sp < 0 ? msg : msg.slice(0, sp);
    this.stats.errors.set(code, (this.stats.errors.get(code) ?? 0) + 1);
    this.stats.totalErrorReplies++;
  }

  log(level: LogLevel, msg: string): void {
    if (LEVELS[level]! < LEVELS[this.config.loglevel]!) return;
    const d = new Date();
    const mark = level === 'warning' ? '#' : level === 'notice' ? '*' : level === 'verbose' ? '-' : '.';
    process.stderr.write(`${process.pid}:M ${d.toISOString()} ${mark} ${msg}\n`);
  }
}
