/**
 * What an error may say in the app's logs: its name only. Messages can carry URLs, keys or payload
 * content, and Forge logs are visible to the app vendor.
 */
export function errorName(error: unknown): string {
  return error instanceof Error ? error.name : 'unknown error';
}
