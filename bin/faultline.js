#!/usr/bin/env node
// Entry point of the `faultline` command: the compiled CLI when installed from npm, the
// TypeScript sources (run by Node's type stripping) inside the repository.
import { existsSync } from 'node:fs';

const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 18)) {
  process.stderr.write(`faultline needs Node.js 22.18 or newer; this is ${process.version}.\n`);
  process.exit(2);
}
const compiled = new URL('../dist/cli/main.js', import.meta.url);
const entry = existsSync(compiled) ? compiled : new URL('../src/cli/main.ts', import.meta.url);
const { runAsProcess } = await import(entry.href);
await runAsProcess(process.argv.slice(2));
