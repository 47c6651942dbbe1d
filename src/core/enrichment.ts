import type { Actor, BitbucketEvent } from './events';
import { objectOrEmpty, type JsonObject } from './json';

// What Bitbucket REST adds to an event that carries identifiers only. The platform layer fetches
// these (as the app, cached); this module says what to fetch and merges the answers into the
// webhook-shaped record, so the record reads like the webhook payload Coralogix's integration stores.

export interface RepositoryInfo {
  uuid: string;
  name?: string;
  full_name?: string;
  slug?: string;
  is_private?: boolean;
  scm?: string;
  html_url?: string;
  project?: { uuid?: string; key?: string; name?: string };
  workspace?: { uuid?: string; slug?: string; name?: string };
}

export interface UserInfo {
  uuid?: string;
  account_id?: string;
  display_name?: string;
  nickname?: string;
}

export interface PullRequestInfo {
  id: number;
  title?: string;
  state?: string;
  source_branch?: string;
  destination_branch?: string;
  author?: UserInfo;
}

export type EnrichmentObject = 'repository' | 'actor' | 'pullrequest';

export interface Enrichment {
  repository?: RepositoryInfo;
  actor?: UserInfo;
  pullrequest?: PullRequestInfo;
  /** What could not be resolved, and why (e.g. "repository: not found"). */
  unresolved: string[];
}

export interface EnrichmentRequest {
  workspaceUuid: string | undefined;
  repositoryUuid: string;
  /** Account id, or the user's braced UUID when the account id is absent. */
  actorId: string | undefined;
  /** A pull request worth looking up: comment events carry it bare (no title). */
  pullRequestId: number | undefined;
}

export function enrichmentRequestOf(event: BitbucketEvent): EnrichmentRequest {
  const actor = 'actor' in event ? (event.actor as Actor | undefined) : undefined;
  const pr = 'pullrequest' in event ? (event.pullrequest as { id: number; title?: unknown } | undefined) : undefined;
  return {
    workspaceUuid: event.workspace?.uuid,
    repositoryUuid: event.repository.uuid,
    actorId: actor?.accountId ?? actor?.uuid,
    pullRequestId: pr && pr.title === undefined ? pr.id : undefined,
  };
}

/** Merges resolved objects into the webhook-shaped `bitbucket` body; identifiers already there win. */
export function applyEnrichment(bitbucket: JsonObject, enrichment: Enrichment): JsonObject {
  const out: JsonObject = { ...bitbucket };
  const repo = enrichment.repository;
  if (repo) {
    const current = objectOrEmpty(out.repository);
    out.repository = {
      ...current,
      ...{
        name: repo.name,
        full_name: repo.full_name,
        slug: (current.slug as string | undefined) ?? repo.slug,
        is_private: repo.is_private,
        scm: repo.scm,
        links: repo.html_url ? { html: { href: repo.html_url } } : undefined,
        project: repo.project
          ? {
              ...objectOrEmpty(current.project),
              ...{ type: 'project', uuid: repo.project.uuid, key: repo.project.key, name: repo.project.name },
            }
          : current.project,
        workspace: repo.workspace
          ? {
              ...objectOrEmpty(current.workspace),
              ...{ type: 'workspace', uuid: repo.workspace.uuid, slug: repo.workspace.slug, name: repo.workspace.name },
            }
          : current.workspace,
      },
    };
  }
  const user = enrichment.actor;
  if (user && out.actor !== undefined) {
    out.actor = { ...objectOrEmpty(out.actor), ...{ display_name: user.display_name, nickname: user.nickname } };
  }
  const pr = enrichment.pullrequest;
  if (pr && out.pullrequest !== undefined) {
    const current = objectOrEmpty(out.pullrequest);
    const side = (key: 'source' | 'destination', branch: string | undefined) =>
      branch === undefined ? current[key] : { ...objectOrEmpty(current[key]), branch: { name: branch } };
    out.pullrequest = {
      ...current,
      ...{
        title: (current.title as string | undefined) ?? pr.title,
        state: (current.state as string | undefined) ?? pr.state,
        source: side('source', pr.source_branch),
        destination: side('destination', pr.destination_branch),
        author:
          current.author ??
          (pr.author
            ? {
                type: 'user',
                uuid: pr.author.uuid,
                account_id: pr.author.account_id,
                display_name: pr.author.display_name,
                nickname: pr.author.nickname,
              }
            : undefined),
      },
    };
  }
  return out;
}
