import { copyFileSync } from 'node:fs';
import { CoralogixReceiver } from '../sandbox/coralogix-receiver';
import { ForgePlatform, unguardedFetch } from '../sandbox/platform/forge-platform';
import type { HandlerName, Handlers } from './bundles';
import { BENCH_SETTINGS, INGRESS_HOST, KEY, ordinaryPush, serveBitbucket, WORST_CASES, type BenchEvent } from './workload';

// One measurement in a Node process of its own, started by bench/run.ts. bench/run.ts bundles this
// file with esbuild and runs it with plain `node`, so loading a deployed bundle is timed as Forge's
// Node runtime loads it (no TypeScript loader in between), and the Coralogix receiver runs in the
// parent process, so its CPU is not counted here. Each handler comes from its own function's bundle,
// as Forge runs it: events from the trigger's, drains from the consumer's, settings from the resolver's.
//
// Usage: node probe.cjs <mode> <json options>; prints one line `BENCH_RESULT <json>`.

interface ProbeOptions {
  /** The deployed bundle of each handler (bench/bundles.ts). */
  bundles: Record<HandlerName, string>;
  manifest: string;
  receiverUrl: string;
  /** A KVS file holding the saved settings (written by the `setup` mode). */
  kvsFile: string;
  rounds?: number;
  perRound?: number;
}

function report(result: unknown): void {
  process.stdout.write(`BENCH_RESULT ${JSON.stringify(result)}\n`);
}

function platformFor(options: ProbeOptions, kvsFile: string): ForgePlatform {
  const platform = new ForgePlatform({ manifestPath: options.manifest, kvsFile });
  platform.routeEgress(INGRESS_HOST, options.receiverUrl);
  serveBitbucket(platform);
  return platform;
}

/** A KVS file of its own per process, so no probe sees what another wrote. */
function ownCopy(options: ProbeOptions): string {
  const copy = `${options.kvsFile}.${process.pid}`;
  copyFileSync(options.kvsFile, copy);
  return copy;
}

/** The deployed bundles this process has required, so a result can say which file it measured. */
const loaded = new Set<string>();

function loadHandler<K extends HandlerName>(options: ProbeOptions, handler: K): Handlers[K] {
  const file = options.bundles[handler];
  loaded.add(file);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const exported = (require(file) as Partial<Handlers>)[handler];
  if (typeof exported !== 'function') throw new Error(`${file} does not export ${handler}`);
  return exported as Handlers[K];
}

type ForwardEvent = Handlers['forwardEvent'];

const cpuMicros = (since: NodeJS.CpuUsage) => {
  const used = process.cpuUsage(since);
  return used.user + used.system;
};
const wallMs = (since: bigint) => Number(process.hrtime.bigint() - since) / 1e6;

async function forward(platform: ForgePlatform, forwardEvent: ForwardEvent, event: BenchEvent): Promise<void> {
  const result = await platform.invoke(() => forwardEvent(event, {}));
  const outcome = result.value as { status?: string; attempt?: { result?: string } } | undefined;
  if (!result.ok || outcome?.status !== 'handled' || outcome.attempt?.result !== 'delivered') {
    throw new Error(`an event was not delivered: ${JSON.stringify(outcome ?? String(result.error))}`);
  }
}

async function setup(options: ProbeOptions): Promise<void> {
  const platform = new ForgePlatform({ manifestPath: options.manifest, kvsFile: options.kvsFile });
  serveBitbucket(platform);
  const saved = await platform.callResolver(loadHandler(options, 'settingsResolver'), 'settings/save', BENCH_SETTINGS, {
    accountId: 'admin',
  });
  if (!saved.ok || !(saved.value as { ok?: boolean }).ok) throw new Error(`could not save the settings: ${JSON.stringify(saved.value)}`);
  report({ saved: true });
}

/** A new instance of the trigger: require of its deployed bundle, then its first event (settings read, enrichment, delivery). */
async function cold(options: ProbeOptions): Promise<void> {
  const platform = platformFor(options, ownCopy(options));
  const event = ordinaryPush(Number(process.pid));
  const cpu = process.cpuUsage();
  const started = process.hrtime.bigint();
  const forwardEvent = loadHandler(options, 'forwardEvent');
  const requireMs = wallMs(started);
  const requireCpuMs = cpuMicros(cpu) / 1000;
  await forward(platform, forwardEvent, event);
  report({ requireMs, requireCpuMs, coldStartMs: wallMs(started), coldStartCpuMs: cpuMicros(cpu) / 1000, loaded: [...loaded] });
}

type Kind = 'app' | 'platform' | 'limit';

function shuffled<T>(items: readonly T[]): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i -= 1) {
    const j = Math.floor(Math.random() * (i + 1));
    [copy[i], copy[j]] = [copy[j] as T, copy[i] as T];
  }
  return copy;
}

