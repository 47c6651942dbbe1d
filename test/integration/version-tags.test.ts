import { DEFAULT_VERSION_TAGS, defaultStoredSettings, type RepositoryScope, type StoredSettings } from '../../src/core/settings';
import type { WaitingTag } from '../../src/core/version-tag';
import { ResolverKeys, type Envelope, type StatusState, type TestTagResult } from '../../src/shared/contract';
import { StorageKeys } from '../../src/platform/storage-keys';
import type { TriggerResult } from '../../src/platform/trigger';
import type { CoralogixReceiver } from '../../sandbox/coralogix-receiver';
import type { ForgePlatform } from '../../sandbox/platform/forge-platform';
import type { App } from '../support/app';
import { startConfiguredApp, stopConfiguredApp, useFakeClockAndQuietConsole } from '../support/delivery-harness';
import { bitbucketRestFixtures, fixture, loadEventFixtures, serveWorkspaceFixtures } from '../support/fixtures';

// Deployments as Coralogix version tags, and the repository scope, through the real trigger, queue
// consumer and resolvers on the local platform: tags checked at the strict receiver's tags endpoint.
const API_KEY = 'cxtp_TagsSuiteLogsKey0123';
const TAGS_KEY = 'cxtp_TagsSuiteCicdKey0123';
const OTHER_TAGS_KEY = 'cxtp_TagsSuiteRotatedKey9';
const ADMIN = '557058:tags-admin';
const PAYMENTS_API = '{685d9cf5-8e84-47f4-bbbf-06fd1e527f47}';
const PAY_PROJECT = '{e3c27c57-ddc4-4c1d-a224-842f254fc165}';
const BUILD_318_COMMIT = '0e72871f4810b169a040b32b0af661c4be6a4248';

/** The completed production deployment of pipeline 318, made successful. */
function productionRelease(): Record<string, unknown> {
  const payload = fixture('completed.deployment');
  (payload.deployment as Record<string, unknown>).status = 'SUCCESSFUL';
  return payload;
}

let now: number;
let platform: ForgePlatform;
let receiver: CoralogixReceiver;
let app: App;
useFakeClockAndQuietConsole(() => now);

// Every test: a fresh app, the receiver taking both keys, Bitbucket answering from the fixtures.
beforeEach(async () => {
  now = Date.parse('2026-11-22T10:00:00Z');
  ({ platform, receiver, app } = await startConfiguredApp(API_KEY, () => now, { tagsKeys: [TAGS_KEY] }));
  platform.bitbucket.serveAll(bitbucketRestFixtures());
  serveWorkspaceFixtures(platform.bitbucket, platform.workspaceId);
  platform.bitbucket.serveWorkspaceRoles(platform.workspaceId, { [ADMIN]: 'owner' });
});
afterEach(() => stopConfiguredApp({ platform, receiver }));

