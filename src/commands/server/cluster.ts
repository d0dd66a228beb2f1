/**
 * The CLUSTER command's specs and READONLY / READWRITE / ASKING (their
 * cluster-mode handlers are in cluster-cmds.ts; without cluster-enabled
 * they answer as Redis 7.0 with cluster support disabled), MODULE (no
 * modules can be loaded into a JavaScript server) and LOLWUT.
 */
import { command, type CommandFlag, type CommandSpec } from '../core/spec.ts';
import { CommandError } from '../core/errors.ts';
import { replyHelp } from '../core/help.ts';
import { REDIS_VERSION } from '../../server/version.ts';
import { CLUSTER_HELP, clusterModeHandler, connectionFlag } from './cluster-cmds.ts';
import { clusterOf } from '../../cluster/mode.ts';

const CLUSTER_DISABLED = 'ERR This instance has cluster support disabled';
const MODULE_NOT_ALLOWED = 'ERR MODULE command not allowed. If the enable-module-command option is set to "local", you can run it from a local connection, otherwise you need to set this option in the configuration file, and then restart the server.';

type Row = [name: string, arity: number, flags: string];

/** CLUSTER subcommands of Redis 7.0: name, arity, flags. */
const CLUSTER_SUBS: Row[] = [
  ['help', 2, 'loading,stale'],
  ['links', 2, 'stale'],
  ['countkeysinslot', 3, 'stale'],
  ['addslots', -3, 'admin,stale,no_async_loading'],
  ['replicate', 3, 'admin,stale,no_async_loading'],
  ['bumpepoch', 2, 'admin,stale,no_async_loading'],
  ['shards', 2, 'loading,stale'],
  ['setslot', -4, 'admin,stale,no_async_loading'],
  ['slaves', 3, 'admin,stale'],
  ['failover', -2, 'admin,stale,no_async_loading'],
  ['count-failure-reports', 3, 'admin,stale'],
  ['forget', 3, 'admin,stale,no_async_loading'],
  ['keyslot', 3, 'stale'],
  ['addslotsrange', -4, 'admin,stale,no_async_loading'],
  ['slots', 2, 'loading,stale'],
  ['delslotsrange', -4, 'admin,stale,no_async_loading'],
  ['set-config-epoch', 3, 'admin,stale,no_async_loading'],
  ['info', 2, 'stale'],
  ['reset', -2, 'admin,noscript,stale'],
  ['replicas', 3, 'admin,stale'],
  ['flushslots', 2, 'admin,stale,no_async_loading'],
  ['meet', -4, 'admin,stale,no_async_loading'],
  ['getkeysinslot', 4, 'stale'],
  ['delslots', -3, 'admin,stale,no_async_loading'],
  ['nodes', 2, 'stale'],
  ['myid', 2, 'stale'],
  // Redis 7.2
  ['myshardid', 2, 'stale'],
  ['saveconfig', 2, 'admin,stale,no_async_loading'],
];

const MODULE_SUBS: Row[] = [
  ['help', 2, 'loading,stale'],
  ['loadex', -3, 'admin,noscript,no_async_loading'],
  ['load', -3, 'admin,noscript,no_async_loading'],
  ['list', 2, 'admin,noscript'],
  ['unload', 3, 'admin,noscript,no_async_loading'],
];

function subSpecs(rows: Row[], group: CommandSpec['group'], handler: (name: string) => CommandSpec['handler']): CommandSpec[] {
  return rows.map(([name, arity, flags]) => command({
    name, arity, flags: flags === '' ? [] : (flags.split(',') as CommandFlag[]), firstKey: 0, lastKey: 0, step: 0,
    group, handler: handler(name),
  }));
}

const clusterDisabled = (): never => {
  throw new CommandError(CLUSTER_DISABLED);
};

const cluster = command({
  name: 'cluster', arity: -2, flags: [], firstKey: 0, lastKey: 0, step: 0,
  group: 'cluster',
  subcommands: subSpecs(CLUSTER_SUBS, 'cluster', (name) =>
    name === 'help'
      ? (c) => (clusterOf(c.server) === null ? clusterDisabled() : replyHelp(c, 'cluster', CLUSTER_HELP))
      : (clusterModeHandler(name) ?? clusterDisabled)),
});

const clusterOnly = (name: 'readonly' | 'readwrite' | 'asking', flags: CommandFlag[] = ['loading', 'stale', 'fast']): CommandSpec => command({
  name, arity: 1, flags, firstKey: 0, lastKey: 0, step: 0,
  group: 'cluster', acl: ['@connection'], groupAcl: false, handler: connectionFlag(name),
});

const MODULE_HELP = [
  'LIST',
  '    Return a list of loaded modules.',
  'LOAD <path> [<arg> ...]',
  '    Load a module library from <path>, passing to it any optional arguments.',
  'LOADEX <path> [[CONFIG NAME VALUE] [CONFIG NAME VALUE]] [ARGS ...]',
  '    Load a module library from <path>, while passing it module configurations and optional arguments.',
  'UNLOAD <name>',
  '    Unload a module.',
];

const moduleCmd = command({
  name: 'module', arity: -2, flags: [], firstKey: 0, lastKey: 0, step: 0,
  group: 'server',
  subcommands: subSpecs(MODULE_SUBS, 'server', (name) =>
    name === 'help' ? (c) => replyHelp(c, 'module', MODULE_HELP)
      : name === 'list' ? (c) => c.reply.array(0)
        : () => {
          throw new CommandError(MODULE_NOT_ALLOWED);
        }),
});

/** LOLWUT [VERSION v …]: the art of versions 5 and 6 is not drawn; the version line is Redis's. */
const lolwut = command({
  name: 'lolwut', arity: -1, flags: ['readonly', 'fast'], firstKey: 0, lastKey: 0, step: 0,
  group: 'server',
  handler(c, args) {
    if (args.length >= 3 && args[1]!.toLowerCase() === 'version' && !/^-?\d+$/.test(args[2]!)) throw new CommandError('ERR value is not an integer or out of range');
    c.reply.verbatim(`Redis ver. ${REDIS_VERSION}\n`);
  },
});

export const clusterCommands: CommandSpec[] = [
  cluster, clusterOnly('readonly'), clusterOnly('readwrite'), clusterOnly('asking', ['fast']), moduleCmd, lolwut,
];
