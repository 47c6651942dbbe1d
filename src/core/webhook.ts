import type { Actor, BitbucketEvent, CommonEvent, PullRequest, Push, TextValue } from './events';
import { fillIn, type Enrichment, type UserInfo } from './enrichment';
import { objectOrEmpty, type Json, type JsonObject } from './json';

// `bitbucket` of a record mirrors the Bitbucket webhook payload that Coralogix's own Bitbucket
// integration stores (snake_case, repository with its workspace and project nested,
// push.changes[], pullrequest with branch objects), so parsing rules written for that integration
// keep matching. Forge sends identifiers only: names and links are absent until enrichment fills
// them in.

/** Copies a loose object's fields the mapping does not name, so nothing Bitbucket adds is dropped. */
function extras(source: object, known: readonly string[]): JsonObject {
  let out: JsonObject | undefined;
  for (const key in source) {
    if (known.includes(key)) continue;
    const value = (source as Record<string, Json | undefined>)[key];
    if (value !== undefined) (out ??= {})[key] = value;
  }
  return out ?? EMPTY;
}

const EMPTY: JsonObject = Object.freeze({}) as JsonObject;

type LinkKind = 'commit' | 'branch' | 'tag' | 'pullrequest';

// Bitbucket Cloud "Event payloads" (support.atlassian.com/bitbucket-cloud/docs/event-payloads)
// links objects on the website (`html`) and REST 2.0 (`self`) as the repository's own links plus
// the object's path: commits/{hash} and commit/{hash}, branch/{name} and refs/branches/{name},
// pull-requests/{id} and pullrequests/{id}, a push change branches/compare/{new}..{old}; tags as
// commits/tag/{name} and refs/tags/{name}. Only the repository's REST answer gives those links.
const LINK_PATHS: Record<LinkKind, readonly [html: string, self: string]> = {
  commit: ['/commits/', '/commit/'],
  branch: ['/branch/', '/refs/branches/'],
  tag: ['/commits/tag/', '/refs/tags/'],
  pullrequest: ['/pull-requests/', '/pullrequests/'],
};

const href = (url: string) => ({ href: url });

/** A path segment (slashes kept, as in branch names), or undefined for text no URL can hold (a lone surrogate). */
function segment(id: string): string | undefined {
  try {
    return encodeURIComponent(id).replace(/%2F/g, '/');
  } catch {
    return undefined;
  }
}

/** Builds one body: knows the enrichment, and collects the paths whose text Bitbucket cut short. */
class Mapper {
  readonly truncated: string[] = [];
  private readonly html: string | undefined;
  private readonly self: string | undefined;
  /** Accounts REST described: an account of the event that matches one gets its names and links. */
  private readonly accounts: UserInfo[];

  constructor(private readonly enrichment: Enrichment | undefined) {
    const repository = enrichment?.repository;
    this.html = repository?.links?.html?.href;
    this.self = repository?.links?.self?.href;
    const pr = enrichment?.pullrequest;
    this.accounts = [
      enrichment?.actor,
      pr?.author,
      pr?.closed_by,
      ...(pr?.participants ?? []).map((p) => p.user),
      repository?.owner,
    ].filter((account): account is UserInfo => account !== undefined);
  }

  text(value: TextValue | null | undefined, path: string): string | undefined {
    if (!value) return undefined;
    if (value.truncated) this.truncated.push(path);
    return value.value;
  }

  links(kind: LinkKind, id: string | undefined): JsonObject | undefined {
    const tail = id === undefined ? undefined : segment(id);
    if (tail === undefined || this.html === undefined || this.self === undefined) return undefined;
    const [html, self] = LINK_PATHS[kind];
    return { self: href(this.self + self + tail), html: href(this.html + html + tail) };
  }

  /** A push change's page: the range it pushed, or the one commit it names (a new or deleted ref). */
  changeLinks(after: string | undefined, before: string | undefined): JsonObject | undefined {
    if (!after || !before || this.html === undefined) return this.links('commit', after ?? before);
    return { html: href(`${this.html}/branches/compare/${after}..${before}`) };
  }

