/**
 * A campaign of 10,000 runs (1,000 of each of the ten built-in scenarios) against the e-commerce
 * example in virtual time, side by side with a bare baseline: the same number of runs of the same
 * workflow with no chaos, no campaign and no metrics, on one virtual clock. Target: the campaign
 * in < 10 s on a 2-core machine. Also prints how long the same runs would take in real time (the
 * sum of their durations on the virtual clock), so the speed-up is a ratio measured in one run.
 *
 *   npm run bench -- campaign
 */
import { createRandom, realClock, VirtualClock } from '../src/core/index.ts';
import {
  describeCampaign,
  formatCampaignTable,
  runCampaign,
} from '../src/experiments/campaign/index.ts';
import { formatDuration } from '../src/experiments/scenarios/index.ts';
import { createEcommerceWorkflow, sampleProductInput } from '../examples/ecommerce/index.ts';

const runsPerScenario = 1_000;
const targetMs = 10_000;

/** Plain runs of the workflow, no faults: what the campaign machinery adds to. */
async function baseline(
  runs: number,
  concurrency: number,
): Promise<{ wallMs: number; virtualMs: number }> {
  const workflow = createEcommerceWorkflow();
  const clock = new VirtualClock();
  let next = 0;
  let virtualMs = 0;
  const worker = async (): Promise<void> => {
    while (next < runs) {
      const random = createRandom(`baseline-${next++}`);
      const result = await workflow.run(sampleProductInput(random.fork('input')), {
        clock,
        random,
      });
      virtualMs += result.durationMs;
    }
  };
  const start = realClock.now();
  await clock.run(Promise.all(Array.from({ length: concurrency }, worker)));
  return { wallMs: realClock.now() - start, virtualMs };
}

/** Runs the campaign and returns its throughput and speed-up. */
export async function main(): Promise<{ runsPerSecond: number; wallMs: number; speedUp: number }> {
  const concurrency = 4;
  const runs = runsPerScenario * 10;
  // Warm up the JIT on a small campaign first (not counted).
  const workflow = createEcommerceWorkflow();
  const input = (random: Parameters<typeof sampleProductInput>[0]) => sampleProductInput(random);
  await runCampaign({ workflow, input, runsPerScenario: 20, seed: 'warm-up', concurrency });

  const bare = await baseline(runs, concurrency);
  const result = await runCampaign({
    workflow,
    input,
    runsPerScenario,
    seed: 'bench',
    concurrency,
    name: 'campaign-bench',
  });
  const runsPerSecond = (result.runs / result.wallMs) * 1_000;
  const speedUp = result.virtualMs / result.wallMs;

  console.log('\n## campaign of the ten scenarios, virtual time\n');
  console.log(formatCampaignTable(result));
  console.log(describeCampaign(result));
  console.log('');
  console.log(
    `bare workflow, no chaos, no campaign ${String(runs).padStart(6)} runs  ${formatDuration(bare.wallMs).padStart(8)}  ${Math.round(
      (runs / bare.wallMs) * 1_000,
    )
      .toLocaleString('en-US')
      .padStart(6)} runs/s`,
  );
  console.log(
    `campaign (10 scenarios, metrics)      ${String(result.runs).padStart(6)} runs  ${formatDuration(result.wallMs).padStart(8)}  ${Math.round(
      runsPerSecond,
    )
      .toLocaleString('en-US')
      .padStart(6)} runs/s  (${(result.wallMs / bare.wallMs).toFixed(2)}× the bare time)`,
  );
  console.log(
    `the same runs in real time: ${formatDuration(result.virtualMs)} (sum of run durations) -> speed-up ×${Math.round(speedUp).toLocaleString('en-US')}`,
  );
  console.log(
    `target: ${result.runs.toLocaleString('en-US')} runs in < ${formatDuration(targetMs)}: ${result.wallMs < targetMs ? 'met' : 'MISSED'}; every hypothesis held: ${result.passed ? 'yes' : 'NO'}`,
  );
  return { runsPerSecond, wallMs: result.wallMs, speedUp };
}

if (import.meta.main) await main();
