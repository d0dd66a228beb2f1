/**
 * ACL as Redis 7.2 changed it, against recorded 7.4.1 replies
 * (compat/recorded.ts): users keep their command rules as given, in order,
 * a later rule replacing an earlier one for the same command or category
 * (#11224), new users show `sanitize-payload` (#11279), and every denial
 * has one wording: `User <name> has no permissions to run the '<cmd>'
 * command`, `No permissions to access a key|channel` (ACL DRYRUN names
 * the key or channel), in scripts after `ACL failure in script: ` (#11160).
 * Users outlive a case: each case deletes the users it made.
 */
import { recordedSuite } from './recorded.ts';
import type { Script } from './harness.ts';

const HASH = 'a665a45920422f9d417e4867efdc4fb8a04a1f3fff1fa07e998e86f7f7a27ae3';

const listing: Script = [
  ['ACL', 'SETUSER', 'fresh'], ['ACL', 'SETUSER', 'pw', 'on', '>p1', '>p2', '>p1', '<p2', `#${HASH}`, `!${HASH}`],
  ['ACL', 'SETUSER', 'keys', '~k*', '%R~r*', '%W~w*', '%RW~rw*', '%R~k*', '&ch*', '&ch*', 'skip-sanitize-payload'],
  ['ACL', 'SETUSER', 'cmds', '+@all', '-@hash', '-@slow', '+hget', 'allkeys', 'allchannels'],
  ['ACL', 'SETUSER', 'sel', 'on', 'nopass', '+get', '~a*', '(+set ~b* &news)', '(', '+hset', '%R~c*', ')'],
  ['ACL', 'SETUSER', 'redo', 'on', '>x', '~*', '+@all', 'reset'],
  ['ACL', 'SETUSER', 'cleared', '(+get ~x)', 'clearselectors', 'resetchannels', 'nocommands', 'allcommands', '-@dangerous'],
  ['ACL', 'LIST'], ['ACL', 'USERS'],
  ['ACL', 'GETUSER', 'pw'], ['ACL', 'GETUSER', 'keys'], ['ACL', 'GETUSER', 'cmds'],
  ['ACL', 'GETUSER', 'sel'], ['ACL', 'GETUSER', 'default'], ['ACL', 'GETUSER', 'nobody'],
  ['ACL', 'DELUSER', 'fresh', 'pw', 'keys', 'cmds', 'sel', 'redo', 'cleared', 'nobody'], ['ACL', 'USERS'],
];

