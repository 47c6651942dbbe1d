import path from 'node:path';
import { defaultStoredSettings } from '../../src/core/settings';
import { ResolverKeys } from '../../src/shared/contract';
import { CoralogixReceiver } from '../../sandbox/coralogix-receiver';
import { ForgePlatform } from '../../sandbox/platform/forge-platform';
import { fixture } from '../support/fixtures';
import { DEPLOYED_BUNDLES, loadDeployedBundle, loadDeployedHandler, type HandlerName } from '../support/deployed-app';

// The files `forge deploy` would upload (webpack, ts-loader, the app's tsconfig: `npm run
// build:backend`), one per handler module, with the @forge/* SDKs bundled into each, on the local
// Forge platform: what the other suites prove of the sources holds for the bundles. Each handler runs
// from its own function's bundle, as Forge runs it.
const API_KEY = 'cxtp_DeployedBundleKey0123456789';
const ADMIN = '557058:bundle-admin';
const INGRESS = 'ingress.eu1.coralogix.com';

describe('the deployed bundles', () => {
  let platform: ForgePlatform;
  let receiver: CoralogixReceiver;

  beforeAll(async () => {
    receiver = await CoralogixReceiver.start({ apiKeys: [API_KEY] });
  });
  afterAll(() => receiver.close());

  beforeEach(() => {
    platform = new ForgePlatform();
    platform.routeEgress(INGRESS, receiver.url);
    platform.bitbucket.serveWorkspaceRoles(platform.workspaceId, { [ADMIN]: 'owner' });
    receiver.entries.length = 0;
  });
  afterEach(() => platform.uninstall());

  async function save(): Promise<void> {
    const settings = { ...defaultStoredSettings(), applicationName: 'acme-prod', subsystemName: 'bitbucket-audit' };
    const saved = await platform.callResolver(
      loadDeployedHandler('settingsResolver'),
      ResolverKeys.saveSettings,
      { settings, apiKey: API_KEY },
      { accountId: ADMIN },
    );
    expect(saved).toMatchObject({ ok: true, value: { ok: true, data: { configured: true } } });
  }

  it('builds one bundle per manifest function, each exporting only its own handler', () => {
    for (const [handler, file] of Object.entries(DEPLOYED_BUNDLES) as Array<[HandlerName, string]>) {
      expect([path.basename(file), Object.keys(loadDeployedBundle(file))]).toEqual([path.basename(file), [handler]]);
    }
    expect(new Set(Object.values(DEPLOYED_BUNDLES)).size).toBe(Object.keys(DEPLOYED_BUNDLES).length);
  });

  it("saves settings through the resolver's bundle and forwards an event as one entry through the trigger's", async () => {
    await save();
    const payload = fixture('push.repository');
    const forwardEvent = loadDeployedHandler('forwardEvent');
    const result = await platform.invoke(() => forwardEvent(payload, { installContext: platform.installContext }));
    expect(result).toMatchObject({ ok: true });
    expect(receiver.entries).toHaveLength(1);
    expect(receiver.entries[0]).toMatchObject({
      applicationName: 'acme-prod',
      subsystemName: 'bitbucket-audit',
      className: payload.eventType,
    });
  });

  it("keeps an event Coralogix did not take, which the consumer's bundle drains, and the heartbeat's bundle reports", async () => {
    await save();
    const payload = fixture('push.repository');
    // The trigger logs the refused send; the key must not be in that line.
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    // Nothing listens on the discard port: the send is refused and the trigger keeps the event.
    platform.routeEgress(INGRESS, 'http://127.0.0.1:9');
    const forwardEvent = loadDeployedHandler('forwardEvent');
    const kept = await platform.invoke(() => forwardEvent(payload, { installContext: platform.installContext }));
    expect(kept).toMatchObject({ ok: true, value: { attempt: { result: 'backlogged' } } });
    expect(JSON.stringify(warn.mock.calls)).not.toContain(API_KEY);
    warn.mockRestore();

    platform.routeEgress(INGRESS, receiver.url);
    const retryDelivery = loadDeployedHandler('retryDelivery');
    const drained = await platform.invoke(() => retryDelivery({ body: { kind: 'drain' } }, {}));
    expect(drained).toMatchObject({ ok: true, value: { result: 'drain', drain: { status: 'drained' } } });
    expect(receiver.entries.map((entry) => entry.className)).toEqual([payload.eventType]);

    const heartbeat = loadDeployedHandler('heartbeat');
    expect(await platform.invoke(() => heartbeat({}, {}))).toMatchObject({ ok: true, value: { heartbeat: 'delivered', backlog: 0 } });
  });
});
