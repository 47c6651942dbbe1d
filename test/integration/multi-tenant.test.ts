import { OMITTED } from '../../src/core/privacy';
import { defaultStoredSettings, type StoredSettings } from '../../src/core/settings';
import { RETRY_QUEUE_KEY } from '../../src/platform/retry-queue';
import { StorageKeys } from '../../src/platform/storage-keys';
import { CoralogixReceiver } from '../../sandbox/coralogix-receiver';
import { ForgePlatform, type Installation } from '../../sandbox/platform/forge-platform';
import { loadApp, type App } from '../support/app';
import { bitbucketRestFixtures, distinctEvents, loadEventFixtures } from '../support/fixtures';

// Real Forge serves every workspace that installed the app from the same loaded code. Two workspaces
// with different keys, regions and settings share one warm instance here, their invocations
// interleaved; each event must reach only its own workspace's Coralogix, with its own key, and each
// workspace must see only its own health and dead letters.

const KEY_A = 'cxtp_WorkspaceAlphaKey0001';
const KEY_B = 'cxtp_WorkspaceBetaKey00002';
const REPOSITORY_PATH = '/2.0/repositories/{1493262c-9c7d-4c3f-ba70-776ad841d429}/{685d9cf5-8e84-47f4-bbbf-06fd1e527f47}';

interface Tenant {
  installation: Installation;
  receiver: CoralogixReceiver;
  settings: StoredSettings;
  key: string;
}

