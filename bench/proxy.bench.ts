/**
 * The chaos proxy with no toxic against a direct loopback connection, in one run: keep-alive
 * HTTP, 16 connections, the HTTP server and the proxy each in a child process, runs interleaved
 * direct/proxy round by round.
 *
 *   npm run bench -- proxy
 *   npm exec -- node bench/proxy.bench.ts
 *
 * Load generator: Debian's `wrk` when installed (`apt-get install -y wrk`; it is light, so the
 * proxy gets a fair share of the 2 cores), else autocannon from npm (JavaScript, about as heavy
 * as the server it loads). Figures:
 * - throughput at saturation, proxy / direct (target >= 0.6x);
 * - p50 latency at saturation, proxy - direct (target < 150 µs; this is how Toxiproxy's
 *   "0.38x, +340 µs" on this machine class was measured);
 * - p50 latency at a fixed 2,000 req/s (autocannon), proxy - direct: the proxy's own cost when
 *   nothing queues, which on a shared VM is mostly one more process wake-up per hop.
 */
import { execFile, fork, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { connect, createServer as createNetServer, type AddressInfo } from 'node:net';

interface AutocannonResult {
  requests: { average: number; total: number };
  latency: { p50: number };
  errors: number;
  non2xx: number;
}
interface AutocannonInstance extends Promise<AutocannonResult> {
  on(
    event: 'response',
    listener: (client: unknown, status: number, bytes: number, ms: number) => void,
  ): void;
}
type Autocannon = (options: {
  url: string;
  connections: number;
  duration: number;
  pipelining?: number;
  overallRate?: number;
}) => AutocannonInstance;

const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

const CONNECTIONS = 16;
const SATURATION_SECONDS = 4;
const LATENCY_SECONDS = 3;
const LATENCY_RATE = 2000;
const ROUNDS = 3;

/** Child role: a tiny keep-alive HTTP server. */
async function runServer(): Promise<void> {
  const body = Buffer.from('{"ok":true,"message":"hello from upstream"}');
  const server = createServer({ keepAliveTimeout: 60_000 }, (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length });
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  process.send?.({ port: (server.address() as AddressInfo).port });
}

/** Child role: the proxy server with one proxy (no toxic) in front of `upstream`. */
async function runProxy(upstream: string): Promise<void> {
  const { startProxyServer } = await import('../src/proxy/index.ts');
  const server = await startProxyServer({ port: 0 });
  const proxy = await server.registry.create({ name: 'bench', upstream });
  process.send?.({ port: proxy.port });
}

/**
 * Child role: the floor for any proxy written in Node — a bare `net` pipe in both directions, no
 * toxics, no API. The chaos proxy should cost no more than this.
 */
async function runPipe(upstream: string): Promise<void> {
  const [host, port] = [
    upstream.slice(0, upstream.lastIndexOf(':')),
    Number(upstream.slice(upstream.lastIndexOf(':') + 1)),
  ];
  const server = createNetServer({ noDelay: true }, (client) => {
    const target = connect({ host, port, noDelay: true });
    client.pipe(target).pipe(client);
    client.on('error', () => target.destroy());
    target.on('error', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  process.send?.({ port: (server.address() as AddressInfo).port });
}

function spawn(args: string[]): Promise<{ child: ChildProcess; port: number }> {
  return new Promise((resolve, reject) => {
    const child = fork(import.meta.filename, args, {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    child.once('message', (message) => {
      resolve({ child, port: (message as { port: number }).port });
    });
    child.once('error', reject);
    child.once('exit', (code) => {
      reject(new Error(`bench child ${args.join(' ')} exited with ${String(code)}`));
    });
  });
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

async function load(
  url: string,
  duration: number,
  overallRate?: number,
): Promise<{ rps: number; p50: number }> {
  const latencies: number[] = [];
  const instance = autocannon({
    url,
    connections: CONNECTIONS,
    duration,
    pipelining: 1,
    ...(overallRate === undefined ? {} : { overallRate }),
  });
  instance.on('response', (_client, _status, _bytes, ms) => {
    latencies.push(ms);
  });
  const result = await instance;
  if (result.errors > 0 || result.non2xx > 0) {
    throw new Error(`load on ${url}: ${result.errors} errors, ${result.non2xx} non-2xx`);
  }
  return { rps: result.requests.total / duration, p50: median(latencies) * 1000 };
}

const hasWrk = spawnSync('wrk', ['--version']).error === undefined;

function wrkLoad(url: string, duration: number): Promise<{ rps: number; p50: number }> {
  return new Promise((resolve, reject) => {
    execFile(
      'wrk',
      ['-t1', `-c${CONNECTIONS}`, `-d${duration}s`, '--latency', url],
      (error, stdout) => {
        if (error !== null) {
          reject(new Error(`wrk failed: ${error.message}`));
          return;
        }
        const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(stdout)?.[1]);
        const p50 = /\s50%\s+([\d.]+)(us|ms|s)\b/.exec(stdout);
        const unit = { us: 1, ms: 1000, s: 1_000_000 }[p50?.[2] as 'us' | 'ms' | 's'];
        if (/Non-2xx|Socket errors/.test(stdout) || Number.isNaN(rps) || p50 === null) {
          reject(new Error(`wrk on ${url}:\n${stdout}`));
          return;
        }
        resolve({ rps, p50: Number(p50[1]) * unit });
      },
    );
  });
}

/** CPU time (user + system) of a process in µs, from /proc (Linux); NaN elsewhere. */
function cpuMicros(pid: number | undefined): number {
  try {
    const fields = readFileSync(`/proc/${String(pid)}/stat`, 'utf8')
      .split(') ')[1]!
      .split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10_000;
  } catch {
    return Number.NaN;
  }
}

const saturate = (url: string, duration: number): Promise<{ rps: number; p50: number }> =>
  hasWrk ? wrkLoad(url, duration) : load(url, duration);

/** Runs the comparison and returns the ratios. */
export async function main(): Promise<{
  throughputRatio: number;
  addedP50Us: number;
  addedSteadyP50Us: number;
}> {
  const server = await spawn(['--role=server']);
  const proxy = await spawn(['--role=proxy', `--upstream=127.0.0.1:${server.port}`]);
  const pipe = await spawn(['--role=pipe', `--upstream=127.0.0.1:${server.port}`]);
  const targets = {
    direct: `http://127.0.0.1:${server.port}/`,
    proxy: `http://127.0.0.1:${proxy.port}/`,
    pipe: `http://127.0.0.1:${pipe.port}/`,
  };
  try {
    // Warm-up: JIT, connection setup.
    await saturate(targets.direct, 1);
    await saturate(targets.proxy, 1);
    const saturation = { direct: [] as number[], proxy: [] as number[], pipe: [] as number[] };
    const cpuPerRequest = { server: [] as number[], proxy: [] as number[] };
    const saturationP50 = { direct: [] as number[], proxy: [] as number[], pipe: [] as number[] };
    const steady = { direct: [] as number[], proxy: [] as number[] };
    for (let round = 0; round < ROUNDS; round++) {
      const order =
        round % 2 === 0 ? (['direct', 'proxy'] as const) : (['proxy', 'direct'] as const);
      for (const name of [...order, 'pipe'] as const) {
        const before = { server: cpuMicros(server.child.pid), proxy: cpuMicros(proxy.child.pid) };
        const s = await saturate(targets[name], SATURATION_SECONDS);
        saturation[name].push(s.rps);
        if (name === 'proxy') {
          const requests = s.rps * SATURATION_SECONDS;
          cpuPerRequest.server.push((cpuMicros(server.child.pid) - before.server) / requests);
          cpuPerRequest.proxy.push((cpuMicros(proxy.child.pid) - before.proxy) / requests);
        }
        saturationP50[name].push(s.p50);
      }
      for (const name of order) {
        steady[name].push((await load(targets[name], LATENCY_SECONDS, LATENCY_RATE)).p50);
      }
    }
    const rps = {
      direct: median(saturation.direct),
      proxy: median(saturation.proxy),
      pipe: median(saturation.pipe),
    };
    const p50 = { direct: median(steady.direct), proxy: median(steady.proxy) };
    const satP50 = { direct: median(saturationP50.direct), proxy: median(saturationP50.proxy) };
    const throughputRatio = rps.proxy / rps.direct;
    const addedP50Us = satP50.proxy - satP50.direct;
    const addedSteadyP50Us = p50.proxy - p50.direct;
    console.log(
      `\n## chaos proxy, no toxic, vs direct loopback (keep-alive HTTP, ${CONNECTIONS} connections, ${hasWrk ? 'wrk' : 'autocannon'})`,
    );
    console.log(`${''.padEnd(34)} ${'direct'.padStart(12)} ${'proxy'.padStart(12)}`);
    console.log(
      `${'throughput at saturation (req/s)'.padEnd(34)} ${rps.direct.toFixed(0).padStart(12)} ${rps.proxy.toFixed(0).padStart(12)}`,
    );
    console.log(
      `${'p50 at saturation (µs)'.padEnd(34)} ${satP50.direct.toFixed(0).padStart(12)} ${satP50.proxy.toFixed(0).padStart(12)}`,
    );
    console.log(
      `${`p50 at ${LATENCY_RATE} req/s (µs)`.padEnd(34)} ${p50.direct.toFixed(0).padStart(12)} ${p50.proxy.toFixed(0).padStart(12)}`,
    );
    console.log(
      `throughput ratio proxy / direct: ${throughputRatio.toFixed(2)}x (target >= 0.6x)${throughputRatio >= 0.6 ? '  (target met)' : '  (TARGET MISSED)'}`,
    );
    console.log(
      `added p50 at saturation: ${addedP50Us.toFixed(0)} µs (target < 150 µs)${addedP50Us < 150 ? '  (target met)' : '  (TARGET MISSED)'}`,
    );
    console.log(`added p50 at ${LATENCY_RATE} req/s: ${addedSteadyP50Us.toFixed(0)} µs`);
    console.log(
      `bare net pipe (the floor for a Node proxy): ${rps.pipe.toFixed(0)} req/s = ${(rps.pipe / rps.direct).toFixed(2)}x direct; chaos proxy / bare pipe: ${(rps.proxy / rps.pipe).toFixed(2)}x`,
    );
    console.log(
      `CPU per request (user + system, independent of machine load): proxy ${median(cpuPerRequest.proxy).toFixed(1)} µs, upstream HTTP server ${median(cpuPerRequest.server).toFixed(1)} µs`,
    );
    return { throughputRatio, addedP50Us, addedSteadyP50Us };
  } finally {
    for (const child of [server.child, proxy.child, pipe.child]) {
      child.removeAllListeners('exit');
      child.kill();
    }
  }
}

const role = process.argv.find((arg) => arg.startsWith('--role='))?.slice(7);
if (role === 'server') await runServer();
else if (role === 'proxy' || role === 'pipe') {
  const upstream = process.argv.find((arg) => arg.startsWith('--upstream='))?.slice(11) ?? '';
  await (role === 'proxy' ? runProxy(upstream) : runPipe(upstream));
} else if (import.meta.main) await main();
