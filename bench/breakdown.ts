import { CoralogixReceiver } from '../sandbox/coralogix-receiver';
import { ForgePlatform, unguardedFetch } from '../sandbox/platform/forge-platform';
import type { CoralogixEntry } from '../src/core/coralogix-entry';
import { transformEvent } from '../src/core/entry';
import { forwardEvent } from '../src/index';
import { writeSettings } from '../src/platform/settings-store';
import { sendEntries } from '../src/platform/transport';
import { INGRESS_HOST, KEY, ordinaryPush, serveBitbucket } from './workload';

// `npm run bench:breakdown`: where the app's added latency goes. Each step of the trigger path is
// timed alone and in combination, interleaved in rounds so machine noise weighs on all alike.

const ROUNDS = 15;
const PER_ROUND = 200;

async function main(): Promise<void> {
  const receiver = await CoralogixReceiver.start({ apiKeys: [KEY] });
  const platform = new ForgePlatform();
  platform.routeEgress(INGRESS_HOST, receiver.url);
  serveBitbucket(platform);
  const destination = { applicationName: 'bench', subsystemName: 'bitbucket' };
  await writeSettings({ region: 'EU1', ...destination, forwardingEnabled: true, forwardedEvents: ['avi:bitbucket:push:repository'] }, KEY);
  for (let i = 0; i < 500; i += 1) await platform.invoke(() => forwardEvent(ordinaryPush(i), {}));
  // The receiver hands back what the app sent, so these are the app's own entries.
  const prepared = receiver.entries.slice(0, 500) as CoralogixEntry[];
  const fetch = unguardedFetch();
  const url = `${receiver.url}/logs/v1/singles`;
  const target = { region: 'EU1' as const, apiKey: KEY };

  const steps: Array<[string, (n: number) => Promise<unknown> | unknown]> = [
    [
      'plain POST of a prepared entry (the limit)',
      async (n) =>
        (
          await fetch(url, {
            method: 'POST',
            headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${KEY}` },
            body: JSON.stringify([prepared[n % 500]]),
          })
        ).text(),
    ],
    ['app transport, prepared entry', (n) => platform.invoke(() => sendEntries(target, [prepared[n % 500] as CoralogixEntry]))],
    ['transform alone (no I/O)', (n) => transformEvent(ordinaryPush(n), { destination, receivedAtMs: 0 })],
    [
      'transform, then app transport',
      (n) => platform.invoke(() => sendEntries(target, [transformEvent(ordinaryPush(n), { destination, receivedAtMs: 0 }).entry])),
    ],
    ['full trigger (forwardEvent)', (n) => platform.invoke(() => forwardEvent(ordinaryPush(n), {}))],
  ];
  const totals = new Map<string, number>();
  let n = 10_000;
  for (let round = 0; round < ROUNDS; round += 1) {
    for (const [name, step] of steps) {
      const started = process.hrtime.bigint();
      for (let i = 0; i < PER_ROUND; i += 1) await step((n += 1));
      totals.set(name, (totals.get(name) ?? 0) + Number(process.hrtime.bigint() - started) / 1e3 / PER_ROUND);
    }
  }
  console.log('| step | mean µs per event |\n|---|---|');
  for (const [name] of steps) console.log(`| ${name} | ${((totals.get(name) ?? 0) / ROUNDS).toFixed(0)} |`);
  await receiver.close();
  platform.uninstall();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
