import { catalogEntry, coverageAdmits, isEventType } from './catalog';
import type { RepositoryScope, StoredSettings } from './settings';

export type ForwardingChoice = Readonly<{ [K in 'forwardedEvents' | 'coverage']: Readonly<StoredSettings[K]> }>;

/**
 * An event goes out when the admin selected its type and its area's coverage admits its level.
 * Types the app does not know are always forwarded: an admin cannot have opted out of them.
 */
export function isForwarded(eventType: string, choice: ForwardingChoice): boolean {
  if (!isEventType(eventType)) return true;
  const { area, level } = catalogEntry(eventType);
  return coverageAdmits(choice.coverage[area], level) && choice.forwardedEvents.includes(eventType);
}

/** Bitbucket writes UUIDs braced and in lower case; payloads and pickers may differ in either. */
const sameUuid = (a: string | undefined, b: string) =>
  a !== undefined && a.replace(/[{}]/g, '').toLowerCase() === b.replace(/[{}]/g, '').toLowerCase();

export type ScopeDecision = 'in' | 'out' | 'needs-project';

/**
 * Whether a repository's events are in the admin's scope, decided from the identifiers the event
 * carries, before any lookup. Deployment events carry no project (forge-facts.md): when the scope
 * names projects and the repository itself is not named, the caller looks up the repository's
 * project and asks again. An event that names no repository at all is forwarded: nothing says the
 * admin excluded it, and nothing may be lost silently.
 */
export function scopeDecision(scope: RepositoryScope, repositoryUuid: string | undefined, projectUuid: string | undefined): ScopeDecision {
  if (scope.mode === 'all' || repositoryUuid === undefined) return 'in';
  const named =
    scope.repositories.some((repository) => sameUuid(repositoryUuid, repository.uuid)) ||
    (projectUuid !== undefined && scope.projects.some((project) => sameUuid(projectUuid, project.uuid)));
  if (!named && projectUuid === undefined && scope.projects.length > 0) return 'needs-project';
  return named === (scope.mode === 'include') ? 'in' : 'out';
}
