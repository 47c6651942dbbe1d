import { randomUUID } from 'node:crypto';

// Every KVS key the app writes, in one place. Forge keys allow [a-zA-Z0-9:._\s-#] only.
export const StorageKeys = {
  settings: 'settings:v1',
  apiKeySecret: 'secret:coralogix-api-key',
  heartbeat: 'health:heartbeat',
  /** `health:bucket:<hour start ms>:<instance>` — delivery counts of one warm instance for one hour. */
  healthBucketPrefix: 'health:bucket:',
  /** `backlog:body:<item id>` — an undelivered entry the drain sends (item ids are time-ordered: core/backlog.ts). */
  backlogBodyPrefix: 'backlog:body:',
  /** `backlog:held:<item id>` — an entry Coralogix refused as it is: left for the admin. */
  backlogHeldPrefix: 'backlog:held:',
  /** `backlog:item:<item id>` — the small summary the settings page lists, apart from the body. */
  backlogItemPrefix: 'backlog:item:',
  /** `backlog:tally:<hour start ms>:<instance>` — events added to and removed from the backlog by one instance in one hour. */
  backlogTallyPrefix: 'backlog:tally:',
  /** What the tallies add up to when the backlog was last seen empty, so its count needs no scan. */
  backlogTallyBase: 'backlog:tally-base',
  /** Held by the one drain running for the installation; expires on its own if that drain dies. */
  drainLease: 'backlog:lease',
  /** Set while a drain is on the queue, so a burst of failures schedules one, not one each. */
  drainScheduled: 'backlog:scheduled',
  drainState: 'backlog:state',
  /** Events dropped for room beyond the backlog's capacity, until Coralogix has been told. */
  backlogDropped: 'backlog:dropped',
  /** The tags API key (CICD integration permissions), apart from the Send-Your-Data key. */
  tagsApiKeySecret: 'secret:coralogix-tags-api-key',
  /** `tags:item:<item id>` — a version tag not created yet (platform/tags.ts). */
  tagItemPrefix: 'tags:item:',
  tagsState: 'tags:state',
  tagsLease: 'tags:lease',
  /** Set while a tags retry is on the queue, so failures in a burst schedule one. */
  tagsScheduled: 'tags:scheduled',
} as const;

// Bitbucket UUIDs come braced ({…}); keys carry them bare.
const bare = (uuid: string) => uuid.replace(/[{}]/g, '');

/** Enrichment lookups kept between events (platform/enrichment.ts), with a TTL each. */
export const CacheKeys = {
  repository: (workspaceUuid: string, repositoryUuid: string) => `cache:repo:${bare(workspaceUuid)}:${bare(repositoryUuid)}`,
  user: (accountIdOrUuid: string) => `cache:user:${bare(accountIdOrUuid)}`,
  pullRequest: (repositoryUuid: string, id: string) => `cache:pr:${bare(repositoryUuid)}:${id}`,
};

export const HOUR_MS = 3_600_000;

export function hourOf(now: number): number {
  return now - (now % HOUR_MS);
}

// Names this warm instance's own keys apart from other instances' (it carries no installation data),
// so counts are written without a read and no two instances race for a key.
const instanceId = randomUUID().slice(0, 8);

/** `<prefix><hour start ms>:<instance>`: a key only this instance writes, one an hour. */
export function instanceHourKey(prefix: string, hour: number): string {
  return `${prefix}${hour}:${instanceId}`;
}

/** The hour an instanceHourKey was written for. */
export function hourOfInstanceKey(prefix: string, key: string): number {
  return Number(key.slice(prefix.length).split(':')[0]);
}
