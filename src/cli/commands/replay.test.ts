import { describe, expect, it } from 'vitest';
import { main, type CliIo } from '../main.ts';

function capture(): CliIo & { out: () => string; err: () => string } {
  let out = '';
  let err = '';
  return {
    stdout: (text) => (out += text),
    stderr: (text) => (err += text),
    isTty: false,
    out: () => out,
    err: () => err,
  };
}

describe('faultline replay', () => {
  it('replays one run: its journal, then expected vs actual, exit 0 when every line holds', async () => {
    const io = capture();
    expect(await main(['replay', 'ToolServerDown', '--seed', '42-ToolServerDown-0'], io)).toBe(0);
    const text = io.out();
    expect(text).toContain('Replaying ToolServerDown (The upload tool’s server is down for 60 s)');
    expect(text).toContain('"type":"injection"');
    expect(text).toContain('"type":"run-failed"');
    expect(text).toMatch(/PASS {2}Retries\s+expected 3 with backoff per failure; actual 3 \(waits/);
    expect(text).toContain("Run failed (ToolUnavailableError: tool 'upload-image' unavailable");
    expect(text).toContain('every expectation held');

    // The same seed prints the same journal.
    const again = capture();
    await main(['replay', 'tool-server-down', '--seed', '42-ToolServerDown-0'], again);
    expect(again.out()).toBe(text);
  });

  it('infers the scenario from the seed, and can leave the journal out', async () => {
    const io = capture();
    expect(await main(['replay', '--seed', '9-AgentLoop-3', '--no-journal'], io)).toBe(0);
    expect(io.out()).toContain('Replaying AgentLoop');
    expect(io.out()).not.toContain('"type":');
    expect(io.out()).toContain('PASS  Loop stopped');
  });

  it('exits 1 with FAIL lines when the run breaks its expectations', async () => {
    const io = capture();
    expect(
      await main(
        ['replay', 'PartialOrchestrationFailure', '--seed', '1', '--no-resilience', '--no-journal'],
        io,
      ),
    ).toBe(1);
    expect(io.out()).toMatch(/FAIL {2}Restarts of the marketing agent\s+expected 3; actual 0/);
    expect(io.out()).toContain('an expectation failed');
  });

  it('prints JSON', async () => {
    const io = capture();
    expect(await main(['replay', 'HandoffCorruption', '--seed', 's-1', '--json'], io)).toBe(0);
    const parsed = JSON.parse(io.out()) as {
      scenario: string;
      passed: boolean;
      journal: { type: string }[];
      expectations: { id: string; passed: boolean }[];
    };
    expect(parsed).toMatchObject({ scenario: 'HandoffCorruption', passed: true });
    expect(parsed.journal[0]?.type).toBe('start');
    expect(parsed.expectations.map((e) => e.id)).toContain('peer-context');
  });

  it('answers a missing seed or an unknown scenario with one line, exit 2', async () => {
    const none = capture();
    expect(await main(['replay', 'ToolServerDown'], none)).toBe(2);
    expect(none.err()).toContain('faultline: --seed is required');
    const unknown = capture();
    expect(await main(['replay', 'Gremlins', '--seed', '1'], unknown)).toBe(2);
    expect(unknown.err()).toContain('faultline: unknown scenario "Gremlins"');
    expect(unknown.err()).toContain('hint: one of ProductCrashMidUpload');
    const unnamed = capture();
    expect(await main(['replay', '--seed', '1'], unnamed)).toBe(2);
    expect(unnamed.err()).toContain('replay needs a scenario');
  });
});
