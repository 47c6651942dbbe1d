import type { ForgePlatform } from '../sandbox/platform/forge-platform';

// What the benchmark feeds the app: a burst of ordinary pushes, and the worst cases an event can
// bring (issue 10): each event distinct, so no cache or id makes one cheaper than the last.

export const KEY = 'cxtp_BenchmarkKey0123456789';
export const INGRESS_HOST = 'ingress.eu1.coralogix.com';
const REPOSITORIES = 10;
const WORKSPACE = '{1493262c-9c7d-4c3f-ba70-776ad841d429}';
const PROJECT = '{e3c27c57-ddc4-4c1d-a224-842f254fc165}';
const ACTORS = [
  { accountId: '47715e05872dd4f112f819af', uuid: '{0c721233-0ec6-4912-975e-6980a68de120}', name: 'Test User Alpha' },
  { accountId: '712020:c1bd0dde-cb2b-44f4-9a91-7da2b5f15ec6', uuid: '{cc8fcafc-9b99-43d5-850b-2f7b38bb8787}', name: 'Test User Bravo' },
];

export type BenchEvent = Record<string, unknown>;

/** Settings saved through the page's resolver, as an admin does. */
export const BENCH_SETTINGS = {
  settings: {
    region: 'EU1',
    applicationName: 'bench',
    subsystemName: 'bitbucket',
    forwardingEnabled: true,
    forwardedEvents: ['avi:bitbucket:push:repository', 'avi:bitbucket:updated:repository'],
  },
  apiKey: KEY,
};

function repositoryUuid(index: number): string {
  return `{00000000-0000-4000-8000-${String(index).padStart(12, '0')}}`;
}

const hash = (n: number) => n.toString(16).padStart(40, '0');

function actorOf(n: number) {
  const actor = ACTORS[n % ACTORS.length] as (typeof ACTORS)[number];
  return { type: 'user', accountId: actor.accountId, uuid: actor.uuid };
}

function commit(n: number, message: string) {
  return { hash: hash(n), message: { value: message, truncated: false }, date: '2026-11-09T12:00:00Z', author: { user: actorOf(n) } };
}

function pushEvent(n: number, commits: ReturnType<typeof commit>[], extra: BenchEvent = {}): BenchEvent {
  return {
    eventType: 'avi:bitbucket:push:repository',
    timestamp: new Date(Date.parse('2026-11-09T12:00:00Z') + n * 1000).toISOString(),
    selfGenerated: false,
    actor: actorOf(n),
    repository: { uuid: repositoryUuid(n % REPOSITORIES), slug: `service-${n % REPOSITORIES}` },
    project: { uuid: PROJECT },
    workspace: { uuid: WORKSPACE },
    push: {
      ref: 'main',
      mainbranch: true,
      before: hash(n),
      after: hash(n + 1),
      created: false,
      closed: false,
      forced: false,
      truncated: false,
      commits,
    },
    ...extra,
  };
}

/** Event number `n` of a burst of one-commit pushes over 10 repositories by two people. */
export function ordinaryPush(n: number): BenchEvent {
  return pushEvent(n, [commit(n + 1, `Change ${n}\n`)]);
}

function nested(depth: number): unknown {
  let value: unknown = 'bottom';
  for (let level = 0; level < depth; level += 1) value = { inner: value };
  return value;
}

/** The worst cases issue 10 names, each as a function of a distinct event number. */
export const WORST_CASES: ReadonlyArray<{ name: string; event: (n: number) => BenchEvent }> = [
  {
    name: 'repository description: one 60 KB token containing "@"',
    event: (n) => ({
      eventType: 'avi:bitbucket:updated:repository',
      timestamp: new Date(Date.parse('2026-11-09T12:00:00Z') + n * 1000).toISOString(),
      actor: actorOf(n),
      repository: { uuid: repositoryUuid(n % REPOSITORIES), slug: `service-${n % REPOSITORIES}` },
      project: { uuid: PROJECT },
      workspace: { uuid: WORKSPACE },
      changes: { description: { old: { value: 'Payments service' }, new: { value: `${'A'.repeat(30_000)}@${n}${'b'.repeat(30_000)}` } } },
    }),
  },
  {
    name: 'push of 200 KB (40 commits of 5 KB messages)',
    event: (n) =>
      pushEvent(
        n,
        Array.from({ length: 40 }, (_, i) => commit(n + i, `${'Refactor the ledger. '.repeat(244)}${n}`)),
      ),
  },
  {
    name: 'push of 120 commits',
    event: (n) =>
      pushEvent(
        n,
        Array.from({ length: 120 }, (_, i) => commit(n + i, `Change ${n}.${i}\n`)),
      ),
  },
  {
    name: 'payload nested 10,000 levels deep',
    event: (n) => pushEvent(n, [commit(n + 1, `Change ${n}\n`)], { addedByBitbucketLater: nested(10_000) }),
  },
];

/** The Bitbucket data the app's enrichment asks for. */
export function serveBitbucket(platform: ForgePlatform): void {
  for (let i = 0; i < REPOSITORIES; i += 1) {
    platform.bitbucket.serve(`/2.0/repositories/${WORKSPACE}/${repositoryUuid(i)}`, {
      type: 'repository',
      uuid: repositoryUuid(i),
      name: `service-${i}`,
      slug: `service-${i}`,
      full_name: `acme-payments/service-${i}`,
      is_private: true,
      scm: 'git',
      links: { html: { href: `https://bitbucket.org/acme-payments/service-${i}` } },
      project: { type: 'project', uuid: PROJECT, key: 'PAY', name: 'Payments' },
      workspace: { type: 'workspace', uuid: WORKSPACE, slug: 'acme-payments', name: 'Acme Payments' },
    });
  }
  for (const actor of ACTORS) {
    platform.bitbucket.serve(`/2.0/users/${actor.accountId}`, {
      type: 'user',
      uuid: actor.uuid,
      account_id: actor.accountId,
      display_name: actor.name,
      nickname: actor.name.split(' ').at(-1)?.toLowerCase(),
    });
  }
  platform.bitbucket.serveWorkspaceRoles(platform.workspaceId, { admin: 'owner' });
}