  commit(hash: string | undefined): JsonObject | undefined {
    return hash === undefined ? undefined : { type: 'commit', hash, links: this.links('commit', hash) };
  }

  /** `linked` false: names only, for the many authors of a push's commits (an entry holds 100 KB). */
  account(actor: Actor & { displayName?: string | undefined }, linked = true): JsonObject {
    const { accountId, uuid } = actor;
    const known = this.accounts.find(
      (account) => (accountId !== undefined && account.account_id === accountId) || (uuid !== undefined && account.uuid === uuid),
    );
    const own: JsonObject = {
      ...extras(actor, ['type', 'accountId', 'uuid', 'displayName']),
      type: actor.type,
      uuid,
      account_id: accountId,
      display_name: actor.displayName,
    };
    // An account REST did not describe is linked as REST links any: {api}/users/{uuid} and
    // {website}/{uuid}/, on the origins of the repository's own links.
    const id = uuid === undefined ? undefined : segment(uuid);
    if (linked && !known && id !== undefined && this.html !== undefined && this.self !== undefined) {
      own.links = {
        self: href(`${this.self.replace(/\/repositories\/.*/, '')}/users/${id}`),
        html: href(`${this.html.replace(/^(https?:\/\/[^/]+).*/, '$1')}/${id}/`),
      };
    }
    return fillIn(own, linked || !known ? known : { ...known, links: undefined });
  }

  /**
   * A commit's author as the webhook has it, `{type: "author", user}`. The webhook's `raw`
   * ("Name <address>") is never built: no email address leaves.
   */
  author(author: { user?: Actor | undefined } | undefined, linked?: boolean): JsonObject | undefined {
    return author?.user ? { type: 'author', user: this.account(author.user, linked) } : undefined;
  }

  repository(event: CommonEvent): JsonObject {
    const { repository, workspace, project } = event;
    return fillIn(
      {
        ...(repository ? extras(repository, ['uuid', 'slug']) : EMPTY),
        type: 'repository',
        uuid: repository?.uuid,
        slug: repository?.slug,
        workspace: workspace ? { ...extras(workspace, []), type: 'workspace' } : undefined,
        project: project ? { ...extras(project, []), type: 'project' } : undefined,
      },
      this.enrichment?.repository,
    );
  }

  push(push: Push): JsonObject {
    const refType = refTypeOf(push);
    const after = push.after ?? undefined;
    const before = push.before ?? undefined;
    // A branch's new target is its newest commit, listed among the commits; a tag push carries its own.
    const target = push.commits?.find((commit) => commit.hash === after) ?? push;
    const ref = (hash: string | undefined, details: JsonObject) => ({
      type: refType,
      name: push.ref,
      target: { type: 'commit', hash, ...details, links: this.links('commit', hash) },
      links: this.links(refType, push.ref),
    });
    const newRef =
      push.closed === true
        ? null
        : ref(after, {
            date: target.date,
            message: this.text(target.message, 'push.changes.0.new.target.message'),
            author: this.author(target.author),
          });
    const commits = (push.commits ?? []).map((commit, index) => ({
      ...extras(commit, ['hash', 'message', 'date', 'author']),
      type: 'commit',
      hash: commit.hash,
      message: this.text(commit.message, `push.changes.0.commits.${index}.message`),
      date: commit.date,
      author: this.author(commit.author, false),
      links: this.links('commit', commit.hash),
    }));
    const change = {
      ...extras(push, PUSH_FIELDS),
      new: newRef,
      old: push.created === true ? null : ref(before, {}),
      links: this.changeLinks(after, before),
      created: push.created === true,
      closed: push.closed === true,
      forced: push.forced === true,
      truncated: push.truncated === true,
      main_branch: push.mainbranch,
      commits,
    };
    return { changes: [change] };
  }

