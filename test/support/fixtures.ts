import { loadEventFixtures } from '../../sandbox/fixtures';

export { bitbucketRestFixtures, FIXTURE_DIR, loadEventFixtures, type EventFixture } from '../../sandbox/fixtures';

export function fixture(name: string): Record<string, unknown> {
  const found = loadEventFixtures().find((candidate) => candidate.name === name);
  if (!found) throw new Error(`No event fixture named ${name}`);
  return structuredClone(found.payload);
}

/** `count` distinct events: the fixtures in turn, each with its own timestamp (so its own event id). */
export function distinctEvents(count: number, offsetSeconds = 0): Array<Record<string, unknown>> {
  const fixtures = loadEventFixtures();
  return Array.from({ length: count }, (_, i) => ({
    ...structuredClone(fixtures[i % fixtures.length]?.payload ?? {}),
    timestamp: new Date(Date.parse('2026-11-09T10:00:00Z') + (offsetSeconds + i) * 1000).toISOString(),
  }));
}
