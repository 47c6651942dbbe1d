// Every KVS key the app writes, in one place. Forge keys allow [a-zA-Z0-9:._\s-#] only.
export const StorageKeys = {
  settings: 'settings:v1',
  apiKeySecret: 'secret:coralogix-api-key',
} as const;
