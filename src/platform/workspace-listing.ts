import api, { route } from '@forge/api';
import { objectOrEmpty, stringOf } from '../core/json';
import type { ScopeProject, ScopeRepository } from '../core/settings';
import type { ScopePage } from '../shared/contract';
import type { Caller } from './authorization';

// The settings page's pickers list the workspace's projects and repositories as the signed-in admin
// sees them (asUser: the app never lists what the admin could not), a page at a time, filtered by
// name with Bitbucket's query language (REST "Filtering and sorting": `name ~ "text"`, strings in
// double quotes).

const PAGE_LENGTH = 50;
const ACCEPT_JSON = { headers: { Accept: 'application/json' } };

export class ListingFailed extends Error {}

/** A value inside a BBQL string literal: backslashes and quotes escaped, so input cannot end the string. */
function nameFilter(query: string | undefined): string {
  const text = (query ?? '').trim();
  return text === '' ? '' : `name ~ "${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/** One page of a listing, each value kept by `pick` (which drops what lacks an id or a name). */
async function listingPage<T>(
  path: ReturnType<typeof route>,
  page: number,
  pick: (value: Readonly<Record<string, unknown>>) => T | undefined,
): Promise<ScopePage<T>> {
  const response = await api.asUser().requestBitbucket(path, ACCEPT_JSON);
  if (!response.ok) throw new ListingFailed(`Bitbucket answered HTTP ${response.status} to the listing`);
  const body = objectOrEmpty((await response.json()) as unknown);
  const values = Array.isArray(body.values) ? body.values : [];
  const items = values.flatMap((value) => {
    const picked = pick(objectOrEmpty(value));
    return picked === undefined ? [] : [picked];
  });
  return { items, ...(typeof body.next === 'string' ? { nextPage: page + 1 } : {}) };
}

export function listProjects(caller: Caller, query: string | undefined, page: number): Promise<ScopePage<Required<ScopeProject>>> {
  const q = nameFilter(query);
  const path = q
    ? route`/2.0/workspaces/${caller.workspaceId}/projects?q=${q}&page=${page}&pagelen=${PAGE_LENGTH}&sort=name`
    : route`/2.0/workspaces/${caller.workspaceId}/projects?page=${page}&pagelen=${PAGE_LENGTH}&sort=name`;
  return listingPage(path, page, (project) => {
    const uuid = stringOf(project.uuid);
    const name = stringOf(project.name);
    return uuid && name ? { uuid, key: stringOf(project.key) ?? '', name } : undefined;
  });
}

export function listRepositories(caller: Caller, query: string | undefined, page: number): Promise<ScopePage<Required<ScopeRepository>>> {
  const q = nameFilter(query);
  const path = q
    ? route`/2.0/repositories/${caller.workspaceId}?q=${q}&page=${page}&pagelen=${PAGE_LENGTH}&sort=name`
    : route`/2.0/repositories/${caller.workspaceId}?page=${page}&pagelen=${PAGE_LENGTH}&sort=name`;
  return listingPage(path, page, (repository) => {
    const uuid = stringOf(repository.uuid);
    const name = stringOf(repository.name);
    return uuid && name ? { uuid, fullName: stringOf(repository.full_name) ?? name, name } : undefined;
  });
}
