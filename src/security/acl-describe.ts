/**
 * Users and selectors back as rule strings, in Redis's form (ACL LIST,
 * ACL GETUSER, ACL SAVE): the command rules are +@all or -@all followed by
 * the command and category rules as they were given (Redis 7.2 keeps them
 * instead of recomputing a minimal set, #11224).
 */
import type { AclTable } from './acl-table.ts';
import { PERM_ALL, PERM_READ, type Selector, type KeyPattern } from './acl-selector.ts';
import { USER_FLAGS, rateRules, type User } from './acl-user.ts';

export function patternString(p: KeyPattern): string {
  return (p.flags === PERM_ALL ? '~' : p.flags === PERM_READ ? '%R~' : '%W~') + p.pattern;
}

export function describeCommandRules(table: AclTable, sel: Selector): string {
  const base = sel.allowed[table.futureId] === 1 ? '+@all' : '-@all';
  return sel.commandRules.length === 0 ? base : `${base} ${sel.commandRules.join(' ')}`;
}

/** Keys, channels and commands of one selector, as ACL LIST shows them. */
export function describeSelector(table: AclTable, sel: Selector): string {
  let res = '';
  if (sel.allKeys) res += '~* ';
  else for (const p of sel.patterns) res += patternString(p) + ' ';
  if (sel.allChannels) res += '&* ';
  else {
    res += 'resetchannels ';
    for (const ch of sel.channels) res += '&' + ch + ' ';
  }
  return res + describeCommandRules(table, sel);
}

/** A user's whole rule string (flags, password hashes, root selector, other selectors in parentheses). */
export function describeUser(table: AclTable, u: User): string {
  if (u.described !== null) return u.described;
  let res = '';
  for (const f of USER_FLAGS) if (u.flags.has(f)) res += f + ' ';
  for (const h of u.passwords) res += '#' + h + ' ';
  for (const s of u.selectors) {
    const d = describeSelector(table, s);
    res += s.root ? d : ` (${d})`;
  }
  // shardis's rate limits come last, and only when set (a user without any reads as in Redis)
  const rate = rateRules(u);
  if (rate !== '') res += ' ' + rate;
  u.described = res;
  return res;
}
