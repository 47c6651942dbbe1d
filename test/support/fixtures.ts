import { bitbucketPipelineFixtures, loadEventFixtures, workspaceListingFixture } from '../../sandbox/fixtures';
import type { BitbucketEmulator } from '../../sandbox/platform/bitbucket-emulator';

export {
  bitbucketPipelineFixtures,
  bitbucketRestFixtures,
  FIXTURE_DIR,
  loadEventFixtures,
  workspaceListingFixture,
  type EventFixture,
  type PipelineFixtures,
  type WorkspaceListingFixture,
} from '../../sandbox/fixtures';

/**
 * Serves the example workspace's pipelines and its project and repository listing. The listing is
 * also served for `installationWorkspaceId`, the workspace a settings page of that installation asks about.
 */
export function serveWorkspaceFixtures(bitbucket: BitbucketEmulator, installationWorkspaceId?: string): void {
  const { workspace, pipelines } = bitbucketPipelineFixtures();
  bitbucket.servePipelines([workspace.uuid, workspace.slug], pipelines);
  const listing = workspaceListingFixture();
  const names = [listing.workspace.uuid, listing.workspace.slug];
  bitbucket.serveWorkspaceListing(installationWorkspaceId ? [...names, installationWorkspaceId] : names, listing);
}

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