describe('deployments as version tags', () => {
  const configure = async (changes: Partial<StoredSettings> = {}, tagsApiKey: string | undefined = TAGS_KEY) => {
    const settings = { ...defaultStoredSettings(), versionTags: { ...DEFAULT_VERSION_TAGS, enabled: true }, ...changes };
    await platform.invoke(() => app.writeSettings(settings, undefined, now, tagsApiKey ? { tagsApiKey } : {}));
    app.invalidateSettingsCache();
  };
  const emit = async (payload: unknown): Promise<TriggerResult> => {
    const result = await platform.emitProductEvent(app.forwardEvent, payload);
    if (!result.ok) throw result.error;
    return result.value as TriggerResult;
  };
  const call = async <T>(key: string, payload: unknown = {}): Promise<T> => {
    const result = await platform.callResolver(app.settingsResolver, key, payload, { accountId: ADMIN });
    if (!result.ok) throw result.error;
    const envelope = result.value as Envelope<T>;
    if (!envelope.ok) throw new Error(JSON.stringify(envelope.error));
    return envelope.data;
  };
  /** Lets the platform run what is due (queue messages, product event retries), moving the clock on to each. */
  const settle = async (rounds = 50) => {
    for (let round = 0; round < rounds; round += 1) {
      const due = platform.nextDueAt();
      if (due === undefined) return;
      now = Math.max(now, due);
      await platform.deliverDueQueueEvents();
      await platform.deliverDueProductEvents();
    }
  };
  const waitingTags = () => platform.kvs.keys().filter((key) => key.startsWith(StorageKeys.tagItemPrefix));
  /** What a Coralogix user sees after removing repeats: one tag per name and time. */
  const distinctTags = () => new Set(receiver.tags.map((tag) => `${tag.body.name}|${String(tag.body.timestamp)}`));

  it('makes one tag at the region API host, named from the template, beside the log entry at the ingress', async () => {
    await configure();
    const result = await emit(productionRelease());
    expect(result).toMatchObject({ status: 'handled', attempt: { result: 'delivered' }, tag: { result: 'created' } });
    expect(receiver.tags).toHaveLength(1);
    const [tag] = receiver.tags;
    expect(tag).toMatchObject({
      host: 'api.eu1.coralogix.com',
      region: 'EU1',
      body: {
        name: `payments-api@${BUILD_318_COMMIT.slice(0, 12)}`,
        timestamp: Date.parse('2026-11-09T12:14:47.018Z'),
        application: ['bitbucket'],
        subsystem: ['bitbucket-cloud'],
      },
    });
    expect(receiver.entries).toHaveLength(1);
    expect(receiver.requests.at(-1)?.host).toBe('ingress.eu1.coralogix.com');
  });

  it('tags only successful completions in the chosen environments', async () => {
    await configure();
    for (const f of loadEventFixtures().filter((candidate) => candidate.eventType.endsWith(':deployment'))) await emit(f.payload);
    // The fixtures' one successful completion went to staging, which is not chosen; the production one failed.
    expect(receiver.tagRequests).toHaveLength(0);
    await configure({
      versionTags: { ...DEFAULT_VERSION_TAGS, enabled: true, environmentTypes: ['STAGING'], nameTemplate: 'build {pipeline.build_number}' },
    });
    await emit(fixture('completed.deployment.successful'));
    expect(receiver.tags.map((tag) => tag.body.name)).toEqual(['build 317']);
  });

  it('creates the tag exactly once after de-duplication through a failing tags API and a repeated event', async () => {
    await configure();
    receiver.inject(
      { kind: 'status', status: 503, path: 'tags' },
      { kind: 'reset', path: 'tags' },
      { kind: 'status', status: 500, path: 'tags' },
    );
    const first = await emit(productionRelease());
    expect(first).toMatchObject({ status: 'handled', attempt: { result: 'delivered' }, tag: { result: 'waiting' } });
    // Forge delivers at least once: the same event again keeps one waiting tag, not two.
    await emit(productionRelease());
    expect(waitingTags().length).toBeLessThanOrEqual(1);
    await settle();
    expect(waitingTags()).toHaveLength(0);
    expect(distinctTags().size).toBe(1);
    expect(receiver.tagRequests.filter((request) => request.status >= 500).length).toBeGreaterThanOrEqual(2);
    const status = await call<StatusState>(ResolverKeys.getStatus);
    expect(status.versionTags).toMatchObject({
      enabled: true,
      waiting: 0,
      lastCreated: { name: expect.stringContaining('payments-api@') },
    });
  });

  it('keeps a tag whose key is refused, shows why, and creates it as soon as a new key is saved', async () => {
    await configure({}, OTHER_TAGS_KEY);
    await emit(productionRelease());
    expect(receiver.tags).toHaveLength(0);
    const listed = await call<{ items: Array<WaitingTag & { id: string }> }>(ResolverKeys.listTags);
    expect(listed.items).toEqual([
      expect.objectContaining({ repository: expect.stringContaining('payments-api'), environment: 'production', cause: 'configuration' }),
    ]);
    expect(listed.items[0]?.reason).toContain('tags API key');
    expect(JSON.stringify(listed)).not.toContain(OTHER_TAGS_KEY);
    const status = await call<StatusState>(ResolverKeys.getStatus);
    expect(status.versionTags).toMatchObject({
      waiting: 1,
      reason: expect.stringContaining('tags API key'),
      nextAttemptAt: expect.any(Number),
    });
    expect(status.headline).toMatchObject({ state: 'tags-waiting', waiting: 1, reason: expect.stringContaining('tags API key') });
    // Probing a refused key waits 15 minutes; the admin's save does not.
    await call(ResolverKeys.saveSettings, {
      settings: { ...defaultStoredSettings(), versionTags: { ...DEFAULT_VERSION_TAGS, enabled: true } },
      tagsApiKey: TAGS_KEY,
    });
    await platform.deliverDueQueueEvents();
    expect(receiver.tags).toHaveLength(1);
    expect(waitingTags()).toHaveLength(0);
  });

  it('does not let failing logs hold back tags, nor failing tags hold back logs', async () => {
    await configure();
    receiver.inject({ kind: 'status', status: 503, path: 'logs' });
    const result = await emit(productionRelease());
    expect(result).toMatchObject({ status: 'handled', tag: { result: 'created' } });
    expect(receiver.tags).toHaveLength(1);
    receiver.inject({ kind: 'status', status: 403, path: 'tags' });
    const push = await emit(fixture('push.repository'));
    expect(push).toMatchObject({ status: 'handled', attempt: { result: 'delivered' } });
  });

  it('keeps tags while tags are switched off, and lets the admin discard one', async () => {
    await configure({}, OTHER_TAGS_KEY);
    await emit(productionRelease());
    await configure({ versionTags: { ...DEFAULT_VERSION_TAGS, enabled: false } }, undefined);
    now += 20 * 60_000;
    await platform.deliverDueQueueEvents();
    expect(waitingTags()).toHaveLength(1);
    const [item] = (await call<{ items: Array<{ id: string }> }>(ResolverKeys.listTags)).items;
    expect(await call(ResolverKeys.discardTag, { id: item?.id })).toEqual({ discarded: true });
    expect(waitingTags()).toHaveLength(0);
  });

  it('sends a test tag with the form values and says which key was refused', async () => {
    const settings = { ...defaultStoredSettings(), versionTags: { ...DEFAULT_VERSION_TAGS, enabled: true } };
    const ok = await call<TestTagResult>(ResolverKeys.sendTestTag, { settings, tagsApiKey: TAGS_KEY });
    expect(ok).toMatchObject({ outcome: 'delivered', name: expect.stringContaining('test') });
    expect(receiver.tags).toHaveLength(1);
    const refused = await call<TestTagResult>(ResolverKeys.sendTestTag, { settings, tagsApiKey: API_KEY });
    expect(refused.outcome).not.toBe('delivered');
    expect(refused.message).toContain('tags API key');
    // GOV1 offers no tags: the form's own schema says so at the field.
    const gov = await platform.callResolver(
      app.settingsResolver,
      ResolverKeys.sendTestTag,
      { settings: { ...settings, region: 'GOV1' }, tagsApiKey: TAGS_KEY },
      { accountId: ADMIN },
    );
    expect(gov).toMatchObject({ ok: true, value: { ok: false, error: { fieldErrors: [{ field: 'settings.versionTags.enabled' }] } } });
    expect(receiver.tagRequests).toHaveLength(2);
  });

  it('refuses to switch tags on without a tags key, naming the field', async () => {
    const result = await platform.callResolver(
      app.settingsResolver,
      ResolverKeys.saveSettings,
      { settings: { ...defaultStoredSettings(), versionTags: { ...DEFAULT_VERSION_TAGS, enabled: true } } },
      { accountId: ADMIN },
    );
    expect(result).toMatchObject({
      ok: true,
      value: { ok: false, error: { fieldErrors: [expect.objectContaining({ field: 'tagsApiKey' })] } },
    });
  });
});

