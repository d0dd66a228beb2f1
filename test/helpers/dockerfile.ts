/** A Dockerfile read into its instructions (enough of the syntax for shardis's own: continuations, exec and shell forms). */
import { readFileSync } from 'node:fs';

export interface Instruction {
  /** Upper-case keyword: FROM, RUN, COPY, CMD … */
  op: string;
  /** The text after the keyword, continuation lines joined. */
  text: string;
  /** The exec form's words (`["a", "b"]`), else null. */
  exec: string[] | null;
  /** Index of the stage (FROM) it belongs to. */
  stage: number;
}

export function readDockerfile(path: string): Instruction[] {
  const out: Instruction[] = [];
  let stage = -1;
  let pending = '';
  for (const raw of readFileSync(path, 'utf8').split('\n')) {
    const line = raw.trim();
    if (pending === '' && (line === '' || line.startsWith('#'))) continue;
    if (line.startsWith('#')) continue;
    if (line.endsWith('\\')) {
      pending += line.slice(0, -1).trimEnd() + ' ';
      continue;
    }
    const full = (pending + line).trim();
    pending = '';
    const sp = full.indexOf(' ');
    const op = full.slice(0, sp).toUpperCase();
    const text = full.slice(sp + 1).trim();
    if (op === 'FROM') stage++;
    out.push({ op, text, exec: execForm(text), stage });
  }
  return out;
}

/** `["node", "x"]` (after any `--flag=value` options, as HEALTHCHECK's `CMD [...]`) → its words. */
export function execForm(text: string): string[] | null {
  const at = text.indexOf('[');
  if (at < 0 || !text.endsWith(']')) return null;
  try {
    const words = JSON.parse(text.slice(at)) as unknown;
    return Array.isArray(words) && words.every((w) => typeof w === 'string') ? words : null;
  } catch {
    return null;
  }
}

/** The instructions of the last stage (the image that runs). */
export function finalStage(instrs: Instruction[]): Instruction[] {
  const last = Math.max(...instrs.map((i) => i.stage));
  return instrs.filter((i) => i.stage === last);
}
