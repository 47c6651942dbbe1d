import api, { route } from '@forge/api';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { egressHosts, tagsHost } from '../../src/core/regions';
import { startSandbox, SANDBOX_ADMIN, type Sandbox } from '../../sandbox/sandbox';
import { launchChromium, screenshot, watchPage } from '../support/browser';
import { bitbucketPipelineFixtures, fixture, workspaceListingFixture } from '../support/fixtures';

// The sandbox's side of version tags and the repository scope: every declared Coralogix host reaches
// its receiver, which takes tags with a key of their own and shows them on the receiver page, and its
// Bitbucket answers the workspace listing and the deployments' pipelines.

const quiet = { log: () => undefined, heartbeat: false as const, drainEveryMs: 0 };
const TAG = {
  name: 'payments-api #317',
  timestamp: Date.parse('2026-11-09T12:07:12Z'),
  application: ['payments'],
  subsystem: ['payments-api'],
};

describe('the sandbox: version tags and the workspace listing', () => {
  let browser: Browser;
  let sandbox: Sandbox;
  let dataDir: string;
  let page: Page | undefined;

  beforeAll(async () => {
    jest.spyOn(console, 'log').mockImplementation(() => undefined);
    jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'sandbox-tags-'));
    [browser, sandbox] = await Promise.all([launchChromium(), startSandbox({ port: 0, dataDir, ...quiet })]);
  }, 30_000);
  afterAll(async () => {
    await page?.close();
    await browser?.close();
    await sandbox?.close();
    rmSync(dataDir, { recursive: true, force: true });
    jest.restoreAllMocks();
  });

  // Through the runtime's global fetch, which the platform guards and routes as it does the app's.
  const postTag = (host: string, key: string) =>
    fetch(`https://${host}/api/v1/external/tags`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      body: JSON.stringify(TAG),
    });

  it('routes every declared host to the receiver, which takes tags only with the tags key', async () => {
    expect(sandbox.sandboxTagsKey).toMatch(/^cxtp_sandboxtags_[0-9a-f]{24}$/);
    expect(sandbox.sandboxTagsKey).not.toBe(sandbox.sandboxKey);
    const apiHosts = egressHosts().filter((candidate) => candidate.startsWith('api.'));
    for (const host of apiHosts) {
      expect((await postTag(host, sandbox.sandboxTagsKey)).status).toBe(201);
    }
    expect(sandbox.receiver.tags.at(-1)).toMatchObject({ body: TAG, host: tagsHost('AP3'), region: 'AP3' });

    expect((await postTag(tagsHost('EU2'), sandbox.sandboxKey)).status).toBe(403);
    sandbox.receiverLog.sync();
    expect(sandbox.receiverLog.after(0).at(-1)).toMatchObject({ kind: 'refused', status: 403, endpoint: 'tags' });
    expect(sandbox.receiverLog.after(0).filter((item) => item.kind === 'tag')).toHaveLength(apiHosts.length);
  });

  it('shows the tags on the receiver page, in a section of their own', async () => {
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.setDefaultTimeout(10_000);
    const watched = watchPage(page);
    await page.goto(`${sandbox.url}/receiver`);
    const tags = page.getByTestId('version-tags');
    await tags.getByTestId('tag').first().waitFor();
    expect(await page.getByTestId('tag-count').textContent()).toBe(String(sandbox.receiver.tags.length));
    const newest = tags.getByTestId('tag').first();
    expect(await newest.textContent()).toContain(TAG.name);
    expect(await newest.textContent()).toContain('region AP3');
    expect(await newest.textContent()).toContain('application payments');
    // Tags are not log entries.
    expect(await page.getByTestId('entries').getByTestId('tag').count()).toBe(0);
    await screenshot(page, 'sandbox-receiver-version-tags');
    expect(watched.problems).toEqual([]);
  });

  it('lists the workspace projects and repositories to the signed-in user, and serves the pipelines', async () => {
    const listing = workspaceListingFixture();
    const workspaceId = sandbox.platform.workspaceId;
    const repositories = await sandbox.platform.invoke(
      async () => (await api.asUser().requestBitbucket(route`/2.0/repositories/${workspaceId}?role=member&pagelen=${100}`)).json(),
      { accountId: SANDBOX_ADMIN },
    );
    expect(repositories.value).toMatchObject({ size: listing.repositories.length, page: 1 });
    const projects = await sandbox.platform.invoke(
      async () => (await api.asUser().requestBitbucket(route`/2.0/workspaces/${workspaceId}/projects?q=${'name ~ "data"'}`)).json(),
      { accountId: SANDBOX_ADMIN },
    );
    expect(projects.value).toMatchObject({ size: 1, values: [{ key: 'DATA' }] });

    const deployment = fixture('completed.deployment.successful') as {
      workspace: { uuid: string };
      repository: { uuid: string };
      pipeline: { uuid: string };
    };
    const pipeline = await sandbox.platform.invoke(async () => {
      const { workspace, repository, pipeline: ofDeployment } = deployment;
      return (
        await api.asApp().requestBitbucket(route`/2.0/repositories/${workspace.uuid}/${repository.uuid}/pipelines/${ofDeployment.uuid}`)
      ).json();
    });
    const expected = bitbucketPipelineFixtures().pipelines.find((candidate) => candidate.uuid === deployment.pipeline.uuid);
    expect(pipeline.value).toEqual(expected);
  });
});
