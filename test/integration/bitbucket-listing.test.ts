import api, { route } from '@forge/api';
import { BitbucketEmulator, type BitbucketPrincipal } from '../../sandbox/platform/bitbucket-emulator';
import { ForgePlatform } from '../../sandbox/platform/forge-platform';
import { bitbucketPipelineFixtures, loadEventFixtures, serveWorkspaceFixtures, workspaceListingFixture } from '../support/fixtures';

// The Bitbucket REST answers the settings page picks its repository scope from, and the pipelines a
// deployment's version tag is named after: paged, filtered and as the user, as Bitbucket Cloud answers.
const listing = workspaceListingFixture();
const WORKSPACE = listing.workspace.uuid;
const USER: BitbucketPrincipal = { kind: 'user', accountId: '557058:admin' };

interface Page {
  size: number;
  page: number;
  pagelen: number;
  next?: string;
  previous?: string;
  values: Array<{ type: string; uuid: string; name: string }>;
}

describe('the Bitbucket emulator: workspace projects and repositories', () => {
  const bitbucket = new BitbucketEmulator();
  serveWorkspaceFixtures(bitbucket);

  const get = async (path: string, principal: BitbucketPrincipal = USER) => {
    const response = await bitbucket.handle(principal, path, undefined);
    return { status: response.status, body: (await response.json()) as Page & { error?: { message: string } } };
  };

  it("holds about three projects and a dozen repositories, the workspace's example events among them", () => {
    expect(listing.projects.length).toBeGreaterThanOrEqual(3);
    expect(listing.repositories.length).toBeGreaterThanOrEqual(12);
    const listed = new Set(listing.repositories.map((repository) => repository.uuid));
    const projects = new Set(listing.projects.map((project) => project.uuid));
    // Events of another workspace (a personal one) are not in this listing.
    const ofWorkspace = loadEventFixtures().filter(
      (event) => (event.payload.workspace as { uuid?: string } | undefined)?.uuid === WORKSPACE,
    );
    expect(ofWorkspace.length).toBeGreaterThan(10);
    for (const event of ofWorkspace) {
      const repository = event.payload.repository as { uuid?: string } | undefined;
      if (repository?.uuid) expect(listed).toContain(repository.uuid);
      const project = event.payload.project as { uuid?: string } | undefined;
      if (project?.uuid) expect(projects).toContain(project.uuid);
    }
    for (const repository of listing.repositories) {
      expect(repository).toMatchObject({ type: 'repository', uuid: expect.stringMatching(/^\{[0-9a-f-]{36}\}$/) });
      expect(projects).toContain(repository.project.uuid);
    }
  });

  it('pages repositories ten at a time by default, with links to the next and previous page', async () => {
    const first = await get(`/2.0/repositories/${WORKSPACE}?role=member`);
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ size: listing.repositories.length, page: 1, pagelen: 10 });
    expect(first.body.values).toHaveLength(10);
    expect(first.body.previous).toBeUndefined();
    const next = new URL(first.body.next ?? '');
    expect(next.searchParams.get('page')).toBe('2');
    expect(next.searchParams.get('role')).toBe('member');
    const second = await get(`${next.pathname}${next.search}`);
    expect(second.body).toMatchObject({ page: 2, size: listing.repositories.length });
    expect(second.body.next).toBeUndefined();
    expect(second.body.previous).toBeDefined();
    expect([...first.body.values, ...second.body.values].map((value) => value.uuid)).toEqual(
      listing.repositories.map((repository) => repository.uuid),
    );
  });

  it('takes pagelen up to 100 and refuses more, and pages past the end', async () => {
    expect((await get(`/2.0/workspaces/${WORKSPACE}/projects?pagelen=2`)).body.values).toHaveLength(2);
    expect((await get(`/2.0/repositories/${WORKSPACE}?pagelen=100`)).body.values).toHaveLength(listing.repositories.length);
    expect((await get(`/2.0/repositories/${WORKSPACE}?pagelen=101`)).status).toBe(400);
    expect((await get(`/2.0/repositories/${WORKSPACE}?pagelen=0`)).status).toBe(400);
    expect((await get(`/2.0/repositories/${WORKSPACE}?page=0`)).status).toBe(400);
    expect((await get(`/2.0/repositories/${WORKSPACE}?page=9`)).status).toBe(404);
  });

  it('filters by name ~ "text", case-insensitively, as the query arrives from route`...`', async () => {
    const q = encodeURIComponent('name ~ "PAY"');
    const repositories = await get(`/2.0/repositories/${WORKSPACE}?q=${q}&role=member`);
    const expected = listing.repositories.filter((repository) => repository.name.toLowerCase().includes('pay'));
    expect(expected.length).toBeGreaterThan(1);
    expect(repositories.body.values.map((value) => value.name)).toEqual(expected.map((repository) => repository.name));
    expect(repositories.body.size).toBe(expected.length);
    // URLSearchParams writes a space as "+", which a query string may carry too.
    const plusEncoded = new URLSearchParams({ q: 'name ~ "pay"' }).toString();
    const projects = await get(`/2.0/workspaces/${WORKSPACE}/projects?${plusEncoded}`);
    expect(projects.body.values.map((value) => value.name)).toEqual(['Payments']);
    const none = await get(`/2.0/repositories/${WORKSPACE}?q=${encodeURIComponent('name ~ "nothing-like-this"')}`);
    expect(none).toMatchObject({ status: 200, body: { size: 0, values: [] } });
  });

  it.each([
    ['another field', 'slug ~ "pay"'],
    ['another operator', 'name = "payments-api"'],
    ['a combination', 'name ~ "pay" AND name ~ "api"'],
    ['an unquoted value', 'name ~ pay'],
  ])('refuses a filter with %s with 400', async (_what, q) => {
    const answer = await get(`/2.0/repositories/${WORKSPACE}?q=${encodeURIComponent(q)}`);
    expect(answer.status).toBe(400);
    expect(answer.body.error?.message).toMatch(/Invalid query/);
  });

  it('refuses an unknown role', async () => {
    expect((await get(`/2.0/repositories/${WORKSPACE}?role=visitor`)).status).toBe(400);
  });

  it('answers the workspace by its slug or percent-encoded {uuid} too', async () => {
    expect((await get(`/2.0/workspaces/${listing.workspace.slug}/projects`)).status).toBe(200);
    expect((await get(`/2.0/repositories/${encodeURIComponent(WORKSPACE)}`)).status).toBe(200);
    expect((await get('/2.0/repositories/{00000000-0000-4000-8000-000000000000}')).status).toBe(404);
  });

  it('lists only to a user: the app itself and a call with no user are refused', async () => {
    expect((await get(`/2.0/repositories/${WORKSPACE}`, { kind: 'app' })).status).toBe(403);
    expect((await get(`/2.0/workspaces/${WORKSPACE}/projects`, { kind: 'user', accountId: undefined })).status).toBe(401);
  });
});

