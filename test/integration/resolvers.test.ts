import { REGION_IDS } from '../../src/core/regions';
import { defaultStoredSettings } from '../../src/core/settings';
import { TEST_EVENT_CLASS_NAME } from '../../src/core/test-event';
import { ResolverKeys, type Envelope, type ResolverKey } from '../../src/shared/contract';
import { RETRY_QUEUE_KEY } from '../../src/platform/retry-queue';
import { StorageKeys } from '../../src/platform/storage-keys';
import { CoralogixReceiver } from '../../sandbox/coralogix-receiver';
import { ForgePlatform } from '../../sandbox/platform/forge-platform';
import { loadApp } from '../support/app';

// The real resolver function, called the way the platform calls it for a Custom UI invoke().
const KEY = 'cxtp_ResolverSuiteKey01234';
const ADMIN = '557058:admin-account';
const MEMBER = '557058:member-account';

describe('settings page resolvers', () => {
  let platform: ForgePlatform;
  let receiver: CoralogixReceiver;
  let app: ReturnType<typeof loadApp>;
  const responses: string[] = [];
  // A clock of the test's own, so the backlog's time-ordered ids and the drain's delays are exact.
  let now = Date.parse('2026-11-22T09:00:00Z');

  beforeAll(() => {
    jest.spyOn(Date, 'now').mockImplementation(() => now);
    jest.spyOn(console, 'error').mockImplementation(() => undefined);
    jest.spyOn(console, 'warn').mockImplementation(() => undefined);
  });
  afterAll(() => {
    // No resolver ever returns the key, whatever it was asked.
    expect(responses.join('\n')).not.toContain(KEY);
    expect(responses.join('\n')).not.toContain('cxtp_Other');
    jest.restoreAllMocks();
  });

  beforeEach(async () => {
    receiver = await CoralogixReceiver.start({ apiKeys: [KEY] });
    platform = new ForgePlatform({ now: () => now, invocationTimeoutMs: 6_000 });
    platform.routeEgress('ingress.eu1.coralogix.com', receiver.url);
    platform.routeEgress('ingress.us2.coralogix.com', receiver.url);
    platform.bitbucket.serveWorkspaceRoles(platform.workspaceId, { [ADMIN]: 'owner', [MEMBER]: 'member' });
    app = loadApp();
    platform.registerConsumer(RETRY_QUEUE_KEY, (event, context) =>
      app.retryDelivery(event as Parameters<typeof app.retryDelivery>[0], context),
    );
  });
  afterEach(async () => {
    await receiver.close();
    platform.uninstall();
  });

  const SIGNED_OUT = null;
  async function call<T = unknown>(key: ResolverKey, payload: unknown, accountId: string | null = ADMIN): Promise<Envelope<T>> {
    const result = await platform.callResolver(app.settingsResolver, key, payload, { accountId: accountId ?? undefined });
    if (!result.ok) throw result.error;
    responses.push(JSON.stringify(result.value));
    return result.value as Envelope<T>;
  }

  const NO_KEY = null;
  const save = (changes: Record<string, unknown> = {}, apiKey: string | null = KEY) =>
    call(ResolverKeys.saveSettings, {
      settings: { ...defaultStoredSettings(), applicationName: 'prod', ...changes },
      ...(apiKey ? { apiKey } : {}),
    });

  describe('who may call', () => {
    it.each(Object.values(ResolverKeys))('refuses %s to a workspace member who is not an admin', async (key) => {
      const payload =
        key === ResolverKeys.retryBacklogItem || key === ResolverKeys.discardBacklogItem ? { id: `0000000000001:${'0'.repeat(32)}` } : {};
      expect(await call(key, payload, MEMBER)).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    });

    it('refuses a caller who is not a member of the workspace', async () => {
      expect(await call(ResolverKeys.getSettings, {}, '557058:stranger')).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    });

    it('refuses a call without a signed-in account', async () => {
      expect(await call(ResolverKeys.getSettings, {}, SIGNED_OUT)).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    });

    it('asks Bitbucket as the calling user, not as the app', async () => {
      await call(ResolverKeys.getSettings, {});
      expect(platform.bitbucket.calls).toContainEqual(
        expect.objectContaining({
          path: `/2.0/user/workspaces/${platform.workspaceId}/permission`,
          principal: { kind: 'user', accountId: ADMIN },
        }),
      );
    });

    it('lets no one in when Bitbucket cannot say', async () => {
      const failing = new ForgePlatform();
      failing.bitbucket.respond(() => ({ status: 500 }));
      const fresh = loadApp();
      const result = await failing.callResolver(fresh.settingsResolver, ResolverKeys.getSettings, {}, { accountId: ADMIN });
      expect(result.value).toMatchObject({ ok: false, error: { code: 'internal' } });
      failing.uninstall();
    });

    it('ignores an account the page puts in its payload', async () => {
      const result = await call(ResolverKeys.getSettings, { accountId: ADMIN }, MEMBER);
      expect(result).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    });
  });

  describe('settings', () => {
    it('starts unconfigured, with defaults and every region', async () => {
      const result = await call<{ configured: boolean; regions: unknown[]; apiKeyHint: null }>(ResolverKeys.getSettings, {});
      expect(result).toMatchObject({ ok: true, data: { configured: false, apiKeyHint: null } });
      if (result.ok) expect(result.data.regions).toHaveLength(REGION_IDS.length);
    });

    it('saves and loads back, showing only the last four characters of the key', async () => {
      expect(await save({ region: 'US2', subsystemName: 'bitbucket' })).toMatchObject({
        ok: true,
        data: { configured: true, apiKeyHint: KEY.slice(-4) },
      });
      expect(await call(ResolverKeys.getSettings, {})).toMatchObject({
        ok: true,
        data: {
          configured: true,
          apiKeyHint: KEY.slice(-4),
          settings: { region: 'US2', applicationName: 'prod', subsystemName: 'bitbucket' },
        },
      });
      expect(platform.kvs.peekSecret(StorageKeys.apiKeySecret)).toBe(KEY);
    });

    it('keeps the stored key when the form sends none', async () => {
      await save();
      expect(await save({ applicationName: 'staging' }, NO_KEY)).toMatchObject({
        ok: true,
        data: { apiKeyHint: KEY.slice(-4), settings: { applicationName: 'staging' } },
      });
      expect(platform.kvs.peekSecret(StorageKeys.apiKeySecret)).toBe(KEY);
    });

    it('requires a key on the first save', async () => {
      expect(await save({}, NO_KEY)).toMatchObject({ ok: false, error: { code: 'invalid-input', fieldErrors: [{ field: 'apiKey' }] } });
    });

    it.each([
      ['an empty application name', { applicationName: '  ' }, 'settings.applicationName'],
      ['an overlong subsystem name', { subsystemName: 'x'.repeat(101) }, 'settings.subsystemName'],
      ['an unknown region', { region: 'MARS' }, 'settings.region'],
      ['an unknown event type', { forwardedEvents: ['avi:bitbucket:forked:repository'] }, 'settings.forwardedEvents.0'],
      ['a non-boolean switch', { forwardingEnabled: 'yes' }, 'settings.forwardingEnabled'],
      ['an unknown placeholder in the subsystem name', { subsystemName: 'bb-{repo.slug}' }, 'settings.subsystemName'],
      [
        'an unknown coverage level',
        { coverage: { REPOSITORY: 'SOME', PULL_REQUEST: 'FULL', PIPELINES: 'FULL' } },
        'settings.coverage.REPOSITORY',
      ],
    ])('refuses %s with a field error and stores nothing', async (_what, change, field) => {
      const result = await save(change);
      expect(result).toMatchObject({ ok: false, error: { code: 'invalid-input' } });
      if (!result.ok) expect(result.error.fieldErrors?.map((error) => error.field)).toContain(field);
      expect(platform.kvs.keys()).toEqual([]);
      expect(platform.kvs.peekSecret(StorageKeys.apiKeySecret)).toBeUndefined();
    });

    it('refuses a malformed key without storing the rest of the form', async () => {
      const result = await save({}, 'short');
      expect(result).toMatchObject({ ok: false, error: { code: 'invalid-input', fieldErrors: [{ field: 'apiKey' }] } });
      expect(platform.kvs.keys()).toEqual([]);
    });

    it('refuses a payload that is not the form', async () => {
      expect(await call(ResolverKeys.saveSettings, 'nonsense')).toMatchObject({ ok: false, error: { code: 'invalid-input' } });
      expect(await call(ResolverKeys.saveSettings, { settings: null })).toMatchObject({ ok: false, error: { code: 'invalid-input' } });
    });
  });

  describe('send test event', () => {
    it('delivers a real entry through the transport and says so', async () => {
      await save();
      const result = await call(ResolverKeys.sendTestEvent, {});
      expect(result).toMatchObject({ ok: true, data: { outcome: 'delivered', message: expect.stringContaining('"prod"') } });
      expect(receiver.entries).toEqual([expect.objectContaining({ className: TEST_EVENT_CLASS_NAME, applicationName: 'prod' })]);
    });

    it('tests unsaved form values before they are saved', async () => {
      const result = await call(ResolverKeys.sendTestEvent, {
        settings: { ...defaultStoredSettings(), applicationName: 'trial' },
        apiKey: KEY,
      });
      expect(result).toMatchObject({ ok: true, data: { outcome: 'delivered' } });
      expect(platform.kvs.keys()).toEqual([]);
    });

    it('says when there is nothing to test yet', async () => {
      expect(await call(ResolverKeys.sendTestEvent, {})).toMatchObject({ ok: true, data: { outcome: 'not-configured' } });
    });

    it.each([
      ['a wrong key', () => receiver.acceptKeys('cxtp_OtherKey000000'), 'key-or-region', /key.*EU1 \(Ireland\) region/],
      ['a refused entry', () => receiver.inject({ kind: 'status', status: 400 }), 'refused', /HTTP 400/],
      ['a too-large refusal', () => receiver.inject({ kind: 'status', status: 413 }), 'too-large', /too large/],
      ['an outage', () => receiver.inject({ kind: 'status', status: 503 }), 'unreachable', /temporarily unavailable/],
      ['a slow answer', () => receiver.inject({ kind: 'delay', ms: 1_500 }), 'timeout', /did not answer in time/],
      ['no answer at all', () => void receiver.stop(), 'unreachable', /could not be reached/],
    ])('explains %s', async (_what, breakIt, outcome, message) => {
      await save();
      breakIt();
      expect(await call(ResolverKeys.sendTestEvent, {})).toMatchObject({
        ok: true,
        data: { outcome, message: expect.stringMatching(message) },
      });
    });
  });

  describe('status', () => {
    it('reports configuration, deliveries and the backlog', async () => {
      await save();
      await platform.invoke(() => app.forwardEvent({ eventType: 'avi:bitbucket:deleted:repository', repository: { uuid: '{r}' } }, {}));
      receiver.inject({ kind: 'status', status: 400 });
      await platform.invoke(() => app.forwardEvent({ eventType: 'avi:bitbucket:created:repository', repository: { uuid: '{r}' } }, {}));
      const result = await call(ResolverKeys.getStatus, {});
      expect(result).toMatchObject({
        ok: true,
        data: {
          configured: true,
          forwardingEnabled: true,
          backlog: { count: 1, oldestAt: expect.any(Number), phase: 'idle' },
          last24h: { delivered: 1, failedAttempts: 1, backlogged: 1 },
          lastFailure: { reason: expect.stringContaining('HTTP 400') },
        },
      });
    });

    it('says why the backlog waits and when it is tried again', async () => {
      await save();
      receiver.inject({ kind: 'status', status: 503 }, { kind: 'status', status: 503 });
      await platform.invoke(() => app.forwardEvent({ eventType: 'avi:bitbucket:created:repository', repository: { uuid: '{r}' } }, {}));
      now += 60_000;
      await platform.queue.deliverDue();
      expect(await call(ResolverKeys.getStatus, {})).toMatchObject({
        ok: true,
        data: { backlog: { count: 1, phase: 'retrying', reason: expect.stringContaining('HTTP 503'), nextAttemptAt: expect.any(Number) } },
      });
    });
  });

  describe('the backlog', () => {
    /** An event Coralogix refused as it was (held for the admin), or one it could not take now (waiting). */
    async function backlogged(status = 422): Promise<string> {
      receiver.inject({ kind: 'status', status });
      await platform.invoke(() =>
        app.forwardEvent({ eventType: 'avi:bitbucket:created:repository', repository: { uuid: `{${Math.random()}}` } }, {}),
      );
      now += 1_000;
      const listed = (await app.listBacklog(100)).items;
      const last = listed[listed.length - 1];
      if (!last) throw new Error('expected an event in the backlog');
      return last.id;
    }

    it('lists oldest first, retries one and discards one', async () => {
      await save();
      const first = await backlogged();
      const second = await backlogged();
      const listed = await call<{ items: Array<{ id: string; held: boolean }> }>(ResolverKeys.listBacklog, { limit: 10 });
      expect(listed.ok && listed.data.items.map((item) => [item.id, item.held])).toEqual([
        [first, true],
        [second, true],
      ]);
      expect(await call(ResolverKeys.retryBacklogItem, { id: first })).toMatchObject({ ok: true, data: { outcome: 'delivered' } });
      expect(await call(ResolverKeys.discardBacklogItem, { id: second })).toMatchObject({ ok: true, data: { discarded: true } });
      expect(await call(ResolverKeys.discardBacklogItem, { id: second })).toMatchObject({ ok: false, error: { code: 'not-found' } });
      expect((await app.listBacklog(10)).items).toEqual([]);
    });

    it('says what became of a retry that failed again', async () => {
      await save();
      const held = await backlogged(422);
      receiver.inject({ kind: 'status', status: 422 });
      expect(await call(ResolverKeys.retryBacklogItem, { id: held })).toMatchObject({
        ok: true,
        data: { outcome: 'held', message: expect.stringContaining('HTTP 422') },
      });
      const waiting = await backlogged(503);
      receiver.inject({ kind: 'status', status: 503 });
      expect(await call(ResolverKeys.retryBacklogItem, { id: waiting })).toMatchObject({
        ok: true,
        data: { outcome: 'waiting', message: expect.stringContaining('sent automatically') },
      });
      expect((await app.listBacklog(10)).items.map((item) => item.summary.attempts)).toEqual([2, 2]);
    });

    it('retries all in the background: one drain on the queue, however many wait', async () => {
      await save();
      await backlogged();
      await backlogged();
      platform.queue.pending.splice(0);
      expect(await call(ResolverKeys.retryAllBacklog, {})).toMatchObject({ ok: true, data: { waiting: 2 } });
      expect(platform.queue.pending.map((event) => event.body)).toEqual([{ kind: 'drain', includeHeld: true }]);
      await platform.queue.deliverDue();
      expect((await app.listBacklog(10)).items).toEqual([]);
      expect(receiver.entries).toHaveLength(2);
    });

    it.each([['settings:v1'], ['backlog:body:1:x'], [`0000000000001:${'0'.repeat(31)}Z`]])(
      'refuses to touch %s, which is not an undelivered event',
      async (id) => {
        await save();
        expect(await call(ResolverKeys.discardBacklogItem, { id })).toMatchObject({ ok: false, error: { code: 'invalid-input' } });
        expect(await call(ResolverKeys.retryBacklogItem, { id })).toMatchObject({ ok: false, error: { code: 'invalid-input' } });
        expect(platform.kvs.peek('settings:v1')).toBeDefined();
      },
    );

    it('bounds the page size', async () => {
      expect(await call(ResolverKeys.listBacklog, { limit: 1000 })).toMatchObject({ ok: false, error: { code: 'invalid-input' } });
    });
  });
});
