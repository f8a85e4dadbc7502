/**
 * Runs the benchmarks named on the command line (all when none is named):
 *
 *   npm run bench                # every benchmark
 *   npm run bench -- policies    # bench/policies.bench.ts only
 */
import { readdirSync } from 'node:fs';

const wanted = process.argv.slice(2);
const files = readdirSync(import.meta.dirname)
  .filter((file) => file.endsWith('.bench.ts'))
  .filter((file) => wanted.length === 0 || wanted.includes(file.replace('.bench.ts', '')))
  .sort();
if (files.length === 0) {
  console.error(
    `No benchmark named ${wanted.join(', ')}; try one of: ${readdirSync(import.meta.dirname)
      .filter((f) => f.endsWith('.bench.ts'))
      .map((f) => f.replace('.bench.ts', ''))
      .join(', ')}`,
  );
  process.exit(2);
}
for (const file of files) {
  console.log(`\n# ${file}`);
  const module = (await import(`./${file}`)) as { main: () => Promise<unknown> };
  await module.main();
}
