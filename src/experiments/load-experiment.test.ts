import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { describe, expect, test } from 'vitest';
import { isExperimentFileError, type ExperimentFileError } from './experiment-file-error.ts';
import { loadExperiment, parseExperiment, validateExperiment } from './load-experiment.ts';

const base = `title: Tool server down
system: ecommerce
hypothesis: When the tool server is down, the agent will fail gracefully.
steadyState:
  probes:
    - probe: success-rate
      tolerance: '> 95%'
method:
  - type: fault
    fault: { kind: network, error: ECONNREFUSED }
    target: { tool: upload-image }
    duration: 60s
`;

/** The error `parseExperiment` throws for `text`. */
function failure(text: string, file = 'exp.yaml', options = {}): ExperimentFileError {
  try {
    parseExperiment(text, file, options);
  } catch (error) {
    if (isExperimentFileError(error)) return error;
    throw error;
  }
  throw new Error('expected the experiment to be rejected');
}

/** The problem lines of the error for `text`. */
function problems(text: string, file = 'exp.yaml', options = {}): string[] {
  return failure(text, file, options).message.split('\n').slice(1);
}

describe('a valid experiment', () => {
  test('normalises durations, tolerances, names, defaults and the timeline', () => {
    const experiment = parseExperiment(
      `${base}  - type: pause
    duration: 1m30s
  - type: toxic
    proxy: llm
    start: 5s
    toxic: { type: latency, attributes: { latency: 2s, jitter: 250 } }
  - type: mcp-fault
    server: tools
    scope: experiment
    fault: { kind: mcp-unavailable, ms: 10s }
`,
      'seeds/Tool Server Down.yaml',
    );
    expect(experiment.id).toBe('tool-server-down');
    expect(experiment.runs).toBe(1);
    expect(experiment.seed).toBeUndefined();
    expect(experiment.time).toBe('virtual');
    expect(experiment.steadyState.probes).toEqual([
      {
        name: 'success-rate',
        probe: 'success-rate',
        builtin: true,
        unit: 'ratio',
        percentile: undefined,
        metric: 'runs.successRate',
        args: {},
        tolerance: { kind: 'range', comparisons: [{ op: '>', value: 0.95 }] },
      },
    ]);
    expect(experiment.method).toEqual([
      {
        type: 'fault',
        name: 'network-1',
        scope: 'run',
        startMs: 0,
        atMs: 0,
        durationMs: 60_000,
        fault: {
          kind: 'network',
          error: 'ECONNREFUSED',
          name: 'network-1',
          probability: 1,
          target: { tool: 'upload-image' },
        },
        target: { tool: 'upload-image' },
      },
      { type: 'pause', name: 'pause-2', durationMs: 90_000, atMs: 0 },
      {
        type: 'toxic',
        name: 'latency-3',
        scope: 'run',
        startMs: 5000,
        atMs: 95_000,
        durationMs: undefined,
        proxy: 'llm',
        admin: 'http://127.0.0.1:8474',
        toxic: {
          type: 'latency',
          name: 'latency-3',
          stream: 'downstream',
          toxicity: 1,
          attributes: { latency: 2000, jitter: 250 },
        },
      },
      {
        type: 'mcp-fault',
        name: 'mcp-unavailable-4',
        scope: 'experiment',
        startMs: 0,
        atMs: 90_000,
        durationMs: undefined,
        server: 'tools',
        fault: { kind: 'mcp-unavailable', ms: 10_000, name: 'mcp-unavailable-4', probability: 1 },
        target: undefined,
      },
    ]);
    expect(experiment.rollback).toEqual({
      strategy: 'always',
      actions: [
        { action: 'clear-faults', name: 'clear-faults' },
        {
          action: 'remove-toxics',
          name: 'remove-toxics',
          proxy: undefined,
          admin: 'http://127.0.0.1:8474',
        },
        { action: 'clear-mcp-faults', name: 'clear-mcp-faults', server: undefined },
      ],
    });
    expect(experiment.killSwitch).toEqual({
      errorRate: { threshold: 0.5, windowMs: 10_000, minCalls: 10 },
      unresponsiveMs: false,
      signal: 'SIGUSR2',
    });
    expect(experiment.successCriteria).toEqual({
      detectsFailure: { withinMs: undefined },
      handlesWithoutCrashing: true,
      recovers: { withinMs: undefined },
      corruptsNoData: true,
    });
    expect(experiment.expected).toEqual({});
    expect(experiment.observe).toEqual({ metrics: [], logs: [] });
  });

  test('JSON gives the same experiment as YAML, and is detected by content without an extension', () => {
    const yaml = parseExperiment(base, 'exp.yaml');
    const json = JSON.stringify({
      title: 'Tool server down',
      system: 'ecommerce',
      hypothesis: 'When the tool server is down, the agent will fail gracefully.',
      steadyState: { probes: [{ probe: 'success-rate', tolerance: '> 95%' }] },
      method: [
        {
          type: 'fault',
          fault: { kind: 'network', error: 'ECONNREFUSED' },
          target: { tool: 'upload-image' },
          duration: '60s',
        },
      ],
    });
    expect(parseExperiment(json, 'exp.json')).toEqual(yaml);
    expect(parseExperiment(json, 'exp')).toEqual({ ...yaml, id: 'exp' });
  });

  test('reads every optional section', () => {
    const experiment = parseExperiment(
      `${base}id: custom-id
description: Longer text.
tags: [tool, network]
runs: 50
seed: 42
time: real
configuration: { tokenBudget: 1500 }
observe:
  metrics: [mttrMs.p95]
  logs: [retry, 'faultline:faults:*', 'app:orders']
rollback:
  strategy: on-deviation
  actions:
    - action: reset-proxies
      admin: http://127.0.0.1:9000
    - action: restart-cache
      name: restart the cache
      args: { hard: true }
killSwitch:
  errorRate: 60%
  unresponsive: 45s
  signal: false
successCriteria:
  detectsFailure: { within: 10s }
  recovers: false
  corruptsNoData: true
expected:
  detectionTime: <= 10s
  retries: '>= 1 and <= 3'
  gracefulFailure: true
  clearErrorMessage: unavailable
  stateCorrupted: false
`,
      'exp.yaml',
      { actions: ['restart-cache'] },
    );
    expect(experiment).toMatchObject({
      id: 'custom-id',
      description: 'Longer text.',
      tags: ['tool', 'network'],
      runs: 50,
      seed: '42',
      time: 'real',
      configuration: { tokenBudget: 1500 },
      observe: {
        metrics: ['mttrMs.p95'],
        logs: ['faultline:policy:retry', 'faultline:faults:*', 'app:orders'],
      },
      rollback: {
        strategy: 'on-deviation',
        actions: [
          { action: 'reset-proxies', name: 'reset-proxies', admin: 'http://127.0.0.1:9000' },
          {
            action: 'custom',
            name: 'restart the cache',
            registered: 'restart-cache',
            args: { hard: true },
          },
        ],
      },
      killSwitch: {
        errorRate: { threshold: 0.6, windowMs: 10_000, minCalls: 10 },
        unresponsiveMs: 45_000,
        signal: false,
      },
      successCriteria: {
        detectsFailure: { withinMs: 10_000 },
        handlesWithoutCrashing: true,
        recovers: false,
        corruptsNoData: true,
      },
      expected: {
        detectionTime: { kind: 'range', comparisons: [{ op: '<=', value: 10_000 }] },
        retries: {
          kind: 'range',
          comparisons: [
            { op: '>=', value: 1 },
            { op: '<=', value: 3 },
          ],
        },
        gracefulFailure: true,
        clearErrorMessage: { kind: 'contains', text: 'unavailable' },
        stateCorrupted: false,
      },
    });
  });

  test('registered probes take args and a unit; percentiles and metric paths pick the metric', () => {
    const experiment = parseExperiment(
      base.replace(
        "    - probe: success-rate\n      tolerance: '> 95%'\n",
        `    - probe: response-time
      percentile: 99
      tolerance: { lt: 30s }
    - probe: metric
      path: failures.recoveryRate
      tolerance: { gte: 90% }
    - probe: queue-depth
      name: order queue
      unit: count
      args: { queue: orders }
      tolerance: <= 100
    - probe: cache-warm
      tolerance: true
`,
      ),
      'exp.yaml',
      { probes: ['queue-depth', 'cache-warm'] },
    );
    expect(
      experiment.steadyState.probes.map((p) => [p.name, p.unit, p.metric, p.args, p.tolerance]),
    ).toEqual([
      [
        'response-time p99',
        'ms',
        'runs.durationMs.p99',
        {},
        { kind: 'range', comparisons: [{ op: '<', value: 30_000 }] },
      ],
      [
        'metric failures.recoveryRate',
        'ratio',
        'failures.recoveryRate',
        {},
        { kind: 'range', comparisons: [{ op: '>=', value: 0.9 }] },
      ],
      [
        'order queue',
        'count',
        undefined,
        { queue: 'orders' },
        { kind: 'range', comparisons: [{ op: '<=', value: 100 }] },
      ],
      ['cache-warm', 'number', undefined, {}, { kind: 'boolean', value: true }],
    ]);
  });

  test('an action target and a probability given in the file are kept', () => {
    const experiment = parseExperiment(
      base.replace(
        '{ kind: network, error: ECONNREFUSED }',
        '{ kind: network, probability: 0.3, name: flaky }',
      ),
      'exp.yaml',
    );
    expect(experiment.method[0]).toMatchObject({
      name: 'flaky',
      fault: { kind: 'network', probability: 0.3, name: 'flaky', target: { tool: 'upload-image' } },
    });
  });
});