/**
 * Warm events, three ways side by side in rounds of random order: the app's full trigger path
 * (`app`); the platform's share of every event without the app, an invocation that POSTs the same
 * entry through the runtime's guarded fetch (`platform`); and that POST alone (`limit`). CPU is this
 * process's; the receiver runs elsewhere.
 */
async function warm(options: ProbeOptions): Promise<void> {
  const rounds = options.rounds ?? 20;
  const perRound = options.perRound ?? 100;
  const platform = platformFor(options, ownCopy(options));
  const forwardEvent = loadHandler(options, 'forwardEvent');

  // The entries the app sends, recorded by a receiver of this process before anything is timed
  // (it also warms the instance: settings cached, every repository and actor enriched).
  const capture = await CoralogixReceiver.start({ apiKeys: [KEY] });
  platform.routeEgress(INGRESS_HOST, capture.url);
  const primed = rounds * perRound;
  for (let n = 0; n < primed; n += 1) await forward(platform, forwardEvent, ordinaryPush(1_000_000 + n));
  const bodies = capture.entries.map((entry) => JSON.stringify([entry]));
  await capture.close();
  platform.routeEgress(INGRESS_HOST, options.receiverUrl);
  if (bodies.length !== primed) throw new Error('the capture lost entries');

  const headers = { 'Content-Type': 'application/json', Authorization: `Bearer ${KEY}` };
  const ingress = `https://${INGRESS_HOST}/logs/v1/singles`;
  const direct = unguardedFetch();
  const post = async (send: typeof fetch, url: string, body: string) => {
    const response = await send(url, { method: 'POST', headers, body });
    await response.text();
    if (response.status !== 200) throw new Error(`HTTP ${response.status}`);
  };
  const steps: Record<Kind, (n: number) => Promise<unknown>> = {
    app: (n) => forward(platform, forwardEvent, ordinaryPush(n)),
    platform: (n) => platform.invoke(() => post(fetch, ingress, bodies[n % bodies.length] as string)),
    limit: (n) => post(direct, `${options.receiverUrl}/logs/v1/singles`, bodies[n % bodies.length] as string),
  };
  const samples: Record<Kind, Array<{ cpuMicros: number; wallMs: number }>> = { app: [], platform: [], limit: [] };
  const appCalls = { egress: 0, kvs: 0, bitbucket: 0 };
  const calls = () => ({
    egress: platform.egressCounters.requests,
    kvs: platform.kvs.counters.reads + platform.kvs.counters.writes,
    bitbucket: platform.bitbucket.calls.length,
  });
  let n = 0;
  for (let round = 0; round < rounds; round += 1) {
    for (const kind of shuffled(Object.keys(steps) as Kind[])) {
      const before = calls();
      const cpu = process.cpuUsage();
      const started = process.hrtime.bigint();
      for (let i = 0; i < perRound; i += 1) await steps[kind]((n += 1));
      samples[kind].push({ cpuMicros: cpuMicros(cpu) / perRound, wallMs: wallMs(started) / perRound });
      if (kind !== 'app') continue;
      const after = calls();
      for (const key of Object.keys(appCalls) as Array<keyof typeof appCalls>) appCalls[key] += after[key] - before[key];
    }
  }
  const perEvent = Object.fromEntries(Object.entries(appCalls).map(([key, count]) => [key, count / (rounds * perRound)]));
  report({ rounds, perRound, samples, callsPerEvent: perEvent });
}

/** Each worst case several times on a warm instance; CPU and wall time of each event. */
async function worst(options: ProbeOptions): Promise<void> {
  const platform = platformFor(options, ownCopy(options));
  const forwardEvent = loadHandler(options, 'forwardEvent');
  for (let n = 0; n < 20; n += 1) await forward(platform, forwardEvent, ordinaryPush(2_000_000 + n));
  const repeats = 5;
  const cases = [];
  for (const { name, event } of WORST_CASES) {
    const events = Array.from({ length: repeats }, (_, i) => event(3_000_000 + i * 1000));
    const cpuMs: number[] = [];
    const wall: number[] = [];
    for (const payload of events) {
      const cpu = process.cpuUsage();
      const started = process.hrtime.bigint();
      await forward(platform, forwardEvent, payload);
      cpuMs.push(cpuMicros(cpu) / 1000);
      wall.push(wallMs(started));
    }
    cases.push({ name, cpuMs, wallMs: wall });
  }
  report({ cases });
}

/**
 * Peak resident memory of a trigger instance that took a burst and every worst case, with its bundle loaded
 * (`memory`) or only the platform's share of the same work (`memory-baseline`).
 */
