import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { CoralogixReceiver } from '../sandbox/coralogix-receiver';
import { DRAIN_READ_UNITS_PER_MINUTE } from '../src/core/backlog';
import { deployedBundleFiles, deployedBundles } from './bundles';
import { buildProbe, runProbe as probe } from './probe-client';
import { KEY, WORST_CASES } from './workload';

// `npm run bench`: what a Forge vendor pays and a user waits for, measured on the backend exactly as
// `forge deploy` bundles it (scripts/build-backend.mjs). Every measurement runs in a Node process of
// its own (bench/probe.ts); the loopback Coralogix receiver runs here, so its CPU is not counted.
// `forge deploy` makes one bundle per handler module; the size and cold-load targets apply to the
// trigger's, the one Forge cold-starts for Bitbucket events.

const ROOT = path.resolve(__dirname, '..');
const COLD_RUNS = Number(process.env.BENCH_COLD_RUNS ?? 11);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 20);
const PER_ROUND = Number(process.env.BENCH_PER_ROUND ?? 100);
const DRAIN_EVENTS = Number(process.env.BENCH_DRAIN_EVENTS ?? 5_000);

// Forge platform pricing (in force since 1 January 2026, per app per month, all installations):
// function compute beyond 200,000 GB-s costs $0.000025 per GB-s; memory 128–1024 MB, default 512.
const USD_PER_GB_SECOND = 0.000025;
const FORGE_DEFAULT_MEMORY_MB = 512;
// Stated, not measured: the Coralogix round trip a trigger waits for (Forge's egress proxy to the
// region's ingress, TLS reused). The invocation is billed for its duration, which it dominates.
const CORALOGIX_ROUND_TRIP_MS = 150;
// Forge: "Increasing the function memory also increases its CPU allocation" (@forge/manifest schema,
// app.runtime.memoryMB). Forge functions run on AWS Lambda (the runtime passes a lambdaContext),
// where 1,769 MB is one full vCPU; assumed here: CPU time stretches by 1,769 / memory below that.
const FULL_CPU_MEMORY_MB = 1769;

const TARGETS = { bundleKb: 400, coldLoadMs: 40, appCpuMicros: 120, worstCpuMs: 50, memoryMb: 256, headroom: 1.5 };

interface Sample {
  cpuMicros: number;
  wallMs: number;
}
interface ColdResult {
  requireMs: number;
  requireCpuMs: number;
  coldStartMs: number;
  coldStartCpuMs: number;
  /** The bundles the probe required: the trigger's alone. */
  loaded: string[];
}
interface WarmResult {
  rounds: number;
  perRound: number;
  samples: Record<'app' | 'platform' | 'limit', Sample[]>;
  callsPerEvent: { egress: number; kvs: number; bitbucket: number };
}
interface WorstResult {
  cases: Array<{ name: string; cpuMs: number[]; wallMs: number[] }>;
}
interface DrainResult {
  events: number;
  runs: number;
  requests: number;
  drainCpuMs: number;
  drainWallMs: number;
  readUnits: number;
  writeUnits: number;
  drainReadUnits: number;
  drainWriteUnits: number;
  rateLimited: number;
}
interface MemoryResult {
  maxRssMb: number;
  heapUsedMb: number;
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
};
const fmt = (value: number, digits = 1) => (Number.isFinite(value) ? value.toFixed(digits) : 'n/a');
const mark = (ok: boolean) => (ok ? 'met' : '**missed**');

function manifestMemoryMb(): number {
  const manifest = parse(readFileSync(path.join(ROOT, 'manifest.yml'), 'utf8')) as { app?: { runtime?: { memoryMB?: number } } };
  return manifest.app?.runtime?.memoryMB ?? FORGE_DEFAULT_MEMORY_MB;
}