recordedSuite('v74-acl', {
  'SETUSER rules as LIST, USERS and GETUSER show them': listing,
  'SETUSER rules as LIST, USERS and GETUSER show them (RESP3)': [{ cmd: ['HELLO', '3'], ignore: true }, ...listing],
  'command rules kept in order, a later rule replacing the same command, subcommand or category': [
    ['ACL', 'SETUSER', 'adds', '-@all', '+@read', '+@set', '-smembers', '+config|get', '+client', '-client|kill', '+select|0', '+select|1', '+SELECT|0', '-@admin'],
    ['ACL', 'LIST'], ['ACL', 'GETUSER', 'adds'],
    ['ACL', 'SETUSER', 'a', 'on', 'nopass', '-@all', '+config|get', '+config', '-config|set', '+select|0', '+select|1', '-select', '+acl', '+acl|list', '-acl', '(+get ~x)', '(+@read -@hash %R~r*)'],
    ['ACL', 'GETUSER', 'a'],
    ['ACL', 'SETUSER', 'b', '+@read', '+get', '-@read', '+@READ', '+GET', '+client|LIST', '-client'], ['ACL', 'GETUSER', 'b'],
    ['ACL', 'SETUSER', 'c', 'allcommands', '-@read', 'nocommands', '+get', '+debug|digest'], ['ACL', 'GETUSER', 'c'],
    ['ACL', 'SETUSER', 'd', '+@all', '-@dangerous', '-debug', '+acl|cat', '+get', '-@string', '+set'], ['ACL', 'GETUSER', 'd'],
    ['ACL', 'SETUSER', 'd', 'reset', '+get'], ['ACL', 'SETUSER', 'd', '-@all', '+ping'],
    ['ACL', 'LIST'],
    ['ACL', 'DRYRUN', 'a', 'SET', 'x', 'y'], ['ACL', 'DRYRUN', 'a', 'GET', 'x'], ['ACL', 'DRYRUN', 'a', 'GET', 'r'], ['ACL', 'DRYRUN', 'a', 'HGET', 'r', 'f'],
    ['ACL', 'DELUSER', 'adds', 'a', 'b', 'c', 'd'], ['ACL', 'LIST'],
  ],
  'rule errors leave the user unchanged': [
    ['ACL', 'SETUSER', 'e', 'on', '~a'],
    ['ACL', 'SETUSER', 'e', '+nosuch'], ['ACL', 'SETUSER', 'e', '+@nosuch'], ['ACL', 'SETUSER', 'e', 'bogus'],
    ['ACL', 'SETUSER', 'e', '~a b'], ['ACL', 'SETUSER', 'e', '&a\tb'], ['ACL', 'SETUSER', 'e', '+select|'], ['ACL', 'SETUSER', 'e', '+client|kill|x'],
    ['ACL', 'SETUSER', 'e', '+config|nosuch'], ['ACL', 'SETUSER', 'e', '-config|nosuch'], ['ACL', 'SETUSER', 'e', 'allkeys', '~x'],
    ['ACL', 'SETUSER', 'e', 'allchannels', '&x'], ['ACL', 'SETUSER', 'e', '<notset'], ['ACL', 'SETUSER', 'e', '#short'],
    ['ACL', 'SETUSER', 'e', `#${HASH.toUpperCase()}`], ['ACL', 'SETUSER', 'e', '%X~a'], ['ACL', 'SETUSER', 'e', '%RR~a'],
    ['ACL', 'SETUSER', 'e', '(+get', '~x'], ['ACL', 'SETUSER', 'e', '(+nosuch)'], ['ACL', 'SETUSER', 'e', 'off', '+get', '+nosuch'],
    ['ACL', 'SETUSER', 'has space'], ['ACL', 'SETUSER'], ['ACL', 'GETUSER'], ['ACL', 'DELUSER', 'default'], ['ACL', 'DELUSER', 'e', 'default'],
    ['ACL', 'LIST'], ['ACL', 'DELUSER', 'e'],
    ['ACL', 'NOSUCH'], ['ACL', 'CAT', 'read', 'x'], ['ACL', 'CAT', 'nosuch'], ['ACL', 'GENPASS', '0'], ['ACL', 'GENPASS', '4097'],
    ['ACL', 'GENPASS', 'x'], ['ACL', 'LOG', 'x'], ['ACL', 'LOG', '1', '2'], ['ACL', 'LOAD'], ['ACL', 'SAVE'], ['ACL', 'WHOAMI', 'x'],
  ],
  'DRYRUN': [
    ['ACL', 'SETUSER', 'd', 'on', 'nopass', '+get', '+set', '+config|get', '+publish', '+subscribe', '~k*', '%R~r*', '&ch'],
    ['ACL', 'DRYRUN', 'd', 'GET', 'k1'], ['ACL', 'DRYRUN', 'd', 'GET', 'x'], ['ACL', 'DRYRUN', 'd', 'GET', 'r1'], ['ACL', 'DRYRUN', 'd', 'SET', 'r1', 'v'],
    ['ACL', 'DRYRUN', 'd', 'DEL', 'k1'], ['ACL', 'DRYRUN', 'd', 'CONFIG', 'GET', 'x'], ['ACL', 'DRYRUN', 'd', 'CONFIG', 'SET', 'x', 'y'],
    ['ACL', 'DRYRUN', 'd', 'PUBLISH', 'ch', 'm'], ['ACL', 'DRYRUN', 'd', 'PUBLISH', 'other', 'm'], ['ACL', 'DRYRUN', 'd', 'SUBSCRIBE', 'ch', 'other'],
    ['ACL', 'DRYRUN', 'd', 'GET'], ['ACL', 'DRYRUN', 'd', 'NOSUCH', 'x'], ['ACL', 'DRYRUN', 'nobody', 'GET', 'x'],
    ['ACL', 'DRYRUN', 'd', 'MIGRATE', 'h', '1', '', '0', '5000', 'AUTH', 'KEYS', 'KEYS', 'k1'], ['ACL', 'DRYRUN', 'd', 'MIGRATE', 'h', '1', '', '0', '5000', 'KEYS', 'k1', 'x'],
    ['ACL', 'DRYRUN', 'd', 'EVAL', 'return 1', '1', 'x'],
    ['ACL', 'DELUSER', 'd'],
  ],
  'AUTH, NOPERM for commands, keys and channels, scripts and transactions': [
    ['ACL', 'SETUSER', 'bob', 'on', '>123', '+@scripting', '+set', '+get', '+multi', '+exec', '+publish', '~x*', '&news'],
    ['AUTH', 'bob', 'nope'], ['AUTH', 'nobody', 'x'], ['AUTH', 'bob', '123'], ['ACL', 'WHOAMI'],
    ['SET', 'xa', '1'], ['SET', 'ya', '1'], ['GET', 'ya'], ['HSET', 'xa', 'f', 'v'], ['PUBLISH', 'news', 'm'], ['PUBLISH', 'sport', 'm'],
    ['EVAL', "return redis.acl_check_cmd('set','xx',1)", '1', 'xx'], ['EVAL', "return redis.acl_check_cmd('hset','xx','f',1)", '1', 'xx'],
    ['EVAL', "return redis.acl_check_cmd('set','yy',1)", '0'], ['EVAL', "return redis.acl_check_cmd('invalid-cmd','arg')", '0'],
    ['EVAL', "return redis.call('set','yy',1)", '0'], ['EVAL', "return redis.call('hset','xx','f',1)", '0'], ['EVAL', "return redis.pcall('get','xy')", '0'],
    ['EVAL', "return redis.call('publish','sport','m')", '0'], ['EVAL', "return redis.pcall('publish','sport','m')", '0'],
    ['MULTI'], ['SET', 'xb', '1'], ['SET', 'yb', '1'], ['EXEC'],
    ['MULTI'], ['SET', 'xb', '1'], ['HSET', 'xc', 'f', 'v'], ['PUBLISH', 'sport', 'm'], ['EXEC'],
    ['AUTH', 'default', 'anything'], ['ACL', 'WHOAMI'], ['AUTH', 'x'],
    ['ACL', 'SETUSER', 'bob', 'off'], ['AUTH', 'bob', '123'], ['ACL', 'DELUSER', 'bob'],
  ],
  'ACL LOG denials: the NOPERM replies': [
    ['ACL', 'SETUSER', 'lg', 'on', 'nopass', '+get', '+acl', '~k'], ['AUTH', 'lg', 'x'],
    ['GET', 'other'], ['GET', 'other'], ['SET', 'k', 'v'], ['AUTH', 'nobody', 'x'], ['AUTH', 'default', 'x'], ['ACL', 'DELUSER', 'lg'],
  ],
});
