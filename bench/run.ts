import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { build } from 'esbuild';
import { CoralogixReceiver } from '../sandbox/coralogix-receiver';
import { ForgePlatform, unguardedFetch } from '../sandbox/platform/forge-platform';

// `npm run bench`: the app's full trigger path against the physical limit of this machine — plain
// HTTP POSTs of the same entries to the same loopback receiver — side by side in one run, plus the
// per-event platform costs and the size and cold-load time of the bundled backend.

const ROOT = path.resolve(__dirname, '..');
const EVENTS = Number(process.env.BENCH_EVENTS ?? 1000);
const REPOSITORIES = 10;
const ROUND = 100;
const KEY = 'cxtp_BenchmarkKey0123456789';
const WORKSPACE = '{1493262c-9c7d-4c3f-ba70-776ad841d429}';
const ACTORS = [
  { accountId: '47715e05872dd4f112f819af', uuid: '{0c721233-0ec6-4912-975e-6980a68de120}', name: 'Test User Alpha' },
  { accountId: '712020:c1bd0dde-cb2b-44f4-9a91-7da2b5f15ec6', uuid: '{cc8fcafc-9b99-43d5-850b-2f7b38bb8787}', name: 'Test User Bravo' },
];

type App = typeof import('../src/index');

/**
 * A new app instance, as after a cold start: the bundle Forge would run (src/index.ts bundled and
 * minified), loaded again, so every cache in it is empty.
 */
function freshApp(bundleFile: string): App {
  delete require.cache[bundleFile];
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(bundleFile) as App;
}

function repositoryUuid(index: number): string {
  return `{00000000-0000-4000-8000-${String(index).padStart(12, '0')}}`;
}

/** A burst of pushes over 10 repositories by two people, each event distinct. */
function burst(count: number, offset: number): Array<Record<string, unknown>> {
  return Array.from({ length: count }, (_, i) => {
    const actor = ACTORS[i % ACTORS.length] as (typeof ACTORS)[number];
    const n = offset + i;
    return {
      eventType: 'avi:bitbucket:push:repository',
      timestamp: new Date(Date.parse('2026-11-09T12:00:00Z') + n * 1000).toISOString(),
      selfGenerated: false,
      actor: { type: 'user', accountId: actor.accountId, uuid: actor.uuid },
      repository: { uuid: repositoryUuid(i % REPOSITORIES), slug: `service-${i % REPOSITORIES}` },
      project: { uuid: '{e3c27c57-ddc4-4c1d-a224-842f254fc165}' },
      workspace: { uuid: WORKSPACE },
      push: {
        ref: 'main',
        mainbranch: true,
        before: n.toString(16).padStart(40, '0'),
        after: (n + 1).toString(16).padStart(40, '0'),
        created: false,
        closed: false,
        forced: false,
        truncated: false,
        commits: [{ hash: (n + 1).toString(16).padStart(40, '0'), message: { value: `Change ${n}\n`, truncated: false }, date: '2026-11-09T12:00:00Z', author: { user: { type: 'user', accountId: actor.accountId, uuid: actor.uuid } } }],
      },
    };
  });
}

function serveBitbucket(platform: ForgePlatform): void {
  for (let i = 0; i < REPOSITORIES; i += 1) {
    platform.bitbucket.serve(`/2.0/repositories/${WORKSPACE}/${repositoryUuid(i)}`, {
      type: 'repository',
      uuid: repositoryUuid(i),
      name: `service-${i}`,
      slug: `service-${i}`,
      full_name: `acme-payments/service-${i}`,
      is_private: true,
      scm: 'git',
      links: { html: { href: `https://bitbucket.org/acme-payments/service-${i}` } },
      project: { type: 'project', uuid: '{e3c27c57-ddc4-4c1d-a224-842f254fc165}', key: 'PAY', name: 'Payments' },
      workspace: { type: 'workspace', uuid: WORKSPACE, slug: 'acme-payments', name: 'Acme Payments' },
    });
  }
  for (const actor of ACTORS) {
    platform.bitbucket.serve(`/2.0/users/${actor.accountId}`, { type: 'user', uuid: actor.uuid, account_id: actor.accountId, display_name: actor.name, nickname: actor.name.split(' ').at(-1)?.toLowerCase() });
  }
}