  /** `closer`: who merged or declined it, the event's actor (the webhook's `closed_by`). */
  pullRequest(pr: PullRequest, closer: Actor | undefined): JsonObject {
    const side = (ref: PullRequest['source']) =>
      ref
        ? {
            ...extras(ref, ['branch', 'commit']),
            branch: ref.branch ? { name: ref.branch } : undefined,
            commit: this.commit(ref.commit?.hash),
          }
        : undefined;
    const rest = this.enrichment?.pullrequest;
    return fillIn(
      {
        ...extras(pr, PULL_REQUEST_FIELDS),
        type: 'pullrequest',
        id: pr.id,
        title: this.text(pr.title, 'pullrequest.title'),
        state: pr.state,
        author: pr.author ? this.account(pr.author) : undefined,
        source: side(pr.source),
        destination: side(pr.destination),
        merge_commit: this.commit(pr.mergeCommit?.hash),
        closed_by: closer ? this.account(closer) : undefined,
        comment_count: pr.commentCount,
        task_count: pr.taskCount,
        created_on: pr.createdOn,
        updated_on: pr.updatedOn,
        links: this.links('pullrequest', String(pr.id)),
      },
      rest?.id === pr.id ? rest : undefined,
    );
  }
}

const PUSH_FIELDS = [
  'ref',
  'mainbranch',
  'before',
  'after',
  'created',
  'closed',
  'forced',
  'truncated',
  'commits',
  'date',
  'message',
  'author',
];
const PULL_REQUEST_FIELDS = [
  'id',
  'state',
  'source',
  'destination',
  'title',
  'author',
  'createdOn',
  'updatedOn',
  'commentCount',
  'taskCount',
  'mergeCommit',
];
const COMMON_EVENT_FIELDS = ['eventType', 'timestamp', 'selfGenerated', 'repository', 'workspace', 'actor', 'project'];

/** A tag push carries neither a commit list nor `mainbranch`; a branch push carries both. */
export function refTypeOf(push: Push): 'branch' | 'tag' {
  return push.commits === undefined && push.mainbranch === undefined ? 'tag' : 'branch';
}

function actorOf(event: CommonEvent | BitbucketEvent): Actor | undefined {
  return 'actor' in event ? (event.actor as Actor | undefined) : undefined;
}

/** What every body has: the payload's fields the mapping does not name (nothing Bitbucket adds is dropped), the repository and the actor. */
function base(mapper: Mapper, event: CommonEvent, source: object, mapped: readonly string[]): JsonObject {
  const actor = actorOf(event);
  return {
    ...extras(source, [...COMMON_EVENT_FIELDS, ...mapped]),
    repository: mapper.repository(event),
    actor: actor ? mapper.account(actor) : undefined,
  };
}

/** The body of a payload the event model could not read: what there is, the rest as delivered. */
export function commonBody(event: CommonEvent, payload: unknown, enrichment?: Enrichment): JsonObject {
  return base(new Mapper(enrichment), event, objectOrEmpty(payload), []);
}

export interface WebhookBody {
  bitbucket: JsonObject;
  /** Paths inside `bitbucket` whose text Bitbucket cut short before delivery. */
  truncated: string[];
}

export function webhookBody(event: BitbucketEvent, enrichment?: Enrichment): WebhookBody {
  const mapper = new Mapper(enrichment);
  return { bitbucket: eventBody(mapper, event), truncated: mapper.truncated };
}

