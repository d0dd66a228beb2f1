#!/usr/bin/env -S node --max-semi-space-size=2
// --max-semi-space-size: a 2 MB young generation instead of up to 32 MB (README, "Memory").
// Runs the compiled server when installed as a package, the TypeScript source in a checkout.
import { existsSync } from 'node:fs';
const dist = new URL('../dist/main.js', import.meta.url);
await import(existsSync(dist) ? dist.href : new URL('../src/main.ts', import.meta.url).href);
