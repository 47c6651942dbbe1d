import { defaultStoredSettings } from '../../src/core/settings';
import { ResolverKeys } from '../../src/shared/contract';
import { CoralogixReceiver } from '../../sandbox/coralogix-receiver';
import { ForgePlatform } from '../../sandbox/platform/forge-platform';
import { fixture } from '../support/fixtures';
import { loadDeployedApp, type DeployedApp } from '../support/deployed-app';

// The file `forge deploy` would upload (webpack, ts-loader, the app's tsconfig: `npm run
// build:backend`), with the @forge/* SDKs bundled into it, on the local Forge platform: what the
// other suites prove of the sources holds for the bundle.
const API_KEY = 'cxtp_DeployedBundleKey0123456789';
const ADMIN = '557058:bundle-admin';

describe('the deployed bundle', () => {
  let platform: ForgePlatform;
  let receiver: CoralogixReceiver;
  let app: DeployedApp;

  beforeAll(async () => {
    receiver = await CoralogixReceiver.start({ apiKeys: [API_KEY] });
  });
  afterAll(() => receiver.close());

  beforeEach(() => {
    platform = new ForgePlatform();
    platform.routeEgress('ingress.eu1.coralogix.com', receiver.url);
    platform.bitbucket.serveWorkspaceRoles(platform.workspaceId, { [ADMIN]: 'owner' });
    receiver.entries.length = 0;
    app = loadDeployedApp();
  });
  afterEach(() => platform.uninstall());

  it('saves settings through its resolver and forwards an event as one entry', async () => {
    const settings = { ...defaultStoredSettings(), applicationName: 'acme-prod', subsystemName: 'bitbucket-audit' };
    const saved = await platform.callResolver(
      app.settingsResolver,
      ResolverKeys.saveSettings,
      { settings, apiKey: API_KEY },
      { accountId: ADMIN },
    );
    expect(saved).toMatchObject({ ok: true, value: { ok: true, data: { configured: true } } });

    const payload = fixture('push.repository');
    const result = await platform.invoke(() => app.forwardEvent(payload, { installContext: platform.installContext }));
    expect(result).toMatchObject({ ok: true });
    expect(receiver.entries).toHaveLength(1);
    expect(receiver.entries[0]).toMatchObject({
      applicationName: 'acme-prod',
      subsystemName: 'bitbucket-audit',
      className: payload.eventType,
    });
  });
});
