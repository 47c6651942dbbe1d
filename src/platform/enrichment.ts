import { requestBitbucket, route } from '@forge/api';
import { kvs } from '@forge/kvs';
import {
  pick,
  REST_SHAPES,
  type Enrichment,
  type EnrichmentObject,
  type EnrichmentRequest,
  type PullRequestInfo,
  type RepositoryInfo,
  type UserInfo,
} from '../core/enrichment';
import { perInstallation } from './installation';
import { CacheKeys } from './storage-keys';

// Forge events carry identifiers only; Bitbucket REST (as the app) supplies names and links. A
// burst of events on one repository must cost about one lookup per object, so answers are kept in
// the warm instance and in KVS with a TTL, concurrent lookups of one object share one request, and
// a failed or slow lookup never holds delivery back for more than ENRICHMENT_DEADLINE_MS.
export const ENRICHMENT_DEADLINE_MS = 2_000;
const MEMORY_TTL_MS = 10 * 60_000;
const STORED_TTL_MINUTES = 60;
// A pull request's title and state change while it is open; keep it briefly.
const PULL_REQUEST_TTL_MS = 2 * 60_000;
const MISSING_TTL_MS = 5 * 60_000;
const FAILED_TTL_MS = 30_000;
// What a stored answer holds (REST_SHAPES): an answer stored in another shape is looked up again.
const STORED_SHAPE = 2;
// Bounded per installation: a workspace with thousands of repositories and pull requests must not
// grow a warm instance's memory without limit (0.5 to 3 KB an object, REST_SHAPES).
const MAX_CACHED_OBJECTS = 2_000;

type Lookup<T> = { found: T } | { missing: string };

interface Slot<T> {
  value: Lookup<T>;
  expiresAt: number;
}

interface EnrichmentCache {
  readonly memory: Map<string, Slot<unknown>>;
  readonly inFlight: Map<string, Promise<Lookup<unknown>>>;
}

const cacheOfInstallation = perInstallation<EnrichmentCache>(() => ({ memory: new Map(), inFlight: new Map() }));

/** Keeps the cache within MAX_CACHED_OBJECTS: expired slots go first, then the oldest inserted. */
function remember(memory: Map<string, Slot<unknown>>, cacheKey: string, slot: Slot<unknown>, now: number): void {
  memory.delete(cacheKey);
  if (memory.size >= MAX_CACHED_OBJECTS) {
    for (const [key, existing] of memory) if (existing.expiresAt <= now) memory.delete(key);
    while (memory.size >= MAX_CACHED_OBJECTS) {
      const oldest = memory.keys().next().value;
      if (oldest === undefined) break;
      memory.delete(oldest);
    }
  }
  memory.set(cacheKey, slot);
}

class LookupFailed extends Error {}

function braced(uuid: string): string {
  return uuid.startsWith('{') ? uuid : `{${uuid}}`;
}

function memoryHit(memory: Map<string, Slot<unknown>>, cacheKey: string, now: number): Lookup<unknown> | undefined {
  const slot = memory.get(cacheKey);
  if (!slot || slot.expiresAt <= now) return undefined;
  return slot.value;
}

async function cached<T>(
  cacheKey: string,
  ttlMs: number,
  store: boolean,
  now: number,
  fetcher: () => Promise<Lookup<T>>,
): Promise<Lookup<T>> {
  const { memory, inFlight } = cacheOfInstallation();
  const hit = memoryHit(memory, cacheKey, now) as Lookup<T> | undefined;
  if (hit) return hit;
  const pending = inFlight.get(cacheKey) as Promise<Lookup<T>> | undefined;
  if (pending) return pending;
  const lookup = (async (): Promise<Lookup<T>> => {
    if (store) {
      const stored = await kvs.get<Lookup<T> & { shape?: number }>(cacheKey).catch(() => undefined);
      if (stored?.shape === STORED_SHAPE) {
        remember(memory, cacheKey, { value: stored, expiresAt: now + ttlMs }, now);
        return stored;
      }
    }
    try {
      const value = await fetcher();
      const lifetime = 'found' in value ? ttlMs : MISSING_TTL_MS;
      remember(memory, cacheKey, { value, expiresAt: now + lifetime }, now);
      if (store && 'found' in value)
        await kvs
          .set(cacheKey, { ...value, shape: STORED_SHAPE }, { ttl: { value: STORED_TTL_MINUTES, unit: 'MINUTES' } })
          .catch(() => undefined);
      return value;
    } catch (error) {
      const value: Lookup<T> = { missing: error instanceof LookupFailed ? error.message : 'Bitbucket could not be reached' };
      remember(memory, cacheKey, { value, expiresAt: now + FAILED_TTL_MS }, now);
      return value;
    }
  })();
  inFlight.set(cacheKey, lookup);
  try {
    return await lookup;
  } finally {
    inFlight.delete(cacheKey);
  }
}

const ACCEPT_JSON = { headers: { Accept: 'application/json' } };

