/**
 * The CLUSTER command's specs and READONLY / READWRITE / ASKING (their
 * cluster-mode handlers are in cluster-cmds.ts; without cluster-enabled
 * they answer as Redis 7.0 with cluster support disabled), MODULE (no
 * modules can be loaded into a JavaScript server) and LOLWUT.
 */
import { command, type CommandFlag, type CommandSpec } from '../core/spec.ts';
import { CommandError } from '../core/errors.ts';
import { replyHelp } from '../connection/client-cmd.ts';
import { REDIS_VERSION } from '../../server/version.ts';
import { CLUSTER_HELP, clusterModeHandler, connectionFlag } from './cluster-cmds.ts';
import { clusterOf } from '../../cluster/mode.ts';

const CLUSTER_DISABLED = 'ERR This instance has cluster support disabled';
const MODULE_NOT_ALLOWED = 'ERR MODULE command not allowed. If the enable-module-command option is set to "local", you can run it from a local connection, otherwise you need to set this option in the configuration file, and then restart the server.';

type Row = [name: string, arity: number, flags: string, since: string, summary: string, complexity: string];

/** CLUSTER subcommands of Redis 7.0: name, arity, flags, since, summary, complexity. */
const CLUSTER_SUBS: Row[] = [
  ['help', 2, 'loading,stale', '5.0.0', 'Show helpful text about the different subcommands', 'O(1)'],
  ['links', 2, 'stale', '7.0.0', 'Returns a list of all TCP links to and from peer nodes in cluster', 'O(N) where N is the total number of Cluster nodes'],
  ['countkeysinslot', 3, 'stale', '3.0.0', 'Return the number of local keys in the specified hash slot', 'O(1)'],
  ['addslots', -3, 'admin,stale,no_async_loading', '3.0.0', 'Assign new hash slots to receiving node', 'O(N) where N is the total number of hash slot arguments'],
  ['replicate', 3, 'admin,stale,no_async_loading', '3.0.0', 'Reconfigure a node as a replica of the specified master node', 'O(1)'],
  ['bumpepoch', 2, 'admin,stale,no_async_loading', '3.0.0', 'Advance the cluster config epoch', 'O(1)'],
  ['shards', 2, 'stale', '7.0.0', 'Get array of cluster slots to node mappings', 'O(N) where N is the total number of cluster nodes'],
  ['setslot', -4, 'admin,stale,no_async_loading', '3.0.0', 'Bind a hash slot to a specific node', 'O(1)'],
  ['slaves', 3, 'admin,stale', '3.0.0', 'List replica nodes of the specified master node', 'O(1)'],
  ['failover', -2, 'admin,stale,no_async_loading', '3.0.0', 'Forces a replica to perform a manual failover of its master.', 'O(1)'],
  ['count-failure-reports', 3, 'admin,stale', '3.0.0', 'Return the number of failure reports active for a given node', 'O(N) where N is the number of failure reports'],
  ['forget', 3, 'admin,stale,no_async_loading', '3.0.0', 'Remove a node from the nodes table', 'O(1)'],
  ['keyslot', 3, 'stale', '3.0.0', 'Returns the hash slot of the specified key', 'O(N) where N is the number of bytes in the key'],
  ['addslotsrange', -4, 'admin,stale,no_async_loading', '7.0.0', 'Assign new hash slots to receiving node', 'O(N) where N is the total number of the slots between the start slot and end slot arguments.'],
  ['slots', 2, 'stale', '3.0.0', 'Get array of Cluster slot to node mappings', 'O(N) where N is the total number of Cluster nodes'],
  ['delslotsrange', -4, 'admin,stale,no_async_loading', '7.0.0', 'Set hash slots as unbound in receiving node', 'O(N) where N is the total number of the slots between the start slot and end slot arguments.'],
  ['set-config-epoch', 3, 'admin,stale,no_async_loading', '3.0.0', 'Set the configuration epoch in a new node', 'O(1)'],
  ['info', 2, 'stale', '3.0.0', 'Provides info about Redis Cluster node state', 'O(1)'],
  ['reset', -2, 'admin,noscript,stale', '3.0.0', 'Reset a Redis Cluster node', 'O(N) where N is the number of known nodes. The command may execute a FLUSHALL as a side effect.'],
  ['replicas', 3, 'admin,stale', '5.0.0', 'List replica nodes of the specified master node', 'O(1)'],
  ['flushslots', 2, 'admin,stale,no_async_loading', '3.0.0', "Delete a node's own slots information", 'O(1)'],
  ['meet', -4, 'admin,stale,no_async_loading', '3.0.0', 'Force a node cluster to handshake with another node', 'O(1)'],
  ['getkeysinslot', 4, 'stale', '3.0.0', 'Return local key names in the specified hash slot', 'O(log(N)) where N is the number of requested keys'],
  ['delslots', -3, 'admin,stale,no_async_loading', '3.0.0', 'Set hash slots as unbound in receiving node', 'O(N) where N is the total number of hash slot arguments'],
  ['nodes', 2, 'stale', '3.0.0', 'Get Cluster config for the node', 'O(N) where N is the total number of Cluster nodes'],
  ['myid', 2, 'stale', '3.0.0', 'Return the node id', 'O(1)'],
  // Redis 7.2
  ['myshardid', 2, 'stale', '7.2.0', 'Returns the shard ID of a node.', 'O(1)'],
  ['saveconfig', 2, 'admin,stale,no_async_loading', '3.0.0', 'Forces the node to save cluster state on disk', 'O(1)'],
];

