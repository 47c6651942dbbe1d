import type { Actor, BitbucketEvent } from './events';
import { isPlainObject, type Json, type JsonObject } from './json';

// What Bitbucket REST adds to an event that carries identifiers only. The platform layer fetches
// these (as the app, cached); this module says what to fetch and what of each answer to keep: the
// fields the webhook payload's entities carry (Bitbucket Cloud "Event payloads": Repository,
// Account and Pull Request entities), which are the REST objects' own fields of the same names
// (Bitbucket Cloud REST API 2.0: repository, account/user, pullrequest, participant).

/** A leaf of a REST shape: the JSON type kept; `string|null` keeps a null too (a repository's `website`). */
type Leaf = 'string' | 'number' | 'boolean' | 'string|null';
export type Shape = Leaf | { readonly [key: string]: Shape } | readonly [Shape];

const S = 'string';
const LINK = { href: S } as const;
const LINKS = { self: LINK, html: LINK, avatar: LINK } as const;
const ACCOUNT = { type: S, uuid: S, account_id: S, display_name: S, nickname: S, username: S, links: LINKS } as const;
const CONTAINER = { type: S, uuid: S, key: S, slug: S, name: S, links: LINKS } as const;
const ENDPOINT = { branch: { name: S }, commit: { hash: S } } as const;

export const REST_SHAPES = {
  repository: {
    type: S,
    uuid: S,
    name: S,
    full_name: S,
    slug: S,
    is_private: 'boolean',
    scm: S,
    website: 'string|null',
    links: LINKS,
    owner: ACCOUNT,
    project: CONTAINER,
    workspace: CONTAINER,
  },
  actor: ACCOUNT,
  pullrequest: {
    type: S,
    id: 'number',
    title: S,
    description: S,
    state: S,
    reason: S,
    close_source_branch: 'boolean',
    author: ACCOUNT,
    closed_by: ACCOUNT,
    source: ENDPOINT,
    destination: ENDPOINT,
    merge_commit: { hash: S },
    participants: [{ type: S, user: ACCOUNT, role: S, approved: 'boolean', state: 'string|null', participated_on: 'string|null' }],
    reviewers: [ACCOUNT],
    comment_count: 'number',
    task_count: 'number',
    created_on: S,
    updated_on: S,
    links: { self: LINK, html: LINK },
  },
} as const satisfies Record<EnrichmentObject, Shape>;

type Link = { href?: string };
type Links = { self?: Link; html?: Link; avatar?: Link };
type Container = { type?: string; uuid?: string; key?: string; slug?: string; name?: string; links?: Links };
type Endpoint = { branch?: { name?: string }; commit?: { hash?: string } };

// Types, not interfaces: they are JSON to the compiler, so they merge into records as they are.
export type UserInfo = {
  type?: string;
  uuid?: string;
  account_id?: string;
  display_name?: string;
  nickname?: string;
  username?: string;
  links?: Links;
};

export type RepositoryInfo = {
  type?: string;
  uuid?: string;
  name?: string;
  full_name?: string;
  slug?: string;
  is_private?: boolean;
  scm?: string;
  website?: string | null;
  links?: Links;
  owner?: UserInfo;
  project?: Container;
  workspace?: Container;
};

export type PullRequestInfo = {
  type?: string;
  id?: number;
  title?: string;
  description?: string;
  state?: string;
  reason?: string;
  close_source_branch?: boolean;
  author?: UserInfo;
  closed_by?: UserInfo;
  source?: Endpoint;
  destination?: Endpoint;
  merge_commit?: { hash?: string };
  comment_count?: number;
  task_count?: number;
  created_on?: string;
  updated_on?: string;
  links?: Links;
  participants?: Array<{
    type?: string;
    user?: UserInfo;
    role?: string;
    approved?: boolean;
    state?: string | null;
    participated_on?: string | null;
  }>;
  reviewers?: UserInfo[];
};

export type EnrichmentObject = 'repository' | 'actor' | 'pullrequest';

export interface Enrichment {
  repository?: RepositoryInfo;
  actor?: UserInfo;
  pullrequest?: PullRequestInfo;
  /** What could not be resolved, and why (e.g. "repository: not found"). */
  unresolved: string[];
}

/** Items kept of a REST list (a pull request's participants): a record stays small whatever the answer. */
const MAX_PICKED_ITEMS = 50;

/**
 * What `shape` names of a REST answer, each leaf only with its JSON type. The recursion follows the
 * shape, constant and four levels deep at most, never the answer.
 */
export function pick(value: unknown, shape: Shape): Json | undefined {
  if (typeof shape === 'string') {
    if (value === null) return shape === 'string|null' ? null : undefined;
    return typeof value === (shape === 'string|null' ? 'string' : shape) ? (value as Json) : undefined;
  }
  if (Array.isArray(shape)) {
    if (!Array.isArray(value)) return undefined;
    const item = (shape as readonly [Shape])[0];
    return value.slice(0, MAX_PICKED_ITEMS).flatMap((element): Json[] => {
      const picked = pick(element, item);
      return picked === undefined ? [] : [picked];
    });
  }
  if (!isPlainObject(value)) return undefined;
  const out: JsonObject = {};
  for (const [key, child] of Object.entries(shape as { readonly [key: string]: Shape })) {
    const picked = pick(value[key], child);
    if (picked !== undefined) out[key] = picked;
  }
  return out;
}

/** `base` with what `extra` adds where `base` has nothing; objects in both are filled the same way. */
export function fillIn(base: JsonObject, extra: JsonObject | undefined): JsonObject {
  if (!extra) return base;
  const out: JsonObject = { ...base };
  for (const [key, value] of Object.entries(extra)) {
    const current = out[key];
    if (current === undefined) out[key] = value;
    // Bounded by `extra`, a picked REST answer (REST_SHAPES' depth).
    else if (isPlainObject(current) && isPlainObject(value)) out[key] = fillIn(current, value);
  }
  return out;
}

export interface EnrichmentRequest {
  workspaceUuid: string | undefined;
  repositoryUuid: string;
  /** Account id, or the user's braced UUID when the account id is absent. */
  actorId: string | undefined;
  /** A pull request worth looking up. */
  pullRequestId: number | undefined;
}

export function enrichmentRequestOf(event: BitbucketEvent): EnrichmentRequest {
  const actor = 'actor' in event ? (event.actor as Actor | undefined) : undefined;
  const pr = 'pullrequest' in event ? (event.pullrequest as { id: number; title?: unknown } | undefined) : undefined;
  // Comment events carry the pull request bare (no title). A merge or a decline carries no closer,
  // no close_source_branch and no final reviewers, which only REST has and its alerts link to.
  const closing = event.eventType === 'avi:bitbucket:fulfilled:pullrequest' || event.eventType === 'avi:bitbucket:rejected:pullrequest';
  return {
    workspaceUuid: event.workspace?.uuid,
    repositoryUuid: event.repository.uuid,
    actorId: actor?.accountId ?? actor?.uuid,
    pullRequestId: pr && (pr.title === undefined || closing) ? pr.id : undefined,
  };
}