async function memory(options: ProbeOptions, withApp: boolean): Promise<void> {
  const platform = platformFor(options, ownCopy(options));
  const events = options.rounds ?? 3000;
  const headers = { 'Content-Type': 'application/json', Authorization: `Bearer ${KEY}` };
  const ingress = `https://${INGRESS_HOST}/logs/v1/singles`;
  if (withApp) {
    const forwardEvent = loadHandler(options, 'forwardEvent');
    for (let n = 0; n < events; n += 1) await forward(platform, forwardEvent, ordinaryPush(4_000_000 + n));
    for (let round = 0; round < 3; round += 1) {
      for (const { event } of WORST_CASES) await forward(platform, forwardEvent, event(5_000_000 + round * 1000));
    }
  } else {
    const body = JSON.stringify([
      { applicationName: 'bench', subsystemName: 'bitbucket', severity: 3, text: JSON.stringify(ordinaryPush(1)) },
    ]);
    for (let n = 0; n < events; n += 1) {
      await platform.invoke(async () => {
        const response = await fetch(ingress, { method: 'POST', headers, body });
        await response.text();
      });
    }
  }
  const usage = process.memoryUsage();
  report({ maxRssMb: process.resourceUsage().maxRSS / 1024, heapUsedMb: usage.heapUsed / 1024 / 1024, rssMb: usage.rss / 1024 / 1024 });
}

/**
 * The backlog (issue 11): `rounds` ordinary pushes while Coralogix cannot be reached, then drains run
 * back to back until it is empty. Reports the drain's CPU and wall time, its requests, and every
 * storage unit the backlog cost from the first failure to the last delete.
 */
async function drain(options: ProbeOptions): Promise<void> {
  // Storage in memory only: a KVS file would be rewritten whole on every write of the backlog. The
  // platform's clock is the probe's own, so Forge's storage limits meet the events at a pace a busy
  // workspace could have (600 a minute) and the drain's runs as far apart as it asks.
  let clock = Date.now();
  // The app reads the time as Date.now(), as it does on Forge, where that is the platform's time too.
  Date.now = () => clock;
  const platform = new ForgePlatform({ manifestPath: options.manifest, now: () => clock });
  serveBitbucket(platform);
  const saved = await platform.callResolver(loadHandler(options, 'settingsResolver'), 'settings/save', BENCH_SETTINGS, {
    accountId: 'admin',
  });
  if (!saved.ok || !(saved.value as { ok?: boolean }).ok) throw new Error(`could not save the settings: ${JSON.stringify(saved.value)}`);
  const forwardEvent = loadHandler(options, 'forwardEvent');
  const retryDelivery = loadHandler(options, 'retryDelivery');
  const events = options.rounds ?? 5_000;
  // Nothing listens on the discard port: every send is refused, and every event is kept.
  platform.routeEgress(INGRESS_HOST, 'http://127.0.0.1:9');
  for (let n = 0; n < events; n += 1) {
    const result = await platform.invoke(() => forwardEvent(ordinaryPush(6_000_000 + n), {}));
    const outcome = result.value as { status?: string; attempt?: { result?: string } } | undefined;
    if (!result.ok || outcome?.attempt?.result !== 'backlogged')
      throw new Error(`an event was not kept: ${JSON.stringify(outcome ?? String(result.error))}`);
    clock += 100;
  }
  platform.routeEgress(INGRESS_HOST, options.receiverUrl);
  const requestsBefore = platform.egressCounters.requests;
  const unitsBefore = { ...platform.kvs.quota.counters };
  const cpu = process.cpuUsage();
  const started = process.hrtime.bigint();
  let runs = 0;
  for (;;) {
    runs += 1;
    const result = await platform.invoke(() => retryDelivery({ body: { kind: 'drain' } }, {}));
    const run = (result.value as { drain?: { status?: string; delaySeconds?: number } } | undefined)?.drain;
    if (!result.ok || (run?.status !== 'drained' && run?.status !== 'continuing'))
      throw new Error(`a drain failed: ${JSON.stringify(result.value ?? String(result.error))}`);
    if (run.status === 'drained') break;
    clock += Math.max(1, run.delaySeconds ?? 0) * 1000;
  }
  const { readUnits, writeUnits } = platform.kvs.quota.counters;
  const drainReadUnits = readUnits - unitsBefore.readUnits;
  const drainWriteUnits = writeUnits - unitsBefore.writeUnits;
  report({
    events,
    runs,
    requests: platform.egressCounters.requests - requestsBefore,
    drainCpuMs: cpuMicros(cpu) / 1000,
    drainWallMs: wallMs(started),
    readUnits,
    writeUnits,
    drainReadUnits,
    drainWriteUnits,
    rateLimited: platform.kvs.quota.counters.rateLimited,
  });
}

async function main(): Promise<void> {
  const [mode, json] = process.argv.slice(2);
  const options = JSON.parse(json ?? '{}') as ProbeOptions;
  // The app logs through console; only the result line goes to stdout.
  for (const method of ['log', 'info', 'warn', 'error'] as const) console[method] = () => undefined;
  if (mode === 'setup') return setup(options);
  if (mode === 'cold') return cold(options);
  if (mode === 'warm') return warm(options);
  if (mode === 'worst') return worst(options);
  if (mode === 'memory') return memory(options, true);
  if (mode === 'memory-baseline') return memory(options, false);
  if (mode === 'drain') return drain(options);
  throw new Error(`unknown probe mode ${String(mode)}`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
