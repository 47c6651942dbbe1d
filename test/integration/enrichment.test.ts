import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { defaultStoredSettings, type StoredSettings } from '../../src/core/settings';
import { CoralogixReceiver } from '../../sandbox/coralogix-receiver';
import { ForgePlatform } from '../../sandbox/platform/forge-platform';
import { bitbucketRestFixtures, fixture, loadEventFixtures } from '../support/fixtures';
import { loadApp } from '../support/app';

// Enrichment, audit fields, coverage, routing and privacy through the real trigger: Bitbucket REST
// answered from fixtures (test/fixtures/bitbucket/rest.json), entries checked at the receiver.
const KEY = 'cxtp_EnrichmentSuiteKey012';
const GOLDEN_DIR = path.resolve(__dirname, '../fixtures/golden');
// `UPDATE_GOLDEN=1 npx jest test/integration/enrichment` rewrites the golden records after a
// deliberate change; review the diff before committing it.
const UPDATE_GOLDEN = process.env.UPDATE_GOLDEN === '1';

type Text = Record<string, unknown> & {
  event: Record<string, unknown>;
  bitbucket: Record<string, unknown>;
  audit: Record<string, unknown>;
};

describe('audit-grade records', () => {
  let platform: ForgePlatform;
  let receiver: CoralogixReceiver;
  let app: ReturnType<typeof loadApp>;

  beforeAll(() => {
    jest.spyOn(console, 'warn').mockImplementation(() => undefined);
  });
  afterAll(() => jest.restoreAllMocks());

  beforeEach(async () => {
    receiver = await CoralogixReceiver.start({ apiKeys: [KEY] });
    platform = new ForgePlatform();
    platform.routeEgress('ingress.eu1.coralogix.com', receiver.url);
    platform.bitbucket.serveAll(bitbucketRestFixtures());
    app = loadApp();
  });
  afterEach(async () => {
    await receiver.close();
    platform.uninstall();
  });

  const configure = async (changes: Partial<StoredSettings> = {}) => {
    await app.writeSettings({ ...defaultStoredSettings(), applicationName: 'prod', subsystemName: 'bitbucket', ...changes }, KEY);
    app.invalidateSettingsCache();
  };
  const trigger = (payload: unknown) => platform.invoke(() => app.forwardEvent(payload, {}));
  const texts = (): Text[] => receiver.entries.map((entry) => JSON.parse(entry.text) as Text);
  const bitbucketCallsTo = (prefix: string) => platform.bitbucket.calls.filter((call) => call.path.startsWith(prefix)).length;

  describe('golden records', () => {
    // Volatile parts (the app cannot know the receive time) are not in these records: all come from the payload.
    describe.each(loadEventFixtures().map((f) => [f.name, f] as const))('%s', (name, f) => {
      it.each([
        ['enriched', true],
        ['plain', false],
      ])('%s', async (variant, enriched) => {
        if (!enriched) platform.bitbucket.respond(() => ({ status: 404 }));
        await configure();
        await trigger(f.payload);
        const [entry] = receiver.entries;
        const golden = { entry: { ...entry, text: undefined }, text: JSON.parse(entry?.text ?? '{}') as unknown };
        const file = path.join(GOLDEN_DIR, `${name}.${variant}.json`);
        if (UPDATE_GOLDEN || !existsSync(file)) writeFileSync(file, `${JSON.stringify(golden, null, 2)}\n`);
        expect(golden).toEqual(JSON.parse(readFileSync(file, 'utf8')));
      });
    });
  });

  it("keeps the key set of the webhook log Coralogix's Bitbucket integration stores", async () => {
    // Derived from the fields named in the Coralogix integration's example and Bitbucket's
    // documented webhook payload for repo:updated (Repository and Account entities, changes).
    const expected = JSON.parse(readFileSync(path.resolve(__dirname, '../fixtures/coralogix-bitbucket-keys.json'), 'utf8')) as {
      keys: string[];
    };
    await configure();
    await trigger(fixture('updated.repository'));
    const [text] = texts();
    const paths = (value: unknown, prefix = ''): string[] =>
      value !== null && typeof value === 'object' && !Array.isArray(value)
        ? Object.entries(value).flatMap(([key, child]) => [`${prefix}${key}`, ...paths(child, `${prefix}${key}.`)])
        : [];
    expect(text).toMatchObject({ source_system: 'bitbucket' });
    const present = new Set(paths(text?.bitbucket));
    expect(expected.keys.filter((key) => !present.has(key))).toEqual([]);
  });

  it('reads like a sentence: who did what to which repository', async () => {
    await configure();
    await trigger(fixture('push.repository'));
    const [text] = texts();
    expect(text?.bitbucket).toMatchObject({
      actor: { display_name: 'Test User Alpha', nickname: 'alpha' },
      repository: {
        full_name: 'acme-payments/payments-api',
        project: { key: 'PAY', name: 'Payments' },
        workspace: { slug: 'acme-payments' },
      },
    });
    expect(text?.audit).toMatchObject({
      type: { category: 'Repositories', action: 'Repository pushed', area: 'REPOSITORY', level: 'ADVANCED' },
      author: { type: 'user', name: 'Test User Alpha', id: '47715e05872dd4f112f819af' },
      affectedObjects: expect.arrayContaining([
        {
          type: 'REPOSITORY',
          id: '{685d9cf5-8e84-47f4-bbbf-06fd1e527f47}',
          name: 'acme-payments/payments-api',
          uri: 'https://bitbucket.org/acme-payments/payments-api',
        },
      ]),
      extraAttributes: expect.arrayContaining([
        { name: 'branch', value: 'main' },
        { name: 'commitCount', value: '3' },
        { name: 'forced', value: 'false' },
      ]),
    });
    expect(text?.event).toMatchObject({ enrichment: { unresolved: [] } });
  });

  it('records changed values old → new', async () => {
    await configure();
    await trigger(fixture('updated.repository'));
    const payload = fixture('updated.repository') as { changes: Record<string, { old: { value: string }; new: { value: string } }> };
    const expected = Object.entries(payload.changes).map(([key, change]) => ({ key, from: change.old.value, to: change.new.value }));
    expect(texts()[0]?.audit.changedValues).toEqual(expected);
  });

  it('costs one lookup per object for a burst on one repository, and none for a new instance', async () => {
    await configure();
    for (let i = 0; i < 100; i += 1)
      await trigger({ ...fixture('push.repository'), timestamp: new Date(Date.parse('2026-11-09T12:00:00Z') + i).toISOString() });
    expect(receiver.entries).toHaveLength(100);
    expect(platform.bitbucket.calls.length).toBe(2);
    expect(bitbucketCallsTo('/2.0/repositories/')).toBe(1);
    expect(bitbucketCallsTo('/2.0/users/')).toBe(1);

    // A cold instance finds the answers in KVS.
    app = loadApp();
    await trigger({ ...fixture('push.repository'), timestamp: '2026-11-09T13:00:00Z' });
    expect(platform.bitbucket.calls.length).toBe(2);
    expect(texts().at(-1)?.bitbucket).toMatchObject({ repository: { full_name: 'acme-payments/payments-api' } });
  });

  it('shares one lookup among concurrent events', async () => {
    await configure();
    await Promise.all(
      Array.from({ length: 10 }, (_, i) => trigger({ ...fixture('deleted.repository'), timestamp: `2026-11-09T12:00:0${i}Z` })),
    );
    expect(bitbucketCallsTo('/2.0/repositories/')).toBe(1);
  });

  it('looks up a pull request only where the event lacks its title', async () => {
    await configure();
    await trigger(fixture('created.pullrequest'));
    expect(
      bitbucketCallsTo('/2.0/repositories/{1493262c-9c7d-4c3f-ba70-776ad841d429}/{685d9cf5-8e84-47f4-bbbf-06fd1e527f47}/pullrequests'),
    ).toBe(0);
    await trigger(fixture('created.pullrequest-comment'));
    expect(texts().at(-1)?.bitbucket).toMatchObject({ pullrequest: { id: 42, title: 'Retry acquirer calls with exponential backoff' } });
  });

  it('delivers with identifiers and a marker when Bitbucket fails', async () => {
    platform.bitbucket.respond(() => ({ status: 500 }));
    await configure();
    await trigger(fixture('push.repository'));
    expect(receiver.entries).toHaveLength(1);
    expect(texts()[0]?.event).toMatchObject({
      enrichment: { unresolved: ['repository: Bitbucket answered HTTP 500', 'actor: Bitbucket answered HTTP 500'] },
    });
    expect(texts()[0]?.bitbucket).toMatchObject({ repository: { uuid: '{685d9cf5-8e84-47f4-bbbf-06fd1e527f47}' } });
  });

  it('does not wait for a slow Bitbucket beyond its bound', async () => {
    platform.bitbucket.respond(
      () => new Promise((resolve) => setTimeout(() => resolve({ status: 200, body: {} }), app.ENRICHMENT_DEADLINE_MS + 1_500).unref()),
    );
    await configure();
    const started = Date.now();
    await trigger(fixture('deleted.repository'));
    expect(Date.now() - started).toBeLessThan(app.ENRICHMENT_DEADLINE_MS + 1_000);
    expect(texts()[0]?.event).toMatchObject({
      enrichment: { unresolved: expect.arrayContaining([expect.stringContaining('did not answer within')]) },
    });
  }, 15_000);

  it('routes events to a subsystem per repository', async () => {
    await configure({ subsystemName: 'bb-{project.key}-{repository.slug}' });
    await trigger(fixture('push.repository'));
    await trigger(fixture('rejected.pullrequest'));
    expect(receiver.entries.map((entry) => entry.subsystemName)).toEqual(['bb-PAY-payments-api', 'bb-PAY-web-frontend']);
  });

  it.each([
    ['OFF', 0],
    ['BASE', 1],
    ['ADVANCED', 2],
    ['FULL', 3],
  ] as const)('forwards repository events up to coverage %s', async (setting, count) => {
    await configure({ coverage: { REPOSITORY: setting, PULL_REQUEST: 'FULL', PIPELINES: 'FULL' } });
    for (const name of ['deleted.repository', 'push.repository', 'created.commit-comment']) await trigger(fixture(name));
    expect(receiver.entries).toHaveLength(count);
  });

  it('omits free text when asked, and never forwards an email address', async () => {
    await configure({ omitFreeText: true });
    const push = fixture('push.repository') as { push: { commits: Array<{ message: { value: string } }> } };
    (push.push.commits[0] as { message: { value: string } }).message.value = 'Fix\n\nSigned-off-by: Someone <someone@example.com>';
    await trigger(push);
    await configure({ omitFreeText: false });
    await trigger({ ...push, timestamp: '2026-11-09T12:00:00Z' });
    const [omitted, kept] = receiver.entries.map((entry) => entry.text);
    expect(omitted).not.toContain('Refactor settlement');
    expect(omitted).not.toContain('Bump ledger client');
    expect(JSON.parse(omitted ?? '{}').event.free_text_omitted).toBe(true);
    expect(kept).toContain('Refactor settlement');
    for (const text of [omitted, kept]) expect(text).not.toMatch(/someone@example\.com/);
  });
});
