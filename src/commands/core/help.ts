/** Redis's addReplyHelp: a container's HELP reply. */
import type { Client } from '../../server/client.ts';

/** A header naming the command as typed (upper-cased), the lines, then HELP itself. */
export function replyHelp(c: Client, container: string, lines: readonly string[]): void {
  const r = c.reply;
  r.array(lines.length + 3);
  r.simple(`${container.toUpperCase()} <subcommand> [<arg> [value] [opt] ...]. Subcommands are:`);
  for (const l of lines) r.simple(l);
  r.simple('HELP');
  r.simple('    Print this help.');
}
