/**
 * Users and selectors back as rule strings, in Redis's form (ACL LIST,
 * ACL GETUSER, ACL SAVE): the command rules start from +@all or -@all,
 * then the best-fitting categories one at a time, then single commands
 * for what is left — the same greedy search as ACLDescribeSelectorCommandRules.
 */
import { ACL_CATEGORIES, type AclTable } from './acl-table.ts';
import { PERM_ALL, PERM_READ, Selector, type KeyPattern } from './acl-selector.ts';
import { USER_FLAGS, type User } from './acl-user.ts';

export function patternString(p: KeyPattern): string {
  return (p.flags === PERM_ALL ? '~' : p.flags === PERM_READ ? '%R~' : '%W~') + p.pattern;
}

export function describeCommandRules(table: AclTable, sel: Selector): string {
  const rules: string[] = [];
  const fake = new Selector(table, false, false);
  const additive = sel.allowed[table.futureId] !== 1;
  rules.push(additive ? '-@all' : '+@all');
  fake.apply(table, rules[0]!);
  // a scratch copy of the bitmap: applied categories are flipped back in it so they aren't counted again
  const temp = new Selector(table, false, false);
  temp.allowed.set(sel.allowed);
  const applied = new Set<string>();
  for (;;) {
    let best: string | null = null;
    let mindiff = Number.MAX_SAFE_INTEGER;
    let maxsame = 0;
    for (const cat of ACL_CATEGORIES) {
      if (applied.has(cat)) continue;
      let on = 0;
      let off = 0;
      for (const cmd of table.category(cat)!) {
        if (temp.allowed[table.id(cmd)] === 1) on++;
        else off++;
      }
      const diff = additive ? off : on;
      const same = additive ? on : off;
      if (same > diff && (diff < mindiff || (diff === mindiff && same > maxsame))) {
        best = cat;
        mindiff = diff;
        maxsame = same;
      }
    }
    if (best === null) break;
    const members = table.category(best)!;
    fake.changeCategory(table, members, additive);
    temp.changeCategory(table, members, !additive);
    rules.push((additive ? '+@' : '-@') + best);
    applied.add(best);
  }
  // single commands where the approximation still differs
  for (const cmd of table.all) {
    const id = table.id(cmd);
    const bit = sel.allowed[id] === 1;
    if ((fake.allowed[id] === 1) !== bit) {
      rules.push((bit ? '+' : '-') + cmd.fullName);
      fake.changePerm(table, cmd, bit);
    }
    const firsts = sel.firstArgs?.get(id);
    if (!bit && firsts) for (const a of firsts) rules.push(`+${cmd.fullName}|${a}`);
  }
  return rules.join(' ');
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
  u.described = res;
  return res;
}