function eventBody(mapper: Mapper, event: BitbucketEvent): JsonObject {
  const common = (mapped: readonly string[]) => base(mapper, event, event, mapped);
  switch (event.eventType) {
    case 'avi:bitbucket:created:repository':
    case 'avi:bitbucket:deleted:repository':
      return common([]);
    case 'avi:bitbucket:updated:repository': {
      const changes: JsonObject = {};
      for (const [field, change] of Object.entries(event.changes ?? {})) {
        changes[field] = {
          old: change.old === null ? null : mapper.text(change.old, `changes.${field}.old`),
          new: change.new === null ? null : mapper.text(change.new, `changes.${field}.new`),
        };
      }
      return { ...common(['changes']), changes };
    }
    case 'avi:bitbucket:push:repository':
      return { ...common(['push']), push: mapper.push(event.push) };
    case 'avi:bitbucket:created:build-status':
    case 'avi:bitbucket:updated:build-status': {
      const status = event.buildStatus;
      return {
        ...common(['buildStatus']),
        commit_status: {
          ...extras(status, ['key', 'commit', 'state', 'url', 'createdOn', 'updatedOn', 'refName']),
          type: 'build',
          key: status.key,
          state: status.state,
          url: status.url,
          refname: status.refName ?? undefined,
          commit: mapper.commit(status.commit?.hash),
          created_on: status.createdOn,
          updated_on: status.updatedOn,
        },
      };
    }
    case 'avi:bitbucket:created:commit-comment':
      return {
        ...common(['commit', 'comment']),
        commit: mapper.commit(event.commit.hash),
        comment: { ...extras(event.comment, ['id']), id: event.comment.id, commit: { hash: event.commit.hash } },
      };
    case 'avi:bitbucket:created:pullrequest':
    case 'avi:bitbucket:updated:pullrequest':
      return { ...common(['pullrequest']), pullrequest: mapper.pullRequest(event.pullrequest, undefined) };
    case 'avi:bitbucket:fulfilled:pullrequest':
    case 'avi:bitbucket:rejected:pullrequest':
      return { ...common(['pullrequest']), pullrequest: mapper.pullRequest(event.pullrequest, event.actor) };
    case 'avi:bitbucket:created:pullrequest-comment':
    case 'avi:bitbucket:updated:pullrequest-comment':
    case 'avi:bitbucket:deleted:pullrequest-comment':
    case 'avi:bitbucket:resolved:pullrequest-comment':
    case 'avi:bitbucket:reopened:pullrequest-comment':
      return {
        ...common(['pullrequest', 'comment', 'changes']),
        pullrequest: mapper.pullRequest(event.pullrequest, undefined),
        comment: { ...extras(event.comment, ['id']), id: event.comment.id },
        changes: event.changes as JsonObject | undefined,
      };
    case 'avi:bitbucket:updated:pullrequest-reviewer-status': {
      // The webhook shape lists reviewers as pullrequest.participants with role REVIEWER, and
      // their accounts as pullrequest.reviewers.
      const participants = (event.reviewers?.value ?? []).map((reviewer) => ({
        ...extras(reviewer, ['user', 'status', 'timestamp']),
        type: 'participant',
        role: 'REVIEWER',
        user: reviewer.user ? mapper.account(reviewer.user) : undefined,
        state: reviewer.status,
        approved: reviewer.status?.toLowerCase() === 'approved',
        participated_on: reviewer.timestamp,
      }));
      return {
        ...common(['pullrequest', 'reviewers']),
        pullrequest: {
          ...mapper.pullRequest(event.pullrequest, undefined),
          participants,
          reviewers: participants.flatMap((participant) => (participant.user ? [participant.user] : [])),
          participants_truncated: event.reviewers?.truncated === true,
        },
      };
    }
    case 'avi:bitbucket:pending:deployment':
    case 'avi:bitbucket:started:deployment':
    case 'avi:bitbucket:completed:deployment':
      return {
        ...common(['pipeline', 'deployment', 'environment']),
        ...webhookDeployment(event),
      };
  }
}

type DeploymentEvent = Extract<BitbucketEvent, { deployment: unknown }>;

function webhookDeployment(event: DeploymentEvent): JsonObject {
  const { deployment, environment, pipeline } = event;
  return {
    deployment: {
      ...extras(deployment, ['uuid', 'state', 'status', 'updatedTimestamp']),
      type: 'deployment',
      uuid: deployment.uuid,
      state: deployment.state,
      status: deployment.status,
      updated_on: deployment.updatedTimestamp,
    },
    environment: environment
      ? {
          ...extras(environment, ['uuid', 'type', 'name']),
          type: 'deployment_environment',
          uuid: environment.uuid,
          name: environment.name,
          environment_type: environment.type,
        }
      : undefined,
    pipeline: pipeline ? { ...extras(pipeline, []), type: 'pipeline' } : undefined,
  };
}