async function main(): Promise<void> {
  const work = mkdtempSync(path.join(tmpdir(), 'bench-'));
  const bundleDir = path.join(work, 'bundle');
  execFileSync(process.execPath, [path.join(ROOT, 'scripts/build-backend.mjs'), bundleDir], { stdio: 'inherit' });
  const manifestPath = path.join(ROOT, 'manifest.yml');
  const deployed = deployedBundles(bundleDir, manifestPath);
  const kb = (file: string) => statSync(file).size / 1024;
  const trigger = deployed.forwardEvent;
  const bundleKb = kb(trigger.file);
  const bundles = deployedBundleFiles(bundleDir, manifestPath);
  const probeFile = path.join(work, 'probe.cjs');
  buildProbe(probeFile);

  const receiver = await CoralogixReceiver.start({ apiKeys: [KEY] });
  const options = { bundles, manifest: manifestPath, receiverUrl: receiver.url, kvsFile: path.join(work, 'kvs.json') };
  await probe(probeFile, 'setup', options);

  const colds: ColdResult[] = [];
  for (let run = 0; run < COLD_RUNS; run += 1) colds.push(await probe<ColdResult>(probeFile, 'cold', options));
  const warm = await probe<WarmResult>(probeFile, 'warm', { ...options, rounds: ROUNDS, perRound: PER_ROUND });
  const worst = await probe<WorstResult>(probeFile, 'worst', options);
  const memory = await probe<MemoryResult>(probeFile, 'memory', options);
  const baseline = await probe<MemoryResult>(probeFile, 'memory-baseline', options);
  const backlog = await probe<DrainResult>(probeFile, 'drain', { ...options, rounds: DRAIN_EVENTS });
  const delivered = receiver.entries.length;
  await receiver.close();

  for (const run of colds)
    if (run.loaded.join() !== trigger.file) throw new Error(`a cold start loaded ${run.loaded.join(', ')}, not the trigger's bundle alone`);
  const coldLoadMs = median(colds.map((run) => run.requireMs));
  const drainPerMinute = DRAIN_READ_UNITS_PER_MINUTE / (backlog.drainReadUnits / backlog.events);
  const coldStartMs = median(colds.map((run) => run.coldStartMs));
  const cpu = (kind: keyof WarmResult['samples']) => median(warm.samples[kind].map((sample) => sample.cpuMicros));
  const wall = (kind: keyof WarmResult['samples']) => median(warm.samples[kind].map((sample) => sample.wallMs));
  // Per round, so both sides of the difference saw the same moment of this shared machine.
  const appOwnedCpu = median(
    warm.samples.app.map((sample, round) => sample.cpuMicros - (warm.samples.platform[round]?.cpuMicros ?? Number.NaN)),
  );
  const worstCases = worst.cases.map((c) => ({
    name: c.name,
    medianCpuMs: median(c.cpuMs),
    maxCpuMs: Math.max(...c.cpuMs),
    maxWallMs: Math.max(...c.wallMs),
  }));
  const slowestCpuMs = Math.max(...worstCases.map((c) => c.maxCpuMs));
  const memoryMb = manifestMemoryMb();
  const neededMb = Math.ceil(memory.maxRssMb * TARGETS.headroom);

  const billedSeconds = (mb: number) => (CORALOGIX_ROUND_TRIP_MS + (cpu('app') / 1000) * Math.max(1, FULL_CPU_MEMORY_MB / mb)) / 1000;
  const gbSecondsPerMillion = (mb: number) => (mb / 1024) * billedSeconds(mb) * 1e6;
  const dollarsPerMillion = (mb: number) => gbSecondsPerMillion(mb) * USD_PER_GB_SECOND;
  const freeEvents = (mb: number) => 200_000 / ((mb / 1024) * billedSeconds(mb));

  const report = [
    '# Benchmark results',
    '',
    `Produced by \`npm run bench\` (bench/run.ts, bench/probe.ts) on ${new Date().toISOString().slice(0, 10)}, Node ${process.version}, on the backend as \`forge deploy\` bundles it (scripts/build-backend.mjs). Each measurement runs in a Node process of its own against the local Forge platform; the loopback Coralogix receiver runs in another process, so its CPU is not counted. ${delivered} entries reached the receiver.`,
    'Shared, noisy machine: compare the figures of one run, not runs with each other.',
    '',
    '## Against the targets',
    '',
    '| measure | value | target | |',
    '|---|---|---|---|',
    `| deployed bundle of the trigger (${path.basename(trigger.file)}, cold-started per event; no source map) | ${fmt(bundleKb)} KB | ≤ ${TARGETS.bundleKb} KB | ${mark(bundleKb <= TARGETS.bundleKb)} |`,
    `| cold load: require() of the trigger's bundle in a new Node process, median of ${colds.length} | ${fmt(coldLoadMs)} ms | ≤ ${TARGETS.coldLoadMs} ms | ${mark(coldLoadMs <= TARGETS.coldLoadMs)} |`,
    `| app-owned CPU per warm event (median over ${warm.rounds} rounds of ${warm.perRound}) | ${fmt(appOwnedCpu, 0)} µs | ≤ ${TARGETS.appCpuMicros} µs | ${mark(appOwnedCpu <= TARGETS.appCpuMicros)} |`,
    `| slowest event of the worst-case set, CPU | ${fmt(slowestCpuMs)} ms | ≤ ${TARGETS.worstCpuMs} ms | ${mark(slowestCpuMs <= TARGETS.worstCpuMs)} |`,
    `| app.runtime.memoryMB (manifest.yml) vs peak RSS ${fmt(memory.maxRssMb)} MB × ${TARGETS.headroom} = ${neededMb} MB | ${memoryMb} MB | ≥ ${neededMb} MB and ≤ ${TARGETS.memoryMb} MB | ${mark(memoryMb >= neededMb && memoryMb <= TARGETS.memoryMb)} |`,
    '',
    '## Deployed bundles',
    '',
    "One bundle per handler module, as `forge deploy` builds them (no source map); each function loads only its own. The target applies to the trigger's.",
    '',
    '| function | bundle | size |',
    '|---|---|---|',
    ...Object.values(deployed).map(({ functionKey, file }) => `| ${functionKey} | ${path.basename(file)} | ${fmt(kb(file))} KB |`),
    '',
    '## Cold start',
    '',
    "The trigger's bundle, in a new Node process each time.",
    '',
    '| measure | median | min | max |',
    '|---|---|---|---|',
    `| require() of the trigger's bundle, wall | ${fmt(coldLoadMs)} ms | ${fmt(Math.min(...colds.map((r) => r.requireMs)))} ms | ${fmt(Math.max(...colds.map((r) => r.requireMs)))} ms |`,
    `| require() + first event (settings read, enrichment, delivery), wall | ${fmt(coldStartMs)} ms | ${fmt(Math.min(...colds.map((r) => r.coldStartMs)))} ms | ${fmt(Math.max(...colds.map((r) => r.coldStartMs)))} ms |`,
    `| require() + first event, CPU | ${fmt(median(colds.map((r) => r.coldStartCpuMs)))} ms | | |`,
    '',
    '## CPU per warm event',
    '',
    `Three kinds of work in rounds of ${warm.perRound} events, in a new random order each round: the app's full trigger path; the platform's share of any event (an invocation that POSTs the same entry through the runtime's guarded fetch: invocation wrapper, egress guard, HTTP client); and the bare POST with the same HTTP client. App-owned = app − platform, per round.`,
    '',
    '| work | CPU µs / event | wall µs / event |',
    '|---|---|---|',
    `| app: full trigger path | ${fmt(cpu('app'), 0)} | ${fmt(wall('app') * 1000, 0)} |`,
    `| platform: invocation + guarded POST of the same entry | ${fmt(cpu('platform'), 0)} | ${fmt(wall('platform') * 1000, 0)} |`,
    `| bare POST (HTTP client only) | ${fmt(cpu('limit'), 0)} | ${fmt(wall('limit') * 1000, 0)} |`,
    `| **app-owned** (app − platform) | **${fmt(appOwnedCpu, 0)}** | |`,
    `| emulator's own share (platform − bare POST) | ${fmt(cpu('platform') - cpu('limit'), 0)} | |`,
    '',
    `Platform calls per warm event: ${fmt(warm.callsPerEvent.egress, 3)} Coralogix requests (target ≤ 1: ${mark(warm.callsPerEvent.egress <= 1)}), ${fmt(warm.callsPerEvent.kvs, 4)} KVS operations (target ≤ 0.01: ${mark(warm.callsPerEvent.kvs <= 0.01)}), ${fmt(warm.callsPerEvent.bitbucket, 4)} Bitbucket API calls.`,
    '',
    `Loopback ratio (secondary): the app delivers ${fmt(wall('limit') / wall('app'), 2)} × as many events per second as bare POSTs of its entries.`,
    '',
    '## Worst cases',
    '',
    'Each case 5 times, distinct events, on a warm instance; every event delivered.',
    '',
    '| case | CPU median | CPU max | wall max |',
    '|---|---|---|---|',
    ...worstCases.map((c) => `| ${c.name} | ${fmt(c.medianCpuMs)} ms | ${fmt(c.maxCpuMs)} ms | ${fmt(c.maxWallMs)} ms |`),
    '',
    '## Memory',
    '',
    '| process | peak RSS | heap used at end |',
    '|---|---|---|',
    `| the trigger's bundle after 3,000 events and the worst cases 3 times | ${fmt(memory.maxRssMb)} MB | ${fmt(memory.heapUsedMb)} MB |`,
    `| the platform emulation alone, same number of POSTs | ${fmt(baseline.maxRssMb)} MB | ${fmt(baseline.heapUsedMb)} MB |`,
    '',
    'The memory setting is chosen against the whole process (app and emulation together), which overstates the app.',
    '',
    '## Backlog drain',
    '',
    `${backlog.events} ordinary pushes kept while Coralogix could not be reached, then drained (${backlog.runs} drain ${backlog.runs === 1 ? 'run' : 'runs'}, as far apart as the drain asks) into the strict receiver. Storage units are Forge's 10 KB units, counted by the local platform: for the backlog's whole life (the failed attempts, keeping, counting, draining, deleting), and for the drain alone.`,
    '',
    '| measure | value |',
    '|---|---|',
    `| drain throughput here (CPU-bound, storage answering at once) | ${fmt(backlog.events / (backlog.drainWallMs / 1000), 0)} events/s (${fmt(backlog.drainCpuMs / backlog.events, 2)} ms CPU per event) |`,
    `| requests to Coralogix | ${fmt((backlog.requests / backlog.events) * 1000, 2)} per 1,000 events (${backlog.requests} in all; target ≤ 5: ${mark((backlog.requests / backlog.events) * 1000 <= 5)}) |`,
    `| storage per backlogged event, whole life | ${fmt(backlog.readUnits / backlog.events, 2)} read units, ${fmt(backlog.writeUnits / backlog.events, 2)} write units (${backlog.rateLimited} requests refused for the rate limit) |`,
    `| storage per backlogged event, drain alone | ${fmt(backlog.drainReadUnits / backlog.events, 2)} read units, ${fmt(backlog.drainWriteUnits / backlog.events, 2)} write units |`,
    `| drain throughput on Forge, paced to ${DRAIN_READ_UNITS_PER_MINUTE} read units a minute (half the installation's limit) | ${fmt(drainPerMinute, 0)} events/minute at most: 70,000 events in ${fmt(70_000 / drainPerMinute, 0)} minutes after recovery (target ≤ 60: ${mark(70_000 / drainPerMinute <= 60)}) |`,
    '',
    '## Cost per million events',
    '',
    `Billed duration of a warm event ≈ a stated Coralogix round trip of ${CORALOGIX_ROUND_TRIP_MS} ms + the event's whole CPU time here (${fmt(cpu('app') / 1000, 2)} ms, app and platform), stretched by ${FULL_CPU_MEMORY_MB} MB / memory where Forge gives less than a full CPU (an assumption: Forge runs on AWS Lambda, which allocates CPU in proportion to memory). Forge: $${USD_PER_GB_SECOND} per GB-s beyond 200,000 GB-s per app per month. Cold starts (${fmt(median(colds.map((r) => r.coldStartCpuMs)))} ms CPU here, stretched alike) come on top, once per new instance.`,
    '',
    '| memory | billed ms per event | GB-s per million events | $ per million events (beyond the free tier) | events per month within the free tier |',
    '|---|---|---|---|---|',
    ...[memoryMb, FORGE_DEFAULT_MEMORY_MB].map(
      (mb) =>
        `| ${mb} MB${mb === memoryMb ? ' (manifest.yml)' : ' (Forge default)'} | ${fmt(billedSeconds(mb) * 1000)} | ${fmt(gbSecondsPerMillion(mb), 0)} | $${fmt(dollarsPerMillion(mb), 2)} | ${fmt(freeEvents(mb) / 1e6, 1)} million |`,
    ),
    '',
    `Worst cases named: ${WORST_CASES.length}. Reproduce: \`npm run bench\` (BENCH_ROUNDS, BENCH_PER_ROUND, BENCH_COLD_RUNS adjust the sample sizes).`,
    '',
  ].join('\n');
  writeFileSync(path.join(ROOT, 'bench/results.md'), report);
  console.log(report);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