describe('every malformed-file class gets its own clear error', () => {
  test('bad YAML syntax: the parser message, at its line and column', () => {
    const error = failure(
      'title: T\nmethod:\n  - type: fault\n    fault: { kind: latency, ms: 200\nhypothesis: x\n',
    );
    expect(error.message).toBe(
      [
        'Invalid experiment file exp.yaml (1 problem):',
        '  exp.yaml:5:1: syntax error: Flow map in block collection must be sufficiently indented and end with a }',
      ].join('\n'),
    );
    expect(error.issues[0]).toMatchObject({ code: 'syntax', line: 5, column: 1, path: '' });
  });

  test('bad JSON syntax, and duplicate keys in either syntax', () => {
    expect(
      problems('{\n  "title": "T",\n  "system": "ecommerce"\n  "hypothesis": "x"\n}\n', 'exp.json'),
    ).toEqual(["  exp.json:4:3: syntax error: Expected ',' or '}' after property value"]);
    expect(problems('{"title": "T",', 'exp.json')).toEqual([
      '  exp.json:1:15: syntax error: Expected double-quoted property name',
    ]);
    expect(problems('title: T\ntitle: U\n')).toEqual([
      '  exp.yaml:2:1: syntax error: Map keys must be unique',
    ]);
    expect(problems('{"title": "T", "title": "U"}', 'exp.json')).toEqual([
      '  exp.json:1:16: syntax error: Map keys must be unique',
    ]);
  });

  test('an empty file, and a file that is not a mapping', () => {
    expect(problems('')).toEqual([
      '  exp.yaml:1:1: document: missing; expected an experiment (the file is empty)',
    ]);
    expect(problems('# only a comment\n')).toEqual([
      '  exp.yaml:1:1: document: missing; expected an experiment (the file is empty)',
    ]);
    expect(problems('- a\n- b\n')).toEqual([
      '  exp.yaml:1:1: document: expected an experiment: a mapping with title, hypothesis, steadyState, method, ..., got a list',
    ]);
  });

  test('missing hypothesis', () => {
    const error = failure(base.replace(/^hypothesis: .*\n/m, ''));
    expect(error.message.split('\n')).toEqual([
      'Invalid experiment file exp.yaml (1 problem):',
      '  exp.yaml:1:1: hypothesis: missing; expected a sentence like "when X, the system will Y"',
    ]);
    expect(error.issues[0]).toMatchObject({
      code: 'missing',
      path: 'hypothesis',
      value: undefined,
    });
    expect(problems(base.replace(/^hypothesis: .*$/m, 'hypothesis: ""'))).toEqual([
      '  exp.yaml:3:13: hypothesis: expected a sentence like "when X, the system will Y", got ""',
    ]);
  });

  test('wrong type', () => {
    expect(problems(`${base}runs: many\ntags: network\n`)).toEqual([
      '  exp.yaml:13:7: runs: expected a whole number >= 1, got "many"',
      '  exp.yaml:14:7: tags: expected a list of tags, got "network"',
    ]);
    expect(problems(`${base}runs: 2.5\n`)).toEqual([
      '  exp.yaml:13:7: runs: expected a whole number >= 1, got 2.5',
    ]);
  });

  test('unknown keys, with a did-you-mean when the key is close to a known one', () => {
    const error = failure(`${base}hypotesis: x\nfoo: 1\n`);
    expect(error.message.split('\n').slice(1)).toEqual([
      "  exp.yaml:13:1: hypotesis: unknown key; did you mean 'hypothesis'? (known keys: id, title, description, tags, system, runs, seed, time, configuration, hypothesis, steadyState, method, observe, rollback, killSwitch, successCriteria, expected)",
      '  exp.yaml:14:1: foo: unknown key (known keys: id, title, description, tags, system, runs, seed, time, configuration, hypothesis, steadyState, method, observe, rollback, killSwitch, successCriteria, expected)',
    ]);
    expect(error.issues[0]).toMatchObject({
      code: 'unknown-key',
      path: 'hypotesis',
      suggestion: 'hypothesis',
      value: 'x',
    });
    expect(problems(base.replace('    duration: 60s', '    durtion: 60s'))).toEqual([
      "  exp.yaml:12:5: method[0].durtion: unknown key; did you mean 'duration'? (known keys: type, name, scope, start, duration, fault, target)",
    ]);
  });

  test('unknown fields inside a fault spec, as the faults layer reports them', () => {
    // The known fields come from the faults layer, which may gain common ones.
    const [line, ...rest] = problems(base.replace('error: ECONNREFUSED', 'code: ECONNREFUSED'));
    expect(rest).toEqual([]);
    expect(line).toMatch(
      /^ {2}exp\.yaml:10:29: method\[0\]\.fault\.code: unknown key; did you mean 'mode'\? \(known keys: kind, name, probability, toxicity, target, (\w+, )*error, mode, durationMs, afterMs\)$/,
    );
    expect(
      problems(base.replace('target: { tool: upload-image }', 'target: { tol: upload-image }')),
    ).toEqual([
      "  exp.yaml:11:15: method[0].target.tol: unknown key; did you mean 'tool'? (known keys: operation, tool, agent, url, host, path, command, where)",
    ]);
  });

  test('out-of-range probability', () => {
    expect(problems(base.replace('error: ECONNREFUSED', 'probability: 1.5'))).toEqual([
      '  exp.yaml:10:42: method[0].fault.probability: expected a finite number >= 0 <= 1, got 1.5',
    ]);
    expect(
      problems(
        `${base}  - type: toxic\n    proxy: llm\n    toxic: { type: timeout, toxicity: -0.1 }\n`,
      ),
    ).toEqual([
      '  exp.yaml:15:39: method[1].toxic.toxicity: expected a probability: a number from 0 to 1, got -0.1',
    ]);
  });

  test('bad duration string', () => {
    expect(problems(base.replace('duration: 60s', 'duration: 60 seconds'))).toEqual([
      "  exp.yaml:12:15: method[0].duration: expected a duration: milliseconds as a number, or a string like '30s', '1m30s', '250ms', '2h', got \"60 seconds\"",
    ]);
    expect(problems(base.replace('error: ECONNREFUSED', 'mode: drop, afterMs: soon'))).toEqual([
      "  exp.yaml:10:50: method[0].fault.afterMs: expected a duration: milliseconds as a number, or a string like '30s', '1m30s', '250ms', '2h', got \"soon\"",
    ]);
  });

  test('bad fault kind, and an MCP kind in an in-process fault', () => {
    const kinds =
      "'crash', 'latency', 'hang', 'error', 'hallucination', 'corruption', 'network', 'disk', 'memory', 'process', 'cpu', 'mcp-tool-error', 'mcp-rpc-error', 'mcp-malformed', 'mcp-tools-list', 'mcp-unavailable', 'mcp-crash', 'mcp-disconnect'";
    expect(problems(base.replace('kind: network', 'kind: netwrok'))).toEqual([
      `  exp.yaml:10:20: method[0].fault.kind: expected one of ${kinds}, got "netwrok"; did you mean 'network'?`,
    ]);
    expect(
      problems(base.replace('{ kind: network, error: ECONNREFUSED }', '{ kind: mcp-crash }')),
    ).toEqual([
      '  exp.yaml:10:20: method[0].fault.kind: expected a kind that runs in process (MCP kinds belong in an \'mcp-fault\' action), got "mcp-crash"',
    ]);
    expect(problems(base.replace('{ kind: network, error: ECONNREFUSED }', '{ ms: 200 }'))).toEqual(
      [`  exp.yaml:10:12: method[0].fault.kind: missing; expected one of ${kinds}`],
    );
  });

  test('empty method, and an action of an unknown type', () => {
    expect(problems(base.replace(/^method:[\s\S]*$/m, 'method: []\n'))).toEqual([
      '  exp.yaml:8:9: method: expected at least one action (fault, toxic, mcp-fault or pause), got an empty list',
    ]);
    expect(problems(base.replace(/^method:[\s\S]*$/m, 'method:\n'))).toEqual([
      '  exp.yaml:8:8: method: expected a list of actions (fault, toxic, mcp-fault, pause), got null',
    ]);
    expect(problems(`${base}  - type: faults\n  - duration: 1s\n  - 5\n`)).toEqual([
      "  exp.yaml:13:11: method[1].type: expected one of 'fault', 'toxic', 'mcp-fault', 'pause', got \"faults\"; did you mean 'fault'?",
      "  exp.yaml:14:5: method[2].type: missing; expected one of 'fault', 'toxic', 'mcp-fault', 'pause'",
      '  exp.yaml:15:5: method[3]: expected an action: a mapping with a type (fault, toxic, mcp-fault or pause), got 5',
    ]);
  });

  test('steady-state probes: unknown probe, bad percentile, bad tolerance, unknown metric', () => {
    expect(
      problems(
        base.replace(
          "    - probe: success-rate\n      tolerance: '> 95%'\n",
          `    - probe: succes-rate
      tolerance: '> 95%'
    - probe: success-rate
      tolerance: about 95%
    - probe: response-time
      percentile: 96
      tolerance: { '<': 30 seconds, '~': 3 }
    - probe: metric
      path: mttrMs.p59
      tolerance: < 5m
    - probe: error-rate
      tolerance: < 5%
      percentile: 95
    - probe: crashes
`,
        ),
      ),
    ).toEqual([
      "  exp.yaml:6:14: steadyState.probes[0].probe: expected one of 'success-rate', 'error-rate', 'response-time', 'recovery-rate', 'completion-rate', 'mttr', 'detection-time', 'availability', 'crashes', 'metric', got \"succes-rate\"; did you mean 'success-rate'?",
      "  exp.yaml:9:18: steadyState.probes[1].tolerance: expected a comparison like '> 95%' (operators <, <=, >, >=, ==; join two with 'and'), an object like { '<': ... }, a number (equal to) or true/false, got \"about 95%\"",
      '  exp.yaml:11:19: steadyState.probes[2].percentile: expected one of 50, 90, 95, 99, got 96',
      "  exp.yaml:12:25: steadyState.probes[2].tolerance[\"<\"]: expected a duration: milliseconds as a number, or a string like '30s', '1m30s', '250ms', '2h', got \"30 seconds\"",
      '  exp.yaml:12:37: steadyState.probes[2].tolerance["~"]: unknown key; did you mean \'<\'? (known keys: <, <=, >, >=, ==, =, lt, lte, le, gt, gte, ge, eq)',
      "  exp.yaml:14:13: steadyState.probes[3].path: expected a metric's path, e.g. 'mttrMs.p95' or 'failures.recoveryRate', got \"mttrMs.p59\"; did you mean 'mttrMs.p50'?",
      '  exp.yaml:18:7: steadyState.probes[4].percentile: unknown key (known keys: probe, name, tolerance)',
      "  exp.yaml:19:7: steadyState.probes[5].tolerance: missing; expected the range the value must stay in, e.g. '> 95%' or '< 30s'",
    ]);
    expect(problems(base.replace("tolerance: '> 95%'", 'tolerance: 1.5'))).toEqual([
      "  exp.yaml:7:18: steadyState.probes[0].tolerance: expected a ratio: a number from 0 to 1, or a percentage like '95%', got 1.5",
    ]);
    expect(
      problems(
        base.replace(
          /steadyState:\n {2}probes:\n[\s\S]*?(?=method)/,
          'steadyState:\n  probes: []\n',
        ),
      ),
    ).toEqual([
      "  exp.yaml:5:11: steadyState.probes: expected at least one probe, e.g. { probe: success-rate, tolerance: '> 95%' }, got an empty list",
    ]);
  });

  test('observation, rollback, kill switch, criteria and expectations', () => {
    expect(
      problems(`${base}observe:
  metrics: [runs.sucessRate]
  logs: [retyr, 'faultline:polcy:*']
rollback:
  strategy: on-deviaton
  actions:
    - action: clear-fault
    - action: remove-toxics
      server: tools
killSwitch:
  errorRate: 150%
  unresponsive: 0
successCriteria:
  detectsFailure: { within: soon }
  recovers: maybe
expected:
  retries: 2.5
  clearErrorMessage: { regex: '(' }
  gracefulFailur: true
`),
    ).toEqual([
      "  exp.yaml:14:13: observe.metrics[0]: expected a metric's path, e.g. 'mttrMs.p95' or 'failures.recoveryRate', got \"runs.sucessRate\"; did you mean 'runs.successRate'?",
      "  exp.yaml:15:10: observe.logs[0]: expected a channel name ('app:events'), a glob ('faultline:policy:*') or a key of channelNames, got \"retyr\"; did you mean 'retry'?",
      '  exp.yaml:15:17: observe.logs[1]: expected a faultline channel (or a glob such as \'faultline:policy:*\'), got "faultline:polcy:*"',
      "  exp.yaml:17:13: rollback.strategy: expected one of 'always', 'on-deviation', 'never', got \"on-deviaton\"; did you mean 'on-deviation'?",
      "  exp.yaml:19:15: rollback.actions[0].action: expected one of 'clear-faults', 'remove-toxics', 'reset-proxies', 'clear-mcp-faults', got \"clear-fault\"; did you mean 'clear-faults'?",
      '  exp.yaml:21:7: rollback.actions[1].server: unknown key (known keys: action, name, proxy, admin)',
      '  exp.yaml:23:14: killSwitch.errorRate: expected false, a threshold (e.g. \'50%\') or { threshold, window, minCalls }, got "150%"',
      "  exp.yaml:24:17: killSwitch.unresponsive: expected false or a duration: milliseconds as a number, or a string like '30s', '1m30s', '250ms', '2h', above 0, got 0",
      "  exp.yaml:26:29: successCriteria.detectsFailure.within: expected a duration: milliseconds as a number, or a string like '30s', '1m30s', '250ms', '2h', got \"soon\"",
      '  exp.yaml:27:13: successCriteria.recovers: expected true, false or { within: <duration> }, got "maybe"',
      '  exp.yaml:29:12: expected.retries: expected a whole number >= 0, got 2.5',
      '  exp.yaml:30:31: expected.clearErrorMessage.regex: expected a valid regular expression, got "("',
      "  exp.yaml:31:3: expected.gracefulFailur: unknown key; did you mean 'gracefulFailure'? (known keys: detectionTime, retries, gracefulFailure, clearErrorMessage, stateCorrupted)",
    ]);
  });

  test('toxics: unknown type, unknown attribute, bad admin URL', () => {
    expect(
      problems(`${base}  - type: toxic
    proxy: llm
    admin: not a url
    toxic: { type: latncy }
  - type: toxic
    proxy: llm
    toxic: { type: latency, attributes: { latncy: 100, jitter: soon } }
`),
    ).toEqual([
      "  exp.yaml:15:12: method[1].admin: expected the admin API's URL, e.g. 'http://127.0.0.1:8474', got \"not a url\"",
      "  exp.yaml:16:20: method[1].toxic.type: expected one of 'latency', 'bandwidth', 'slow_close', 'timeout', 'reset_peer', 'slicer', 'limit_data', 'noop', 'connect_delay', 'packet_loss', 'proxy_bandwidth', 'http_status', 'http_truncate', 'http_invalid_json', 'http_corrupt_field', 'http_slow_ttfb', 'sse_cut', 'http_stall', 'openai_rate_limit', 'openai_context_length', 'openai_overloaded', 'openai_bad_tool_args', 'openai_stream_no_done', got \"latncy\"; did you mean 'latency'?",
      "  exp.yaml:19:43: method[2].toxic.attributes.latncy: unknown key; did you mean 'latency'? (known keys: latency, jitter)",
      "  exp.yaml:19:64: method[2].toxic.attributes.jitter: expected a duration: milliseconds as a number, or a string like '30s', '1m30s', '250ms', '2h', got \"soon\"",
    ]);
  });

  test('a target given twice, duplicate action names, and an unregistered system', () => {
    expect(
      problems(
        base.replace(
          '{ kind: network, error: ECONNREFUSED }',
          '{ kind: network, target: { tool: x } }',
        ) + '  - type: pause\n    name: network-1\n    duration: 1s\n',
        'exp.yaml',
        { systems: ['ecommerce-v2', 'helpdesk'] },
      ),
    ).toEqual([
      "  exp.yaml:2:9: system: expected one of 'ecommerce-v2', 'helpdesk', got \"ecommerce\"; did you mean 'ecommerce-v2'?",
      '  exp.yaml:11:13: method[0].target: expected absent when the fault has a target (give it once), got a mapping',
      '  exp.yaml:14:11: method[1].name: expected a name no other action of the method has, got "network-1"',
    ]);
    expect(problems(`${base}  - type: pause\n    name: network-1\n    duration: 1s\n`)).toEqual([
      '  exp.yaml:14:11: method[1].name: expected a name no other action of the method has, got "network-1"',
    ]);
  });

  test('problems come in file order, with a count', () => {
    const error = failure(
      `runs: 0\n${base.replace('duration: 60s', 'duration: -1')}hypotesis: x\n`,
    );
    expect(error.message.split('\n')).toEqual([
      'Invalid experiment file exp.yaml (3 problems):',
      '  exp.yaml:1:7: runs: expected a whole number >= 1, got 0',
      "  exp.yaml:13:15: method[0].duration: expected a duration: milliseconds as a number, or a string like '30s', '1m30s', '250ms', '2h', got -1",
      "  exp.yaml:14:1: hypotesis: unknown key; did you mean 'hypothesis'? (known keys: id, title, description, tags, system, runs, seed, time, configuration, hypothesis, steadyState, method, observe, rollback, killSwitch, successCriteria, expected)",
    ]);
    expect(error.issues.map((i) => [i.path, i.line, i.column, i.value])).toEqual([
      ['runs', 1, 7, 0],
      ['method[0].duration', 13, 15, -1],
      ['hypotesis', 14, 1, 'x'],
    ]);
  });
});

