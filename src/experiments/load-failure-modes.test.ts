import { describe, expect, test } from 'vitest';
import { isExperimentFileError } from './experiment-file-error.ts';
import { loadFailureModes, parseFailureModes } from './load-failure-modes.ts';

const entry = `  - id: TF-001
    title: Tool server down
    description: The upload tool's server refuses connections.
    likelihood: likely
    impact: 4
    detection: Connection errors.
`;

function problems(text: string): string[] {
  try {
    parseFailureModes(text, 'modes.yaml');
  } catch (error) {
    if (isExperimentFileError(error)) return error.message.split('\n');
    throw error;
  }
  throw new Error('expected the catalog to be rejected');
}

describe('parseFailureModes', () => {
  test('reads entries, with the category from the ID prefix and words for the scales', () => {
    const catalog = parseFailureModes(
      `failureModes:\n${entry}    handling: Retry 3 times.\n    symptoms: [Unpublished products]\n    matches: { experiments: [tool-server-down], faultKinds: [NETWORK, delay] }\n`,
      'modes.yaml',
    );
    expect(catalog).toEqual({
      title: 'Failure-mode catalog',
      system: undefined,
      failureModes: [
        {
          id: 'TF-001',
          category: 'tool',
          title: 'Tool server down',
          description: "The upload tool's server refuses connections.",
          likelihood: 4,
          impact: 4,
          detection: 'Connection errors.',
          handling: 'Retry 3 times.',
          symptoms: ['Unpublished products'],
          matches: {
            experiments: ['tool-server-down'],
            scenarios: [],
            faultKinds: ['network', 'latency'],
          },
        },
      ],
    });
  });

  test('reports every problem with its line, column and a did-you-mean', () => {
    expect(
      problems(`title: Shop
failureModes:
${entry}  - id: XF-1
    category: ai
    title: Model slow
    description: Slow.
    likelihood: sometimes
    impact: 6
    detection: Timeouts.
    symtoms: [slow]
  - id: AF-002
    category: tool
    title: Loop
    description: Loops.
    likelihood: 2
    impact: minor
    detection: Loop guard.
    matches: { faultKinds: [hallucinaton] }
${entry}`),
    ).toEqual([
      'Invalid failure-mode catalog modes.yaml (7 problems):',
      '  modes.yaml:9:9: failureModes[1].id: expected an id like TF-001: TF- tool, AF- AI, OF- orchestration, RF- resource, EF- external, then a number, got "XF-1"',
      "  modes.yaml:13:17: failureModes[1].likelihood: expected 1 to 5, or one of 'rare', 'unlikely', 'possible', 'likely', 'almost-certain', got \"sometimes\"",
      "  modes.yaml:14:13: failureModes[1].impact: expected 1 to 5, or one of 'negligible', 'minor', 'moderate', 'major', 'severe', got 6",
      "  modes.yaml:16:5: failureModes[1].symtoms: unknown key; did you mean 'symptoms'? (known keys: id, category, title, description, likelihood, impact, detection, handling, symptoms, matches)",
      '  modes.yaml:18:15: failureModes[2].category: expected \'ai\' (the category of a AF- id), or an id starting with TF-, got "tool"',
      "  modes.yaml:24:29: failureModes[2].matches.faultKinds[0]: expected a fault kind: one of 'crash', 'latency', 'hang', 'error', 'hallucination', 'corruption', 'network', 'disk', 'memory', 'process', 'cpu', 'mcp-tool-error', 'mcp-rpc-error', 'mcp-malformed', 'mcp-tools-list', 'mcp-unavailable', 'mcp-crash', 'mcp-disconnect', got \"hallucinaton\"; did you mean 'hallucination'?",
      '  modes.yaml:25:9: failureModes[3].id: expected an id no other failure mode has, got "TF-001"',
    ]);
  });

  test('an empty file, a missing list, bad syntax', () => {
    expect(problems('')).toEqual([
      'Invalid failure-mode catalog modes.yaml (1 problem):',
      '  modes.yaml:1:1: document: missing; expected a failure-mode catalog (the file is empty)',
    ]);
    expect(problems('title: x\n')).toEqual([
      'Invalid failure-mode catalog modes.yaml (1 problem):',
      '  modes.yaml:1:1: failureModes: missing; expected a list of failure modes',
    ]);
    expect(problems('failureModes: [\n')).toEqual([
      'Invalid failure-mode catalog modes.yaml (1 problem):',
      '  modes.yaml:2:1: syntax error: Flow sequence in block collection must be sufficiently indented and end with a ]',
    ]);
  });
});

test('the example catalog loads', async () => {
  const catalog = await loadFailureModes('examples/ecommerce/failure-modes.yaml');
  expect(catalog.system).toBe('ecommerce');
  expect(catalog.failureModes.map((m) => m.id)).toEqual([
    'TF-001',
    'TF-002',
    'AF-001',
    'AF-002',
    'AF-003',
    'OF-001',
    'OF-002',
    'OF-003',
    'OF-004',
    'OF-005',
    'RF-001',
    'RF-002',
    'EF-001',
  ]);
  expect(new Set(catalog.failureModes.map((m) => m.category))).toEqual(
    new Set(['tool', 'ai', 'orchestration', 'resource', 'external']),
  );
});
