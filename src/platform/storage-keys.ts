// Every KVS key the app writes, in one place. Forge keys allow [a-zA-Z0-9:._\s-#] only.
export const StorageKeys = {
  settings: 'settings:v1',
  apiKeySecret: 'secret:coralogix-api-key',
  heartbeat: 'health:heartbeat',
  /** `health:bucket:<hour start ms>:<instance>` — delivery counts of one warm instance for one hour. */
  healthBucketPrefix: 'health:bucket:',
  /** `dead:<inverted time>:<event id>` — inverted so a prefix query lists the newest first. */
  deadLetterPrefix: 'dead:',
  /**
   * `evicted:<inverted time>:<event id>` — one marker per dead letter evicted for room, named after
   * it: two instances evicting the same letter write the same marker, so it is counted once.
   */
  evictionMarkerPrefix: 'evicted:',
} as const;