const MODULE_SUBS: Row[] = [
  ['help', 2, 'loading,stale', '5.0.0', 'Show helpful text about the different subcommands', 'O(1)'],
  ['loadex', -3, 'admin,noscript,no_async_loading', '7.0.0', 'Load a module with extended parameters', 'O(1)'],
  ['load', -3, 'admin,noscript,no_async_loading', '4.0.0', 'Load a module', 'O(1)'],
  ['list', 2, 'admin,noscript', '4.0.0', 'List all modules loaded by the server', 'O(N) where N is the number of loaded modules.'],
  ['unload', 3, 'admin,noscript,no_async_loading', '4.0.0', 'Unload a module', 'O(1)'],
];

function subSpecs(rows: Row[], group: CommandSpec['group'], handler: (name: string) => CommandSpec['handler']): CommandSpec[] {
  return rows.map(([name, arity, flags, since, summary, complexity]) => command({
    name, arity, flags: flags === '' ? [] : (flags.split(',') as CommandFlag[]), firstKey: 0, lastKey: 0, step: 0,
    group, since, summary, complexity, handler: handler(name),
  }));
}

const clusterDisabled = (): never => {
  throw new CommandError(CLUSTER_DISABLED);
};

const cluster = command({
  name: 'cluster', arity: -2, flags: [], firstKey: 0, lastKey: 0, step: 0,
  group: 'cluster', since: '3.0.0', summary: 'A container for cluster commands', complexity: 'Depends on subcommand.',
  subcommands: subSpecs(CLUSTER_SUBS, 'cluster', (name) =>
    name === 'help'
      ? (c) => (clusterOf(c.server) === null ? clusterDisabled() : replyHelp(c, 'cluster', CLUSTER_HELP))
      : (clusterModeHandler(name) ?? clusterDisabled)),
});

const clusterOnly = (name: 'readonly' | 'readwrite' | 'asking', summary: string, flags: CommandFlag[] = ['loading', 'stale', 'fast']): CommandSpec => command({
  name, arity: 1, flags, firstKey: 0, lastKey: 0, step: 0,
  group: 'cluster', since: '3.0.0', summary, complexity: 'O(1)', acl: ['@connection'], groupAcl: false, handler: connectionFlag(name),
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
  group: 'server', since: '4.0.0', summary: 'A container for module commands', complexity: 'Depends on subcommand.',
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
  group: 'server', since: '5.0.0', summary: 'Display some computer art and the Redis version', complexity: '',
  handler(c, args) {
    if (args.length >= 3 && args[1]!.toLowerCase() === 'version' && !/^-?\d+$/.test(args[2]!)) throw new CommandError('ERR value is not an integer or out of range');
    c.reply.verbatim(`Redis ver. ${REDIS_VERSION}\n`);
  },
});

export const clusterCommands: CommandSpec[] = [
  cluster, clusterOnly('readonly', 'Enables read queries for a connection to a cluster replica node'),
  clusterOnly('readwrite', 'Disables read queries for a connection to a cluster replica node'),
  clusterOnly('asking', 'Sent by cluster clients after an -ASK redirect', ['fast']), moduleCmd, lolwut,
];