// Each call passes its route straight to requestBitbucket, where `forge lint` can see the endpoint
// and check its scope against the manifest.
async function jsonOf(response: Awaited<ReturnType<typeof requestBitbucket>>): Promise<Lookup<Record<string, unknown>>> {
  if (response.status === 404) return { missing: 'not found' };
  if (response.status === 403 || response.status === 401) return { missing: 'not visible to the app' };
  if (!response.ok) throw new LookupFailed(`Bitbucket answered HTTP ${response.status}`);
  return { found: (await response.json()) as Record<string, unknown> };
}

type Raw = Readonly<Record<string, unknown>>;

// Only what the webhook entities carry is kept (core/enrichment.ts, REST_SHAPES): the cache holds
// little, and nothing REST adds (an address in a field the app never asked for) reaches a record.
const kept =
  <T>(name: EnrichmentObject) =>
  (raw: Raw): T =>
    (pick(raw, REST_SHAPES[name]) ?? {}) as T;

async function mapped<T>(lookup: Promise<Lookup<Raw>>, convert: (raw: Raw) => T): Promise<Lookup<T>> {
  const value = await lookup;
  return 'found' in value ? { found: convert(value.found) } : value;
}

interface LookupTask {
  name: EnrichmentObject;
  cacheKey: string;
  run: () => Promise<Lookup<unknown>>;
}

/** Repositories and users change rarely and are kept in KVS too; a pull request's state does not wait. */
const REPOSITORY_OR_USER = { ttlMs: MEMORY_TTL_MS, store: true };
const PULL_REQUEST = { ttlMs: PULL_REQUEST_TTL_MS, store: false };

function lookupTask<T>(
  name: EnrichmentObject,
  cacheKey: string,
  cache: { ttlMs: number; store: boolean },
  now: number,
  request: () => ReturnType<typeof requestBitbucket>,
  convert: (raw: Raw) => T,
): LookupTask {
  return {
    name,
    cacheKey,
    run: () => cached(cacheKey, cache.ttlMs, cache.store, now, async () => mapped(jsonOf(await request()), convert)),
  };
}

function lookups(request: EnrichmentRequest, now: number): LookupTask[] {
  const workspace = request.workspaceUuid ? braced(request.workspaceUuid) : undefined;
  const repository = braced(request.repositoryUuid);
  const { actorId, pullRequestId } = request;
  const tasks: LookupTask[] = [];
  // Each call names its route where forge lint can read it (the scope check).
  if (workspace) {
    const repositoryRequest = () => requestBitbucket(route`/2.0/repositories/${workspace}/${repository}`, ACCEPT_JSON);
    tasks.push(
      lookupTask(
        'repository',
        CacheKeys.repository(workspace, repository),
        REPOSITORY_OR_USER,
        now,
        repositoryRequest,
        kept<RepositoryInfo>('repository'),
      ),
    );
  }
  if (actorId) {
    const userRequest = () => requestBitbucket(route`/2.0/users/${actorId}`, ACCEPT_JSON);
    tasks.push(lookupTask('actor', CacheKeys.user(actorId), REPOSITORY_OR_USER, now, userRequest, kept<UserInfo>('actor')));
  }
  if (workspace && pullRequestId !== undefined) {
    const id = String(pullRequestId);
    const pullRequestRequest = () => requestBitbucket(route`/2.0/repositories/${workspace}/${repository}/pullrequests/${id}`, ACCEPT_JSON);
    tasks.push(
      lookupTask(
        'pullrequest',
        CacheKeys.pullRequest(repository, id),
        PULL_REQUEST,
        now,
        pullRequestRequest,
        kept<PullRequestInfo>('pullrequest'),
      ),
    );
  }
  return tasks;
}

/** Resolves what can be resolved within the deadline; the rest is named in `unresolved`. */
export async function enrichEvent(
  request: EnrichmentRequest,
  now: number = Date.now(),
  deadlineMs: number = ENRICHMENT_DEADLINE_MS,
): Promise<Enrichment> {
  const enrichment: Enrichment = { unresolved: [] };
  if (!request.workspaceUuid) enrichment.unresolved.push('repository: the event names no workspace');
  const tasks = lookups(request, now);
  const settled = new Map<string, Lookup<unknown>>();
  const { memory } = cacheOfInstallation();
  // A warm burst finds everything in memory: no timer, no waiting.
  const pending = tasks.filter((task) => {
    const hit = memoryHit(memory, task.cacheKey, now);
    if (hit) settled.set(task.name, hit);
    return !hit;
  });
  if (pending.length > 0) {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const deadline = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, deadlineMs);
    });
    await Promise.race([Promise.all(pending.map(async (task) => settled.set(task.name, await task.run()))), deadline]);
    clearTimeout(timer);
  }
  for (const task of tasks) {
    const result = settled.get(task.name);
    if (!result) enrichment.unresolved.push(`${task.name}: Bitbucket did not answer within ${deadlineMs} ms`);
    else if ('missing' in result) enrichment.unresolved.push(`${task.name}: ${result.missing}`);
    else if (task.name === 'repository') enrichment.repository = result.found as RepositoryInfo;
    else if (task.name === 'actor') enrichment.actor = result.found as UserInfo;
    else enrichment.pullrequest = result.found as PullRequestInfo;
  }
  return enrichment;
}
