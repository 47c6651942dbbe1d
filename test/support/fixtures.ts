import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { EventType } from '../../src/core/catalog';

export const FIXTURE_DIR = path.resolve(__dirname, '../fixtures/events');

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

export function fixture(name: string): Record<string, unknown> {
  const found = loadEventFixtures().find((candidate) => candidate.name === name);
  if (!found) throw new Error(`No event fixture named ${name}`);
  return structuredClone(found.payload);
}

/** Bitbucket REST answers for the identifiers in the event fixtures. */
export function bitbucketRestFixtures(): Record<string, unknown> {
  const file = path.resolve(__dirname, '../fixtures/bitbucket/rest.json');
  return (JSON.parse(readFileSync(file, 'utf8')) as { routes: Record<string, unknown> }).routes;
}

/** `count` distinct events: the fixtures in turn, each with its own timestamp (so its own event id). */
export function distinctEvents(count: number, offsetSeconds = 0): Array<Record<string, unknown>> {
  const fixtures = loadEventFixtures();
  return Array.from({ length: count }, (_, i) => ({
    ...structuredClone(fixtures[i % fixtures.length]?.payload ?? {}),
    timestamp: new Date(Date.parse('2026-11-09T10:00:00Z') + (offsetSeconds + i) * 1000).toISOString(),
  }));
}
