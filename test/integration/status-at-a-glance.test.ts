import { defaultStoredSettings } from '../../src/core/settings';
import { ResolverKeys, type Envelope, type ResolverKey, type ResolverResults, type StatusState } from '../../src/shared/contract';
import { RETRY_QUEUE_KEY } from '../../src/platform/retry-queue';
import { CoralogixReceiver } from '../../sandbox/coralogix-receiver';
import { ForgePlatform } from '../../sandbox/platform/forge-platform';
import { loadApp, type App } from '../support/app';
import { fixture } from '../support/fixtures';

// Issue 13, at the resolvers: what the status panel and the list of undelivered events are told.
const KEY = 'cxtp_GlanceSuiteKey012345';
const ADMIN = '557058:admin-account';

describe('the status as the settings page reads it', () => {
  let platform: ForgePlatform;
  let receiver: CoralogixReceiver;
  let app: App;
  let now = Date.parse('2026-11-22T09:00:00Z');

  beforeAll(() => {
    jest.spyOn(Date, 'now').mockImplementation(() => now);
    jest.spyOn(console, 'warn').mockImplementation(() => undefined);
  });
  afterAll(() => jest.restoreAllMocks());

  beforeEach(async () => {
    receiver = await CoralogixReceiver.start({ apiKeys: [KEY] });
    platform = new ForgePlatform({ now: () => now });
    platform.routeEgress('ingress.eu1.coralogix.com', receiver.url);
    platform.routeEgress('ingress.us2.coralogix.com', receiver.url);
    platform.bitbucket.serveWorkspaceRoles(platform.workspaceId, { [ADMIN]: 'owner' });
    app = loadApp();
    platform.registerConsumer(RETRY_QUEUE_KEY, (event, context) =>
      app.retryDelivery(event as Parameters<typeof app.retryDelivery>[0], context),
    );
  });
  afterEach(async () => {
    await receiver.close();
    platform.uninstall();
  });

  async function call<K extends ResolverKey>(key: K, payload: unknown, through: App = app): Promise<ResolverResults[K]> {
    const result = await platform.callResolver(through.settingsResolver, key, payload, { accountId: ADMIN });
    if (!result.ok) throw result.error;
    const envelope = result.value as Envelope<ResolverResults[K]>;
    if (!envelope.ok) throw new Error(envelope.error.message);
    return envelope.data;
  }
  const save = (apiKey?: string, changes: Record<string, unknown> = {}) =>
    call(ResolverKeys.saveSettings, { settings: { ...defaultStoredSettings(), ...changes }, ...(apiKey ? { apiKey } : {}) });
  /** The status as another instance reads it: nothing this one only holds in memory. */
  const statusElsewhere = (): Promise<StatusState> => call(ResolverKeys.getStatus, {}, loadApp());

  it('counts a test of the saved key as a delivery, written at once', async () => {
    await save(KEY);
    now += 1_000;
    expect(await call(ResolverKeys.sendTestEvent, {})).toMatchObject({ outcome: 'delivered', countedInHealth: true });
    expect(await statusElsewhere()).toMatchObject({
      lastSuccessAt: now,
      last24h: { delivered: 1, failedAttempts: 0 },
      headline: { state: 'healthy', lastSuccessAt: now },
    });
  });

  it('counts a failed test of the saved key as a failure, and leaves a test of unsaved values out', async () => {
    await save(KEY);
    now += 1_000;
    const unsaved = await call(ResolverKeys.sendTestEvent, { apiKey: 'cxtp_SomeOtherKey000' });
    expect(unsaved).toMatchObject({ outcome: 'key-or-region', countedInHealth: false });
    const otherRegion = await call(ResolverKeys.sendTestEvent, { settings: { ...defaultStoredSettings(), region: 'US2' } });
    expect(otherRegion).toMatchObject({ outcome: 'delivered', countedInHealth: false });
    expect(await statusElsewhere()).toMatchObject({ last24h: { delivered: 0, failedAttempts: 0 }, lastFailure: null });

    receiver.acceptKeys('cxtp_SomeOtherKey000');
    now += 1_000;
    expect(await call(ResolverKeys.sendTestEvent, {})).toMatchObject({ outcome: 'key-or-region', countedInHealth: true });
    expect(await statusElsewhere()).toMatchObject({
      last24h: { failedAttempts: 1 },
      headline: { state: 'failing', since: now, reason: expect.stringContaining('HTTP 403') },
    });
  });

  it('judges the heartbeat against the settings saved since, and says when the backlog is replayed', async () => {
    await platform.invoke(() => app.heartbeat({}, {}));
    expect((await call(ResolverKeys.getStatus, {})).heartbeat).toEqual({ state: 'off', because: 'not-configured' });
    now += 60_000;
    await save('cxtp_WrongKeyForNow0000');
    const afterSave = await call(ResolverKeys.getStatus, {});
    expect(afterSave.lastHeartbeat).toMatchObject({ outcome: 'not-configured' });
    expect(afterSave.heartbeat).toEqual({ state: 'pending', nextBy: now - 60_000 + 3_600_000 });

    now += 1_000;
    await platform.invoke(() => app.forwardEvent(fixture('fulfilled.pullrequest'), {}));
    const refused = await call(ResolverKeys.getStatus, {});
    expect(refused.headline).toMatchObject({ state: 'failing', needsSettings: true });
    const [row] = (await call(ResolverKeys.listBacklog, {})).items;
    expect(row).toMatchObject({ cause: 'configuration', description: { repository: 'payments-api', summary: 'PR #42 merged' } });

    now += 60_000;
    await save(KEY);
    const fixed = await call(ResolverKeys.getStatus, {});
    expect(fixed).toMatchObject({
      settingsSavedAt: now,
      headline: { state: 'catching-up', waiting: 1 },
      backlog: { count: 1, scheduledDrainAt: now },
    });
    await platform.invoke(() => app.heartbeat({}, {}));
    expect((await call(ResolverKeys.getStatus, {})).heartbeat).toEqual({ state: 'delivered', at: now, nextBy: now + 3_600_000 });
  });
});
