import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { EVENT_CATALOG, isEventType, type EventType } from '../src/core/catalog';

// The example Bitbucket events and the Bitbucket REST answers that go with them. The files are the
// tests' fixtures, kept with the tests that pin them down; the sandbox offers the same events, so
// what a tester fires on the console is what the suites check.

export const FIXTURE_DIR = path.resolve(__dirname, '../test/fixtures/events');
const BITBUCKET_REST_FILE = path.resolve(__dirname, '../test/fixtures/bitbucket/rest.json');

export interface EventFixture {
  readonly name: string;
  readonly eventType: EventType;
  readonly payload: Record<string, unknown>;
}

/** Every event fixture, named by file (e.g. `push.repository.forced`). */
export function loadEventFixtures(): EventFixture[] {
  return readdirSync(FIXTURE_DIR)
    .filter((file) => file.endsWith('.json'))
    .sort()
    .map((file) => {
      const payload = JSON.parse(readFileSync(path.join(FIXTURE_DIR, file), 'utf8')) as Record<string, unknown>;
      return { name: file.replace(/\.json$/, ''), eventType: payload.eventType as EventType, payload };
    });
}

/** Bitbucket REST answers for the identifiers in the event fixtures. */
export function bitbucketRestFixtures(): Record<string, unknown> {
  return (JSON.parse(readFileSync(BITBUCKET_REST_FILE, 'utf8')) as { routes: Record<string, unknown> }).routes;
}

/** An example event as the event console lists it: grouped by family, labelled by action. */
export interface SandboxFixture {
  name: string;
  eventType: string;
  family: string;
  action: string;
  payload: Record<string, unknown>;
}

export function loadSandboxFixtures(): SandboxFixture[] {
  return loadEventFixtures().map((fixture) => {
    const known = isEventType(fixture.eventType) ? EVENT_CATALOG[fixture.eventType] : undefined;
    return {
      name: fixture.name,
      eventType: String(fixture.eventType),
      family: known?.family ?? 'other',
      action: known?.action ?? String(fixture.eventType),
      payload: fixture.payload,
    };
  });
}
