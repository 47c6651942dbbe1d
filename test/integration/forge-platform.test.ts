import api, { fetch, getAppContext, requestBitbucket, route } from '@forge/api';
import { kvs } from '@forge/kvs';
import { ForgePlatform } from '../../sandbox/platform/forge-platform';

// The emulation must behave like the platform where the app depends on it.
describe('the local Forge platform', () => {
  let platform: ForgePlatform;
  beforeEach(() => {
    platform = new ForgePlatform();
  });
  afterEach(() => platform.uninstall());

  it('refuses an external fetch to a host the manifest does not declare, as Forge does', async () => {
    await expect(fetch('https://example.com/collect')).rejects.toMatchObject({ name: 'REQUEST_EGRESS_ALLOWLIST_ERR' });
    expect(platform.egressCounters.refused).toBe(1);
  });

  it('does not let *.coralogix.com-like lookalikes through', async () => {
    await expect(fetch('https://ingress.eu1.coralogix.com.evil.example/logs/v1/singles')).rejects.toMatchObject({
      name: 'REQUEST_EGRESS_ALLOWLIST_ERR',
    });
    await expect(fetch('https://coralogix.com/')).rejects.toMatchObject({ name: 'REQUEST_EGRESS_ALLOWLIST_ERR' });
  });

  it('answers requestBitbucket as the app from fixtures, and 404 otherwise', async () => {
    platform.bitbucket.serve('/2.0/repositories/acme/payments-api', { full_name: 'acme/payments-api' });
    const found = await requestBitbucket(route`/2.0/repositories/${'acme'}/${'payments-api'}`);
    expect(found.status).toBe(200);
    expect(await found.json()).toEqual({ full_name: 'acme/payments-api' });
    const missing = await requestBitbucket(route`/2.0/repositories/${'acme'}/${'nope'}`);
    expect(missing.status).toBe(404);
    expect(platform.bitbucket.calls.map((call) => call.principal)).toEqual([{ kind: 'app' }, { kind: 'app' }]);
  });

  it('tells a request made as the user from one made as the app', async () => {
    platform.bitbucket.respond((call) =>
      call.principal.kind === 'user' && call.principal.accountId === 'admin-1' ? { status: 200, body: { ok: true } } : undefined,
    );
    const asUser = await api.asUser('admin-1').requestBitbucket(route`/2.0/user/permissions/workspaces`);
    expect(asUser.status).toBe(200);
    expect(platform.bitbucket.calls[0]?.principal).toEqual({ kind: 'user', accountId: 'admin-1' });
  });

  it('reports an invocation that throws as failed, with its error', async () => {
    const result = await platform.invoke(async () => {
      throw new Error('boom');
    });
    expect(result).toEqual({ ok: false, error: new Error('boom') });
  });

  it('refuses a storage call an invocation left running after it returned, and reaches no installation', async () => {
    const other = platform.addInstallation();
    let late: Promise<unknown> | undefined;
    await platform.invoke(async () => {
      late = new Promise((resolve) => setTimeout(resolve, 5)).then(() => kvs.set('left-over', 1));
    });
    await expect(late).rejects.toMatchObject({ name: 'INVOCATION_ENDED' });
    expect(platform.lateCalls).toEqual(['kvs /api/v1/set']);
    expect(platform.kvs.peek('left-over')).toBeUndefined();
    expect(other.kvs.peek('left-over')).toBeUndefined();
  });

  it('gives an invocation its remaining time', async () => {
    let now = 1_000;
    const timed = new ForgePlatform({ now: () => now, invocationTimeoutMs: 25_000 });
    const remaining = await timed.invoke(async () => {
      now += 5_000;
      return getAppContext().invocationRemainingTimeInMillis();
    });
    expect(remaining).toEqual({ ok: true, value: 20_000 });
  });
});