/** The exact entries the app sends for these events, as a receiver records them. */
async function captureEntries(bundleFile: string, events: Array<Record<string, unknown>>): Promise<unknown[]> {
  const capture = await CoralogixReceiver.start({ apiKeys: [KEY] });
  const scratch = new ForgePlatform();
  scratch.routeEgress('ingress.eu1.coralogix.com', capture.url);
  serveBitbucket(scratch);
  scratch.bitbucket.serveWorkspaceRoles(scratch.workspaceId, { admin: 'owner' });
  const app = freshApp(bundleFile);
  await scratch.callResolver(app.settingsResolver, 'settings/save', {
    settings: { region: 'EU1', applicationName: 'bench', subsystemName: 'bitbucket', forwardingEnabled: true, forwardedEvents: ['avi:bitbucket:push:repository'] },
    apiKey: KEY,
  }, { accountId: 'admin' });
  for (const event of events) await scratch.invoke(() => app.forwardEvent(event, {}));
  await capture.close();
  scratch.uninstall();
  if (capture.entries.length !== events.length) throw new Error('the capture run lost entries');
  return [...capture.entries];
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

interface Run {
  seconds: number;
  latencies: number[];
}

async function timed(count: number, step: (index: number) => Promise<void>): Promise<Run> {
  const latencies: number[] = [];
  const started = process.hrtime.bigint();
  for (let i = 0; i < count; i += 1) {
    const t0 = process.hrtime.bigint();
    await step(i);
    latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  return { seconds: Number(process.hrtime.bigint() - started) / 1e9, latencies: latencies.sort((a, b) => a - b) };
}

function combine(runs: Run[]): Run {
  return { seconds: runs.reduce((sum, run) => sum + run.seconds, 0), latencies: runs.flatMap((run) => run.latencies).sort((a, b) => a - b) };
}

interface Costs {
  egress: number;
  kvsReads: number;
  kvsWrites: number;
  bitbucket: number;
}

function snapshot(platform: ForgePlatform): Costs {
  return { egress: platform.egressCounters.requests, kvsReads: platform.kvs.counters.reads, kvsWrites: platform.kvs.counters.writes, bitbucket: platform.bitbucket.calls.length };
}

function perEvent(after: Costs, before: Costs, events: number) {
  return {
    egress: (after.egress - before.egress) / events,
    kvs: (after.kvsReads - before.kvsReads + after.kvsWrites - before.kvsWrites) / events,
    kvsReads: (after.kvsReads - before.kvsReads) / events,
    kvsWrites: (after.kvsWrites - before.kvsWrites) / events,
    bitbucket: (after.bitbucket - before.bitbucket) / events,
  };
}

async function bundleBackend(): Promise<{ bytes: number; file: string }> {
  const dir = mkdtempSync(path.join(tmpdir(), 'bench-bundle-'));
  const file = path.join(dir, 'index.js');
  const result = await build({ entryPoints: [path.join(ROOT, 'src/index.ts')], bundle: true, platform: 'node', target: 'node20', format: 'cjs', minify: true, outfile: file, metafile: true, logLevel: 'silent' });
  return { bytes: Object.values(result.metafile.outputs).reduce((sum, output) => sum + output.bytes, 0), file };
}

/** Time for a new Node process to load the bundle (require only), median of several runs. */
function coldLoadMs(file: string, runs = 9): number[] {
  const probe = `const t=process.hrtime.bigint();require(${JSON.stringify(file)});process.stdout.write(String(Number(process.hrtime.bigint()-t)/1e6));`;
  return Array.from({ length: runs }, () => Number(execFileSync(process.execPath, ['-e', probe], { encoding: 'utf8' }))).sort((a, b) => a - b);
}

const fmt = (value: number, digits = 2) => (Number.isFinite(value) ? value.toFixed(digits) : 'n/a');
const mark = (ok: boolean) => (ok ? 'met' : '**missed**');

async function main(): Promise<void> {
  const quiet = console.warn;
  console.warn = () => undefined;
  const bundle = await bundleBackend();
  // The same entries the app sends, prepared once, for the physical limit: captured at a receiver
  // from a run of the app over the same events on a throwaway platform (before the measured one).
  const warmEvents = burst(EVENTS, EVENTS);
  const entries = await captureEntries(bundle.file, warmEvents);

  const receiver = await CoralogixReceiver.start({ apiKeys: [KEY] });
  const platform = new ForgePlatform();
  platform.routeEgress('ingress.eu1.coralogix.com', receiver.url);
  serveBitbucket(platform);

  let app = freshApp(bundle.file);
  // Configured the way an admin does it: through the settings page's resolver.
  platform.bitbucket.serveWorkspaceRoles(platform.workspaceId, { admin: 'owner' });
  const saved = await platform.callResolver(app.settingsResolver, 'settings/save', {
    settings: { region: 'EU1', applicationName: 'bench', subsystemName: 'bitbucket', forwardingEnabled: true, forwardedEvents: ['avi:bitbucket:push:repository'] },
    apiKey: KEY,
  }, { accountId: 'admin' });
  if (!saved.ok || !(saved.value as { ok?: boolean }).ok) throw new Error('could not save the settings');
  app = freshApp(bundle.file);

  // Cold: a new instance, empty caches, the burst of EVENTS over 10 repositories.
  const coldEvents = burst(EVENTS, 0);
  const coldBefore = snapshot(platform);
  const coldRun = await timed(EVENTS, async (i) => {
    await platform.invoke(() => app.forwardEvent(coldEvents[i], {}));
  });
  const cold = perEvent(snapshot(platform), coldBefore, EVENTS);

  const url = `${receiver.url}/logs/v1/singles`;
  const fetch = unguardedFetch();
  const postPrepared = async (i: number) => {
    const response = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${KEY}` }, body: JSON.stringify([entries[i]]) });
    await response.text();
    if (response.status !== 200) throw new Error(`limit run: HTTP ${response.status}`);
  };

  // Warm: the same instance again (settings cached, enrichment warm). The limit and the app run in
  // alternating rounds, so a noisy neighbour on this shared machine weighs on both alike.
  const warmBefore = snapshot(platform);
  const limitRuns: Run[] = [];
  const appRuns: Run[] = [];
  for (let start = 0; start < EVENTS; start += ROUND) {
    const count = Math.min(ROUND, EVENTS - start);
    limitRuns.push(await timed(count, (i) => postPrepared(start + i)));
    appRuns.push(
      await timed(count, async (i) => {
        await platform.invoke(() => app.forwardEvent(warmEvents[start + i], {}));
      }),
    );
  }
  const warm = perEvent(snapshot(platform), warmBefore, EVENTS);
  const limitRun = combine(limitRuns);
  const appRun = combine(appRuns);
  const delivered = receiver.requests.filter((request) => request.status === 200).length;

  const loads = coldLoadMs(bundle.file);
  await receiver.close();
  platform.uninstall();
  console.warn = quiet;

  const limitRate = EVENTS / limitRun.seconds;
  const appRate = EVENTS / appRun.seconds;
  const ratio = appRate / limitRate;
  const added = (p: number) => percentile(appRun.latencies, p) - percentile(limitRun.latencies, p);
  const coldLoad = percentile(loads, 50);
  const rows = [
    ['Throughput, events/s', fmt(limitRate, 0), fmt(appRate, 0), `ratio ${fmt(ratio)}`, '≥ 0.8', mark(ratio >= 0.8)],
    ['Latency p50, ms', fmt(percentile(limitRun.latencies, 50)), fmt(percentile(appRun.latencies, 50)), `+${fmt(added(50))}`, '', ''],
    ['Latency p99, ms', fmt(percentile(limitRun.latencies, 99)), fmt(percentile(appRun.latencies, 99)), `+${fmt(added(99))}`, '', ''],
  ];
  const costRows = [
    ['Egress requests / event', fmt(cold.egress, 3), fmt(warm.egress, 3), '≤ 1', mark(cold.egress <= 1 && warm.egress <= 1)],
    ['KVS operations / event', `${fmt(cold.kvs, 4)} (${fmt(cold.kvsReads, 4)} r, ${fmt(cold.kvsWrites, 4)} w)`, `${fmt(warm.kvs, 4)} (${fmt(warm.kvsReads, 4)} r, ${fmt(warm.kvsWrites, 4)} w)`, '≤ 0.01 warm', mark(warm.kvs <= 0.01)],
    ['Bitbucket API calls / event', fmt(cold.bitbucket, 4), fmt(warm.bitbucket, 4), '≤ 0.02 on the burst', mark(cold.bitbucket <= 0.02 && warm.bitbucket <= 0.02)],
  ];
  const command = 'npm run bench';
  const report = [
    '# Benchmark results',
    '',
    `Produced by \`${command}\` (bench/run.ts) on ${new Date().toISOString().slice(0, 10)}, Node ${process.version}, ${EVENTS} push events over ${REPOSITORIES} repositories by 2 people, sent one at a time to a loopback Coralogix receiver.`,
    'Shared, noisy machine: compare the columns of one run, not runs with each other.',
    '',
    '## Against the physical limit',
    '',
    'The limit is plain HTTP POSTs of the same prepared entries (one per request, as the app sends them) to the same receiver, with the same HTTP client; the app is the full trigger path of the bundled backend on the emulated Forge platform (real @forge/* SDKs), warm: settings cached, enrichment from the instance cache. The two run in alternating rounds of 100 events.',
    '',
    '| measure | physical limit | app | app vs limit | target | |',
    '|---|---|---|---|---|---|',
    ...rows.map((row) => `| ${row.join(' | ')} |`),
    '',
    '## Platform costs per event',
    '',
    `Cold: a new instance with empty caches takes the burst; warm: the same instance takes another ${EVENTS}. ${delivered} requests reached the receiver in all (both app runs and the limit run).`,
    '',
    '| measure | cold | warm | target | |',
    '|---|---|---|---|---|',
    ...costRows.map((row) => `| ${row.join(' | ')} |`),
    `| Throughput, events/s (for reference) | ${fmt(EVENTS / coldRun.seconds, 0)} | ${fmt(appRate, 0)} | | |`,
    '',
    '## Backend bundle',
    '',
    '| measure | value | target | |',
    '|---|---|---|---|',
    `| src/index.ts bundled and minified (esbuild, node20, cjs) | ${fmt(bundle.bytes / 1024, 1)} KB | ≤ 300 KB | ${mark(bundle.bytes <= 300 * 1024)} |`,
    `| cold load: require() of the bundle in a new Node process, median of ${loads.length} (min ${fmt(loads[0] ?? NaN)}, max ${fmt(loads.at(-1) ?? NaN)}) | ${fmt(coldLoad)} ms | ≤ 150 ms | ${mark(coldLoad <= 150)} |`,
    '',
  ].join('\n');
  writeFileSync(path.join(ROOT, 'bench/results.md'), report);
  console.log(report);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