describe('the Bitbucket emulator: pipelines of the deployment events', () => {
  const bitbucket = new BitbucketEmulator();
  serveWorkspaceFixtures(bitbucket);
  const { workspace } = bitbucketPipelineFixtures();

  it('answers the pipeline of every deployment fixture, by repository uuid or slug', async () => {
    const deployments = loadEventFixtures().filter((event) => event.eventType.endsWith(':deployment'));
    expect(deployments.length).toBeGreaterThan(0);
    for (const event of deployments) {
      const { repository, pipeline } = event.payload as { repository: { uuid: string; slug: string }; pipeline: { uuid: string } };
      for (const repo of [repository.uuid, repository.slug]) {
        const response = await bitbucket.handle(
          { kind: 'app' },
          `/2.0/repositories/${workspace.uuid}/${repo}/pipelines/${pipeline.uuid}`,
          undefined,
        );
        expect(response.status).toBe(200);
        expect(await response.json()).toMatchObject({
          type: 'pipeline',
          uuid: pipeline.uuid,
          build_number: expect.any(Number),
          target: { type: 'pipeline_ref_target', ref_name: expect.any(String), commit: { hash: expect.stringMatching(/^[0-9a-f]{40}$/) } },
        });
      }
    }
  });

  it('answers 404 for an unknown pipeline', async () => {
    const response = await bitbucket.handle(
      { kind: 'app' },
      `/2.0/repositories/${workspace.slug}/payments-api/pipelines/{00000000-0000-4000-8000-000000000000}`,
      undefined,
    );
    expect(response.status).toBe(404);
  });
});

describe('the listing through @forge/api, as the settings page resolvers will call it', () => {
  const ADMIN = '557058:admin';
  let platform: ForgePlatform;
  beforeAll(() => {
    platform = new ForgePlatform();
    serveWorkspaceFixtures(platform.bitbucket, platform.workspaceId);
  });
  afterAll(() => platform.uninstall());

  it('pages and filters for asUser(), and refuses asApp()', async () => {
    const workspaceId = platform.workspaceId;
    const asUser = await platform.invoke(
      async () => {
        const response = await api
          .asUser()
          .requestBitbucket(route`/2.0/repositories/${workspaceId}?q=${'name ~ "web"'}&pagelen=${5}&role=member`);
        return { status: response.status, body: (await response.json()) as Page };
      },
      { accountId: ADMIN },
    );
    expect(asUser.value).toMatchObject({ status: 200, body: { size: 1, pagelen: 5, values: [{ name: 'Web Frontend' }] } });
    const asApp = await platform.invoke(
      async () => (await api.asApp().requestBitbucket(route`/2.0/workspaces/${workspaceId}/projects`)).status,
    );
    expect(asApp.value).toBe(403);
  });
});
