import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CoralogixReceiver } from '../../sandbox/coralogix-receiver';
import { buildProbe, runProbe } from '../../bench/probe-client';
import { KEY, WORST_CASES } from '../../bench/workload';
import { DEPLOYED_BUNDLES } from '../support/deployed-app';

// `npm run bench` measures through bench/probe.ts; this runs every probe mode on a few events, so a
// change that breaks the benchmark (or makes one of its events undeliverable) fails here, not on
// the day someone measures. Only shapes and counts are checked: no figure depends on this machine.
// The probe takes each handler from its own function's deployed bundle (the trigger's for events,
// the consumer's for the drain, the resolver's for the settings), as the benchmark does.

const ROOT = path.resolve(__dirname, '../..');

describe('benchmark probe on the deployed bundles', () => {
  let receiver: CoralogixReceiver;
  let probeFile: string;
  let options: Record<string, unknown>;

  beforeAll(async () => {
    const work = mkdtempSync(path.join(tmpdir(), 'bench-probe-test-'));
    probeFile = path.join(work, 'probe.cjs');
    buildProbe(probeFile);
    receiver = await CoralogixReceiver.start({ apiKeys: [KEY] });
    options = {
      bundles: DEPLOYED_BUNDLES,
      manifest: path.join(ROOT, 'manifest.yml'),
      receiverUrl: receiver.url,
      kvsFile: path.join(work, 'kvs.json'),
    };
  });

  afterAll(async () => {
    await receiver.close();
  });

  // Asynchronously: the receiver runs in this process and must answer while the probe runs.
  const probe = (mode: string, extra: Record<string, unknown> = {}) =>
    runProbe<Record<string, unknown>>(probeFile, mode, { ...options, ...extra });

  it('configures through the resolver, then measures a cold start that delivers its event', async () => {
    expect(await probe('setup')).toEqual({ saved: true });
    const before = receiver.entries.length;
    const cold = await probe('cold');
    expect(Object.keys(cold).sort()).toEqual(['coldStartCpuMs', 'coldStartMs', 'loaded', 'requireCpuMs', 'requireMs']);
    // Cold load is the trigger's: Forge cold-starts that bundle for an event, and nothing else.
    expect(cold.loaded).toEqual([DEPLOYED_BUNDLES.forwardEvent]);
    expect(receiver.entries.length).toBe(before + 1);
  });

  it('measures warm rounds of all three kinds, each event delivered to the parent receiver', async () => {
    const before = receiver.entries.length;
    const warm = (await probe('warm', { rounds: 2, perRound: 3 })) as {
      samples: Record<string, unknown[]>;
      callsPerEvent: Record<string, number>;
    };
    expect(Object.fromEntries(Object.entries(warm.samples).map(([kind, samples]) => [kind, samples.length]))).toEqual({
      app: 2,
      platform: 2,
      limit: 2,
    });
    expect(warm.callsPerEvent.egress).toBe(1);
    // The priming events went to the probe's own capture receiver; the rounds came here.
    expect(receiver.entries.length - before).toBe(3 * 2 * 3);
  });

  it('delivers every worst case, and reports peak memory with and without the app', async () => {
    const worst = (await probe('worst')) as { cases: Array<{ name: string; cpuMs: number[] }> };
    expect(worst.cases.map((c) => [c.name, c.cpuMs.length])).toEqual(WORST_CASES.map((c) => [c.name, 5]));
    for (const mode of ['memory', 'memory-baseline']) expect((await probe(mode, { rounds: 5 })).maxRssMb).toEqual(expect.any(Number));
  });

  it('keeps a backlog while Coralogix cannot be reached, then drains all of it into the parent receiver', async () => {
    const before = receiver.entries.length;
    const drained = (await probe('drain', { rounds: 30 })) as {
      events: number;
      requests: number;
      readUnits: number;
      writeUnits: number;
      rateLimited: number;
    };
    expect(drained).toMatchObject({ events: 30, requests: 1, rateLimited: 0 });
    expect(drained.readUnits).toBeGreaterThan(0);
    expect(drained.writeUnits).toBeGreaterThan(0);
    expect(receiver.entries.length - before).toBe(30);
  });
});
