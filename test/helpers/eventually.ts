import assert from 'node:assert/strict';

/** Waits until `ok` holds (polled every 20 ms, 5 s at most), else fails naming `what`. */
export async function eventually(ok: () => boolean | Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 250; i++) {
    if (await ok()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  assert.fail(`never: ${what}`);
}

/** Retries `check` (its assertions) every 50 ms for up to `ms`, then throws its last failure. */
export async function untilChecked(check: () => Promise<void>, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  for (;;) {
    try {
      return await check();
    } catch (e) {
      if (Date.now() > end) throw e;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}