describe('repository scope', () => {
  const withScope = async (repositoryScope: RepositoryScope, versionTagsOn = false) => {
    const settings = {
      ...defaultStoredSettings(),
      repositoryScope,
      versionTags: { ...DEFAULT_VERSION_TAGS, enabled: versionTagsOn, environmentTypes: ['PRODUCTION' as const] },
    };
    await platform.invoke(() => app.writeSettings(settings, undefined, now, versionTagsOn ? { tagsApiKey: TAGS_KEY } : {}));
    app.invalidateSettingsCache();
  };
  const emit = async (payload: unknown) => {
    const result = await platform.emitProductEvent(app.forwardEvent, payload);
    if (!result.ok) throw result.error;
    return result.value as TriggerResult;
  };
  const repositoryOf = (payload: Record<string, unknown>) => (payload.repository as { uuid: string }).uuid;
  const paymentsEvents = () => loadEventFixtures().filter((f) => repositoryOf(f.payload) === PAYMENTS_API);

  it("sends an excluded repository's events to nobody, at no Bitbucket call", async () => {
    await withScope({ mode: 'exclude', projects: [], repositories: [{ uuid: PAYMENTS_API, name: 'payments-api' }] }, true);
    const events = [...paymentsEvents().map((f) => f.payload), productionRelease()];
    expect(events.length).toBeGreaterThan(10);
    for (const payload of events) expect(await emit(payload)).toEqual({ status: 'skipped', reason: 'outside-scope' });
    expect(receiver.requests).toHaveLength(0);
    expect(receiver.tagRequests).toHaveLength(0);
    expect(platform.bitbucket.calls).toHaveLength(0);
  });

  it('forwards only the chosen repositories, and the others cost nothing', async () => {
    await withScope({ mode: 'include', projects: [], repositories: [{ uuid: PAYMENTS_API.toUpperCase(), name: 'payments-api' }] });
    for (const f of loadEventFixtures()) await emit(f.payload);
    const forwarded = receiver.entries.map(
      (entry) => (JSON.parse(entry.text) as { bitbucket: { repository: { uuid: string } } }).bitbucket.repository.uuid,
    );
    expect(forwarded.length).toBe(paymentsEvents().length);
    expect(new Set(forwarded)).toEqual(new Set([PAYMENTS_API]));
    const others = new Set(
      loadEventFixtures()
        .map((f) => repositoryOf(f.payload))
        .filter((uuid) => uuid !== PAYMENTS_API),
    );
    const callsAboutOthers = platform.bitbucket.calls.filter((call) =>
      [...others].some((uuid) => decodeURIComponent(call.path).includes(uuid)),
    );
    expect(callsAboutOthers).toHaveLength(0);
  });

  it('decides a deployment (which names no project) by its repository’s project, looked up once', async () => {
    await withScope({ mode: 'include', projects: [{ uuid: PAY_PROJECT, key: 'PAY', name: 'Payments' }], repositories: [] });
    expect(await emit(fixture('completed.deployment'))).toMatchObject({ status: 'handled' });
    // The scope's lookup of the repository is the one enrichment then uses: one call, not two.
    const repositoryLookups = platform.bitbucket.calls.filter((call) => decodeURIComponent(call.path).endsWith(PAYMENTS_API));
    expect(repositoryLookups).toHaveLength(1);
    expect(platform.bitbucket.calls.filter((call) => call.path.includes('/pipelines/'))).toHaveLength(0);
    await withScope({ mode: 'exclude', projects: [{ uuid: PAY_PROJECT, key: 'PAY', name: 'Payments' }], repositories: [] });
    expect(await emit(fixture('started.deployment'))).toEqual({ status: 'skipped', reason: 'outside-scope' });
    expect(receiver.entries).toHaveLength(1);
  });

  it('lists the workspace projects and repositories for the pickers, as the admin, filtered by name', async () => {
    const call = async <T>(key: string, payload: unknown): Promise<T> => {
      const result = await platform.callResolver(app.settingsResolver, key, payload, { accountId: ADMIN });
      if (!result.ok) throw result.error;
      const envelope = result.value as Envelope<T>;
      if (!envelope.ok) throw new Error(JSON.stringify(envelope.error));
      return envelope.data;
    };
    const projects = await call<{ items: Array<{ uuid: string; key: string; name: string }> }>(ResolverKeys.listProjects, {});
    expect(projects.items.length).toBeGreaterThan(1);
    expect(projects.items).toContainEqual(expect.objectContaining({ uuid: PAY_PROJECT, key: 'PAY' }));
    const repositories = await call<{ items: Array<{ uuid: string; fullName: string }> }>(ResolverKeys.listRepositories, {
      query: 'payments',
    });
    expect(repositories.items.length).toBeGreaterThan(0);
    expect(repositories.items.every((item) => item.fullName.toLowerCase().includes('payments'))).toBe(true);
    const listingCalls = platform.bitbucket.calls.filter(
      (call) => call.path.includes('/projects') || call.path.startsWith(`/2.0/repositories/`),
    );
    expect(listingCalls.every((call) => call.principal.kind === 'user')).toBe(true);
    // A quote in the search cannot end the query's string.
    await call(ResolverKeys.listRepositories, { query: 'x" OR name ~ "' });
  });
});
