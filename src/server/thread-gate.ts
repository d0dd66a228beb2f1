/**
 * With several threads: whether a command must take the global lock before
 * it runs (threads/link.ts). It must when it may reach a key of another
 * thread: a declared key owned elsewhere, keys only known as it runs
 * (scripts, EXEC's queue, SORT's BY / GET patterns), or the whole keyspace.
 * Commands whose keys are all this thread's run without it.
 */
import type { Engine } from '../engine/engine.ts';
import { Registry, type Command } from '../commands/core/registry.ts';

const LOCK_FIRST = new Set([
  'exec', 'eval', 'evalsha', 'eval_ro', 'evalsha_ro', 'fcall', 'fcall_ro', 'sort', 'sort_ro',
  'dbsize', 'keys', 'scan', 'randomkey', 'flushdb', 'flushall', 'swapdb',
]);

export function mustLockFirst(engine: Engine, cmd: Command, args: readonly string[], db: number): boolean {
  if (LOCK_FIRST.has(cmd.fullName)) return true;
  const idx = Registry.keyIndexes(cmd, args);
  for (let i = 0; i < idx.length; i++) if (engine.localKeyspace(args[idx[i]!]!, db) === null) return true;
  return false;
}
