import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isInvalidOptionError, VirtualClock } from '../../core/index.ts';
import {
  createEcommerceWorkflow,
  sampleProductInput,
  type EcommerceRunResult,
} from '../../../examples/ecommerce/index.ts';
import { builtinScenarios } from '../scenarios/index.ts';
import { parseRunSeed, runSeed, type RunOutcome } from './execute-run.ts';
import { replayRun } from './replay.ts';
import { runCampaign } from './run-campaign.ts';

const workflow = createEcommerceWorkflow();
const input = (random: Parameters<typeof sampleProductInput>[0]) => sampleProductInput(random);

describe('replayRun', () => {
  it('reproduces every run of a campaign byte for byte, from its seed alone', async () => {
    const runs: RunOutcome<EcommerceRunResult>[] = [];
    // The campaign's clock starts at the wall-clock time; the replay's at 0; concurrency 8.
    await runCampaign({
      workflow,
      input,
      runsPerScenario: 2,
      seed: 'replay-me',
      concurrency: 8,
      onRun: (o) => runs.push(o),
    });
    expect(runs).toHaveLength(20);
    for (const run of runs) {
      const again = await replayRun({
        scenario: run.scenario.name,
        seed: run.seed,
        workflow,
        input,
      });
      const journal = run.journal();
      expect(again.journal()).toBe(journal);
      expect(again.lines).toEqual(run.lines);
      // The same output, but for the one absolute time in it (the campaign's send time).
      const output = (r: RunOutcome<EcommerceRunResult>) => {
        const o = r.observed.result.output;
        return o === undefined
          ? undefined
          : { ...o, sendAt: o.sendAt - r.observed.result.startedAt };
      };
      expect(output(again)).toEqual(output(run));
      expect(again.index).toBe(run.index);
      // The journal holds both the injections and the agent events.
      expect(journal).toContain('"type":"injection"');
      expect(journal).toContain('"type":"run-started"');
      expect(journal).not.toMatch(/"time":\d{13}/);
    }
  });

  it('is independent of the clock it runs on, and differs between seeds', async () => {
    const seed = runSeed(3, 'CascadeFailure', 1);
    const a = await replayRun({ scenario: 'cascade-failure', seed, workflow, input });
    const b = await replayRun({
      scenario: 'CascadeFailure',
      seed,
      workflow,
      input,
      clock: new VirtualClock({ start: 1_764_000_000_123 }),
    });
    expect(b.journal()).toBe(a.journal());
    const other = await replayRun({
      scenario: 'CascadeFailure',
      seed: runSeed(3, 'CascadeFailure', 2),
      workflow,
      input,
    });
    expect(other.journal()).not.toBe(a.journal());
  });

  it('rejects an unknown scenario or an empty seed', async () => {
    const unknown: unknown = await replayRun({
      scenario: 'Gremlins',
      seed: 'x',
      workflow,
      input,
    }).catch((e: unknown) => e);
    expect(isInvalidOptionError(unknown)).toBe(true);
    expect((unknown as Error).message).toContain(
      "replayRun: option 'scenario' must be one of ProductCrashMidUpload, MarketingTimeout",
    );
    const empty: unknown = await replayRun({
      scenario: 'ToolServerDown',
      seed: '',
      workflow,
      input,
    }).catch((e: unknown) => e);
    expect((empty as Error).message).toBe(
      'replayRun: option \'seed\' must be a non-empty string (a run seed), got ""',
    );
  });
});

describe('run seeds', () => {
  it('round-trip through parseRunSeed', () => {
    fc.assert(
      fc.property(
        fc.string(),
        fc.constantFrom(...builtinScenarios.map((s) => s.name)),
        fc.nat(),
        (campaignSeed, scenario, index) => {
          expect(parseRunSeed(runSeed(campaignSeed, scenario, index))).toEqual({
            campaignSeed,
            scenario,
            index,
          });
        },
      ),
    );
    expect(runSeed(42, 'ToolServerDown', 17)).toBe('42-ToolServerDown-17');
    expect(parseRunSeed('not a run seed')).toBeUndefined();
  });
});
