import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { ListedProject, ListedRepository, PipelineRecord } from './platform/bitbucket-emulator';
import { EVENT_CATALOG, isEventType, type EventType } from '../src/core/catalog';

// The example Bitbucket events and the Bitbucket REST answers that go with them. The files are the
// tests' fixtures, kept with the tests that pin them down; the sandbox offers the same events, so
// what a tester fires on the console is what the suites check.

export const FIXTURE_DIR = path.resolve(__dirname, '../test/fixtures/events');
const BITBUCKET_REST_FILE = path.resolve(__dirname, '../test/fixtures/bitbucket/rest.json');
const WORKSPACE_LISTING_FILE = path.resolve(__dirname, '../test/fixtures/bitbucket/workspace-listing.json');
const PIPELINES_FILE = path.resolve(__dirname, '../test/fixtures/bitbucket/pipelines.json');

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

/** The example events' workspace as Bitbucket names it: its {uuid} and its slug. */
export interface FixtureWorkspace {
  readonly uuid: string;
  readonly slug: string;
}

export interface WorkspaceListingFixture {
  readonly workspace: FixtureWorkspace & { readonly name: string };
  readonly projects: readonly ListedProject[];
  readonly repositories: readonly ListedRepository[];
}

/** The example workspace's projects and repositories, as the settings page lists them to pick the scope. */
export function workspaceListingFixture(): WorkspaceListingFixture {
  return JSON.parse(readFileSync(WORKSPACE_LISTING_FILE, 'utf8')) as WorkspaceListingFixture;
}

export interface PipelineFixtures {
  readonly workspace: FixtureWorkspace;
  readonly pipelines: readonly PipelineRecord[];
}

/** The pipelines the example deployment events name (build number, branch, commit). */
export function bitbucketPipelineFixtures(): PipelineFixtures {
  return JSON.parse(readFileSync(PIPELINES_FILE, 'utf8')) as PipelineFixtures;
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