describe('ExperimentFileError', () => {
  test('prints without a stack trace and is recognised by code', () => {
    const error = failure(`${base}runs: 0\n`);
    expect(error.name).toBe('ExperimentFileError');
    expect(error.code).toBe('FL_EXPERIMENT_FILE');
    expect(error.file).toBe('exp.yaml');
    expect(error.stack).toBe(`ExperimentFileError: ${error.message}`);
    expect(inspect(error)).toBe(
      'ExperimentFileError: Invalid experiment file exp.yaml (1 problem):\n  exp.yaml:13:7: runs: expected a whole number >= 1, got 0',
    );
    expect(isExperimentFileError(new Error('x'))).toBe(false);
  });
});

describe('loadExperiment and validateExperiment', () => {
  test('loadExperiment reads a file and names it in errors; a missing file rejects with ENOENT', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'faultline-exp-'));
    try {
      const file = join(dir, 'bad.yaml');
      await writeFile(file, `${base}runs: 0\n`);
      await expect(loadExperiment(file)).rejects.toThrow(
        `${file}:13:7: runs: expected a whole number >= 1, got 0`,
      );
      await writeFile(file, base);
      await expect(loadExperiment(file)).resolves.toMatchObject({
        id: 'bad',
        title: 'Tool server down',
      });
      await expect(loadExperiment(join(dir, 'missing.yaml'))).rejects.toMatchObject({
        code: 'ENOENT',
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('validateExperiment checks a value from code, without positions', () => {
    expect(() =>
      validateExperiment(
        { title: 'T', system: 'ecommerce', steadyState: { probes: [] }, method: [] },
        'inline',
      ),
    ).toThrow(
      [
        'Invalid experiment inline (3 problems):',
        '  inline: hypothesis: missing; expected a sentence like "when X, the system will Y"',
        "  inline: steadyState.probes: expected at least one probe, e.g. { probe: success-rate, tolerance: '> 95%' }, got an empty list",
        '  inline: method: expected at least one action (fault, toxic, mcp-fault or pause), got an empty list',
      ].join('\n'),
    );
    expect(() => validateExperiment(undefined)).toThrow(
      'experiment: document: missing; expected an experiment',
    );
    const experiment = validateExperiment({
      title: 'Quick check',
      system: 'ecommerce',
      hypothesis: 'When X, the system will Y.',
      steadyState: { probes: [{ probe: 'crashes', tolerance: 0 }] },
      method: [{ type: 'pause', duration: 1000 }],
    });
    expect(experiment.id).toBe('quick-check');
    expect(experiment.method).toEqual([
      { type: 'pause', name: 'pause-1', durationMs: 1000, atMs: 0 },
    ]);
  });
});

test('checks that span fields run even when other fields of the same action are wrong', () => {
  expect(
    problems(`${base}  - type: fault
    name: network-1
    start: soon
    fault: { kind: latency, ms: 100, target: { tool: a } }
    target: { tol: b }
`),
  ).toEqual([
    '  exp.yaml:14:11: method[1].name: expected a name no other action of the method has, got "network-1"',
    "  exp.yaml:15:12: method[1].start: expected a duration: milliseconds as a number, or a string like '30s', '1m30s', '250ms', '2h', got \"soon\"",
    '  exp.yaml:17:13: method[1].target: expected absent when the fault has a target (give it once), got a mapping',
    "  exp.yaml:17:15: method[1].target.tol: unknown key; did you mean 'tool'? (known keys: operation, tool, agent, url, host, path, command, where)",
  ]);
});
