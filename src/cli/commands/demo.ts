import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import type { CliContext } from '../main.ts';

/** Registers `faultline demo`. */
export function registerDemo(program: Command, context: CliContext): void {
  program
    .command('demo')
    .description('run the demo against the bundled example and print a summary')
    .action(() => {
      const script = fileURLToPath(new URL('../../../examples/quickstart.ts', import.meta.url));
      const result = spawnSync(process.execPath, [script], { stdio: 'inherit' });
      context.exitCode = result.status ?? 1;
    });
}
