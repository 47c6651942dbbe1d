import { kvs } from '@forge/kvs';
import { EVENT_TYPES } from '../../src/core/catalog';
import { defaultStoredSettings, type StoredSettings } from '../../src/core/settings';
import { decodeEvent } from '../../src/core/events';
import { eventIdOf } from '../../src/core/event-id';
import { severityOf } from '../../src/core/severity';
import { forwardEvent } from '../../src/index';
import { invalidateSettingsCache, SETTINGS_MAX_STALENESS_MS } from '../../src/platform/settings-cache';
import { writeSettings } from '../../src/platform/settings-store';
import { StorageKeys } from '../../src/platform/storage-keys';
import { CoralogixReceiver } from '../../sandbox/coralogix-receiver';
import { ForgePlatform } from '../../sandbox/platform/forge-platform';
import { fixture, loadEventFixtures } from '../support/fixtures';

// The real trigger handler, with the real @forge/kvs and @forge/api, on the local Forge platform,
// sending to the strict Coralogix contract receiver over loopback.
const API_KEY = 'cxtp_IntegrationKey0123456789';
const console$ = { lines: [] as string[] };

describe('forwarding Bitbucket events to Coralogix', () => {
  let platform: ForgePlatform;
  let receiver: CoralogixReceiver;

  beforeAll(async () => {
    receiver = await CoralogixReceiver.start({ apiKeys: [API_KEY] });
    for (const method of ['log', 'info', 'warn', 'error', 'debug'] as const) {
      jest.spyOn(console, method).mockImplementation((...args: unknown[]) => {
        console$.lines.push(args.map(String).join(' '));
      });
    }
  });
  afterAll(async () => {
    await receiver.close();
    // Forge logs are visible to the app vendor: whatever the app printed, the key was never in it.
    expect(console$.lines.join('\n')).not.toContain(API_KEY);
    jest.restoreAllMocks();
  });

  beforeEach(() => {
    platform = new ForgePlatform();
    platform.routeEgress('ingress.eu1.coralogix.com', receiver.url);
    invalidateSettingsCache();
    receiver.entries.length = 0;
  });
  afterEach(() => platform.uninstall());

  const configure = (changes: Partial<StoredSettings> = {}, apiKey: string = API_KEY) =>
    writeSettings({ ...defaultStoredSettings(), applicationName: 'acme-prod', subsystemName: 'bitbucket-audit', ...changes }, apiKey);

  const trigger = (payload: unknown) => platform.invoke(() => forwardEvent(payload, { installContext: platform.installContext }));

  describe.each(loadEventFixtures().map((f) => [f.name, f] as const))('the %s event', (_name, f) => {
    it('arrives as one well-formed entry', async () => {
      await configure();
      const result = await trigger(f.payload);
      expect(result).toEqual({ ok: true, value: expect.objectContaining({ status: 'handled', attempt: { result: 'delivered' } }) });
      expect(receiver.entries).toHaveLength(1);
      const [entry] = receiver.entries;
      const decoded = decodeEvent(f.payload);
      if (!decoded.ok) throw new Error('fixture must decode');
      expect(entry).toMatchObject({
        applicationName: 'acme-prod',
        subsystemName: 'bitbucket-audit',
        severity: severityOf(decoded.event),
        className: f.eventType,
        timestamp: expect.any(Number),
      });
      const text = JSON.parse(entry?.text ?? '');
      expect(text).toMatchObject({
        source_system: 'bitbucket',
        event: { id: eventIdOf(f.payload), type: f.eventType },
        bitbucket: { repository: { uuid: (f.payload.repository as { uuid: string }).uuid } },
      });
    });
  });

  it('delivers all twenty event types', async () => {
    await configure();
    for (const f of loadEventFixtures()) await trigger(f.payload);
    expect(new Set(receiver.entries.map((entry) => entry.className))).toEqual(new Set(EVENT_TYPES));
  });

  it('sends to the ingress of the configured region', async () => {
    platform.routeEgress('ingress.ap2.coralogix.com', receiver.url);
    await configure({ region: 'AP2' });
    await trigger(fixture('created.repository'));
    expect(platform.egressCounters.hosts).toEqual(['ingress.ap2.coralogix.com']);
    expect(receiver.entries).toHaveLength(1);
  });

  it('skips cleanly, with one log line, when the app is not configured', async () => {
    const before = console$.lines.length;
    const result = await trigger(fixture('push.repository'));
    expect(result.ok).toBe(true);
    expect(receiver.entries).toHaveLength(0);
    expect(console$.lines.slice(before)).toEqual(['Coralogix forwarding is not configured yet; event skipped']);
  });

  it('skips when forwarding is switched off', async () => {
    await configure({ forwardingEnabled: false });
    await trigger(fixture('push.repository'));
    expect(receiver.entries).toHaveLength(0);
  });

  it('forwards only the events the admin selected', async () => {
    await configure({ forwardedEvents: ['avi:bitbucket:deleted:repository'] });
    await trigger(fixture('push.repository'));
    await trigger(fixture('deleted.repository'));
    expect(receiver.entries.map((entry) => entry.className)).toEqual(['avi:bitbucket:deleted:repository']);
  });

  it('forwards an event it cannot read as a raw, marked entry', async () => {
    await configure();
    const payload = fixture('created.pullrequest');
    delete payload.pullrequest;
    const result = await trigger(payload);
    expect(result.ok).toBe(true);
    expect(receiver.entries).toHaveLength(1);
    expect(receiver.entries[0]).toMatchObject({ severity: 4, className: 'avi:bitbucket:created:pullrequest' });
    expect(JSON.parse(receiver.entries[0]?.text ?? '')).toMatchObject({ event: { unrecognised: true }, forge_payload: payload });
  });

  it('keeps an event refused for its key in the backlog, without the key', async () => {
    await configure({}, 'cxtp_WrongKey000000000');
    const result = await trigger(fixture('push.repository'));
    expect(result.ok).toBe(true);
    expect(receiver.entries).toHaveLength(0);
    const summaries = platform.kvs.keys().filter((key) => key.startsWith(StorageKeys.backlogItemPrefix));
    const bodies = platform.kvs.keys().filter((key) => key.startsWith(StorageKeys.backlogBodyPrefix));
    expect(summaries).toHaveLength(1);
    expect(bodies).toHaveLength(1);
    expect(platform.kvs.peek(summaries[0] as string)).toMatchObject({
      cause: 'configuration',
      eventType: 'avi:bitbucket:push:repository',
      attempts: 1,
      held: false,
    });
    expect(platform.kvs.peek(bodies[0] as string)).toMatchObject({
      eventType: 'avi:bitbucket:push:repository',
      entry: { className: 'avi:bitbucket:push:repository' },
    });
    for (const key of [...summaries, ...bodies]) expect(JSON.stringify(platform.kvs.peek(key))).not.toContain('cxtp_WrongKey');
  });

  it('keeps an event in the backlog when Coralogix is unavailable, and asks for one drain', async () => {
    await configure();
    receiver.inject({ kind: 'status', status: 503 });
    const result = await trigger(fixture('push.repository'));
    expect(result.ok).toBe(true);
    expect(result.value).toMatchObject({
      status: 'handled',
      attempt: { result: 'backlogged', cause: 'unavailable', held: false, reason: expect.stringContaining('HTTP 503') },
    });
    expect(platform.queue.pending).toHaveLength(1);
    expect(platform.queue.pending[0]?.body).toEqual({ kind: 'drain' });
    receiver.inject({ kind: 'status', status: 503 });
    await trigger(fixture('deleted.repository'));
    expect(platform.queue.pending).toHaveLength(1);
  });

  it('reads settings once for a burst of events, and again once they may be stale', async () => {
    await configure();
    let now = Date.now();
    const clock = jest.spyOn(Date, 'now').mockImplementation(() => now);
    try {
      // Counted at the wire: requests for the settings document or the key (enrichment has its own cache).
      let settingsReads = 0;
      const serve = platform.kvs.handle.bind(platform.kvs);
      platform.kvs.handle = (path: string, init?: RequestInit) => {
        const body = String(init?.body ?? '');
        if (body.includes(StorageKeys.settings) || body.includes(StorageKeys.apiKeySecret)) settingsReads += 1;
        return serve(path, init);
      };
      for (let i = 0; i < 20; i += 1) await trigger(fixture('push.repository'));
      expect(settingsReads).toBe(2);
      now += SETTINGS_MAX_STALENESS_MS;
      await trigger(fixture('push.repository'));
      expect(settingsReads).toBe(4);
    } finally {
      clock.mockRestore();
    }
    expect(receiver.entries).toHaveLength(21);
  });

  it('keeps the key in secret storage, not among ordinary values', async () => {
    await configure();
    expect(platform.kvs.peekSecret(StorageKeys.apiKeySecret)).toBe(API_KEY);
    expect(JSON.stringify(platform.kvs.keys().map((key) => platform.kvs.peek(key)))).not.toContain(API_KEY);
    expect(await kvs.get(StorageKeys.apiKeySecret)).toBeUndefined();
  });
});