describe('one warm instance serving two workspaces', () => {
  let platform: ForgePlatform;
  let app: App;
  let alpha: Tenant;
  let beta: Tenant;

  beforeAll(() => {
    jest.spyOn(console, 'log').mockImplementation(() => undefined);
    jest.spyOn(console, 'warn').mockImplementation(() => undefined);
  });
  afterAll(() => jest.restoreAllMocks());

  async function tenant(installation: Installation, key: string, settings: StoredSettings, repositoryName: string): Promise<Tenant> {
    const receiver = await CoralogixReceiver.start({ apiKeys: [key] });
    installation.bitbucket.serveAll(bitbucketRestFixtures());
    const repository = bitbucketRestFixtures()[REPOSITORY_PATH] as Record<string, unknown>;
    installation.bitbucket.serve(REPOSITORY_PATH, {
      ...repository,
      name: repositoryName,
      full_name: `${repositoryName}-workspace/${repositoryName}`,
    });
    const saved = await platform.invoke(() => app.writeSettings(settings, key), { installation });
    expect(saved.ok).toBe(true);
    return { installation, receiver, settings, key };
  }

  beforeEach(async () => {
    platform = new ForgePlatform();
    app = loadApp();
    platform.registerConsumer(RETRY_QUEUE_KEY, (event, context) =>
      app.retryDelivery(event as Parameters<App['retryDelivery']>[0], context),
    );
    alpha = await tenant(
      platform.defaultInstallation,
      KEY_A,
      { ...defaultStoredSettings(), region: 'EU1', applicationName: 'alpha-app', subsystemName: 'alpha-{repository.name}' },
      'alpha-repo',
    );
    beta = await tenant(
      platform.addInstallation(),
      KEY_B,
      {
        ...defaultStoredSettings(),
        region: 'US1',
        applicationName: 'beta-app',
        subsystemName: 'beta-{repository.name}',
        omitFreeText: true,
      },
      'beta-repo',
    );
    platform.routeEgress('ingress.eu1.coralogix.com', alpha.receiver.url);
    platform.routeEgress('ingress.us1.coralogix.com', beta.receiver.url);
  });

  afterEach(async () => {
    await alpha.receiver.close();
    await beta.receiver.close();
    platform.uninstall();
  });

  const payloads = distinctEvents;
  const pushFixture = () => loadEventFixtures().find((fixture) => fixture.name === 'push.repository')?.payload as Record<string, unknown>;

  function expectOnlyOwnEntries(own: Tenant, count: number): void {
    expect(own.receiver.entries).toHaveLength(count);
    expect(own.receiver.requests.every((request) => request.status === 200)).toBe(true);
    for (const entry of own.receiver.entries) {
      expect(entry.applicationName).toBe(own.settings.applicationName);
      expect(entry.subsystemName.startsWith(own.settings.applicationName.split('-')[0] as string)).toBe(true);
    }
  }

  it('sends each workspace’s events only to its own Coralogix, with its own key, when invocations interleave', async () => {
    const alphaEvents = payloads(20, 0);
    const betaEvents = payloads(20, 1000);
    const results = await Promise.all(
      alphaEvents.flatMap((payload, i) => [
        platform.emitProductEvent(app.forwardEvent, payload, alpha.installation),
        platform.emitProductEvent(app.forwardEvent, betaEvents[i], beta.installation),
      ]),
    );
    expect(results.every((result) => result.ok)).toBe(true);
    expectOnlyOwnEntries(alpha, 20);
    expectOnlyOwnEntries(beta, 20);
    expect(alpha.installation.kvs.keys().filter((key) => key.startsWith(StorageKeys.backlogItemPrefix))).toEqual([]);
    expect(beta.installation.kvs.keys().filter((key) => key.startsWith(StorageKeys.backlogItemPrefix))).toEqual([]);
  });

  it('keeps each workspace’s settings: a warm cache of one never serves the other', async () => {
    // A push has free text (its commit message), which beta's settings omit and alpha's keep.
    const push = pushFixture();
    await platform.emitProductEvent(app.forwardEvent, push, alpha.installation);
    await platform.emitProductEvent(app.forwardEvent, { ...push, timestamp: '2026-11-09T11:00:00Z' }, beta.installation);
    expect(alpha.receiver.entries).toHaveLength(1);
    expect(beta.receiver.entries).toHaveLength(1);
    const commitMessage = (tenant: Tenant): unknown =>
      JSON.parse(tenant.receiver.entries[0]?.text ?? '{}').bitbucket.push.changes[0].commits[0].message;
    expect(commitMessage(alpha)).toEqual(expect.any(String));
    expect(commitMessage(alpha)).not.toBe(OMITTED);
    expect(commitMessage(beta)).toBe(OMITTED);
  });

  it('names repositories from each workspace’s own Bitbucket data, never from the other’s cache', async () => {
    const push = pushFixture();
    await platform.emitProductEvent(app.forwardEvent, push, alpha.installation);
    await platform.emitProductEvent(app.forwardEvent, { ...push, timestamp: '2026-11-09T11:00:00Z' }, beta.installation);
    const alphaText = JSON.parse(alpha.receiver.entries[0]?.text ?? '{}');
    const betaText = JSON.parse(beta.receiver.entries[0]?.text ?? '{}');
    expect(alphaText.bitbucket.repository.name).toBe('alpha-repo');
    expect(betaText.bitbucket.repository.name).toBe('beta-repo');
    expect(alpha.receiver.entries[0]?.subsystemName).toBe('alpha-alpha-repo');
    expect(beta.receiver.entries[0]?.subsystemName).toBe('beta-beta-repo');
    // Each workspace asked its own Bitbucket: the other's answer was not reused.
    expect(beta.installation.bitbucket.calls.some((call) => call.path === REPOSITORY_PATH)).toBe(true);
  });

  it('keeps each workspace’s failures, health and backlog to itself', async () => {
    beta.receiver.inject({ kind: 'status', status: 401 });
    const [forAlpha, forBeta] = payloads(2, 0) as [Record<string, unknown>, Record<string, unknown>];
    await platform.emitProductEvent(app.forwardEvent, forBeta, beta.installation);
    await platform.emitProductEvent(app.forwardEvent, forAlpha, alpha.installation);
    expect(beta.installation.kvs.keys().filter((key) => key.startsWith(StorageKeys.backlogItemPrefix))).toHaveLength(1);
    expect(alpha.installation.kvs.keys().filter((key) => key.startsWith(StorageKeys.backlogItemPrefix))).toHaveLength(0);
    const alphaHealth = await platform.invoke(() => app.readHealth(), { installation: alpha.installation });
    const betaHealth = await platform.invoke(() => app.readHealth(), { installation: beta.installation });
    expect(alphaHealth.value).toMatchObject({ delivered: 1, failedAttempts: 0, backlogged: 0 });
    expect(betaHealth.value).toMatchObject({ delivered: 0, failedAttempts: 1, backlogged: 1 });
  });

  it('serves each workspace’s settings page from its own storage, as its own admin', async () => {
    alpha.installation.bitbucket.serveWorkspaceRoles(alpha.installation.workspaceId, { 'admin-a': 'owner' });
    beta.installation.bitbucket.serveWorkspaceRoles(beta.installation.workspaceId, { 'admin-b': 'owner' });
    const asAlpha = await platform.callResolver(
      app.settingsResolver as never,
      'settings/get',
      {},
      { accountId: 'admin-a', installation: alpha.installation },
    );
    const asBeta = await platform.callResolver(
      app.settingsResolver as never,
      'settings/get',
      {},
      { accountId: 'admin-b', installation: beta.installation },
    );
    expect(asAlpha.value).toMatchObject({ ok: true, data: { settings: { applicationName: 'alpha-app' }, apiKeyHint: KEY_A.slice(-4) } });
    expect(asBeta.value).toMatchObject({ ok: true, data: { settings: { applicationName: 'beta-app' }, apiKeyHint: KEY_B.slice(-4) } });
    // Alpha's admin is nobody in beta's workspace: refused there, although the decision was cached for alpha.
    const crossed = await platform.callResolver(
      app.settingsResolver as never,
      'settings/get',
      {},
      { accountId: 'admin-a', installation: beta.installation },
    );
    expect(crossed.value).toMatchObject({ ok: false, error: { code: 'forbidden' } });
  });
});
