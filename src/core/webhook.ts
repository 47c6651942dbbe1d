import type { Actor, BitbucketEvent, PullRequest, Push, TextValue } from './events';
import type { Json, JsonObject } from './json';

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

export class TruncationTracker {
  readonly paths: string[] = [];
  text(value: TextValue | null | undefined, path: string): string | undefined {
    if (!value) return undefined;
    if (value.truncated) this.paths.push(path);
    return value.value;
  }
}

const ACTOR_FIELDS = ['type', 'accountId', 'uuid'] as const;

function webhookActor(actor: Actor & { displayName?: string | undefined }): JsonObject {
  return {
    ...extras(actor, [...ACTOR_FIELDS, 'displayName']),
    type: actor.type,
    uuid: actor.uuid,
    account_id: actor.accountId,
    display_name: actor.displayName,
  };
}

function webhookRepository(event: BitbucketEvent): JsonObject {
  const project = 'project' in event ? event.project : undefined;
  return {
    ...extras(event.repository, ['uuid', 'slug']),
    type: 'repository',
    uuid: event.repository.uuid,
    slug: event.repository.slug,
    workspace: event.workspace ? { ...extras(event.workspace, []), type: 'workspace' } : undefined,
    project: project ? { ...extras(project, []), type: 'project' } : undefined,
  };
}

function webhookPush(push: Push, truncation: TruncationTracker): JsonObject {
  // A tag push carries no commit list; a branch push always does (possibly empty).
  const refType = push.commits === undefined ? 'tag' : 'branch';
  const closed = push.closed === true;
  const created = push.created === true;
  const newRef = closed
    ? null
    : {
        type: refType,
        name: push.ref,
        target: {
          type: 'commit',
          hash: push.after ?? undefined,
          date: push.date,
          message: truncation.text(push.message, 'push.changes.0.new.target.message'),
          author: push.author?.user ? { type: 'author', user: webhookActor(push.author.user) } : undefined,
        },
      };
  const oldRef = created ? null : { type: refType, name: push.ref, target: { type: 'commit', hash: push.before ?? undefined } };
  const commits = (push.commits ?? []).map((commit, index) => ({
    ...extras(commit, ['hash', 'message', 'date', 'author']),
    type: 'commit',
    hash: commit.hash,
    message: truncation.text(commit.message, `push.changes.0.commits.${index}.message`),
    date: commit.date,
    author: commit.author?.user ? { type: 'author', user: webhookActor(commit.author.user) } : undefined,
  }));
  const change = {
    ...extras(push, [
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
    ]),
    new: newRef,
    old: oldRef,
    created,
    closed,
    forced: push.forced === true,
    truncated: push.truncated === true,
    main_branch: push.mainbranch,
    commits,
  };
  return { changes: [change] };
}

function webhookPullRequest(pr: PullRequest, truncation: TruncationTracker, path: string): JsonObject {
  const side = (ref: PullRequest['source']) =>
    ref
      ? {
          ...extras(ref, ['branch', 'commit']),
          branch: ref.branch ? { name: ref.branch } : undefined,
          commit: ref.commit ? { hash: ref.commit.hash } : undefined,
        }
      : undefined;
  return {
    ...extras(pr, [
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
    ]),
    type: 'pullrequest',
    id: pr.id,
    title: truncation.text(pr.title, `${path}.title`),
    state: pr.state,
    author: pr.author ? webhookActor(pr.author) : undefined,
    source: side(pr.source),
    destination: side(pr.destination),
    merge_commit: pr.mergeCommit ? { hash: pr.mergeCommit.hash } : undefined,
    comment_count: pr.commentCount,
    task_count: pr.taskCount,
    created_on: pr.createdOn,
    updated_on: pr.updatedOn,
  };
}

function actorOf(event: BitbucketEvent): Actor | undefined {
  return 'actor' in event ? (event.actor as Actor | undefined) : undefined;
}

const COMMON_EVENT_FIELDS = ['eventType', 'timestamp', 'selfGenerated', 'repository', 'workspace', 'actor', 'project'];

export function webhookBody(event: BitbucketEvent, truncation: TruncationTracker): JsonObject {
  const actor = actorOf(event);
  // What every event's body has: the fields the mapping does not name (nothing Bitbucket adds is
  // dropped), the repository and the actor.
  const base = (mapped: readonly string[]): JsonObject => ({
    ...extras(event, [...COMMON_EVENT_FIELDS, ...mapped]),
    repository: webhookRepository(event),
    actor: actor ? webhookActor(actor) : undefined,
  });
  switch (event.eventType) {
    case 'avi:bitbucket:created:repository':
    case 'avi:bitbucket:deleted:repository':
      return base([]);
    case 'avi:bitbucket:updated:repository': {
      const changes: JsonObject = {};
      for (const [field, change] of Object.entries(event.changes ?? {})) {
        changes[field] = {
          old: change.old === null ? null : truncation.text(change.old, `changes.${field}.old`),
          new: change.new === null ? null : truncation.text(change.new, `changes.${field}.new`),
        };
      }
      return { ...base(['changes']), changes };
    }
    case 'avi:bitbucket:push:repository':
      return { ...base(['push']), push: webhookPush(event.push, truncation) };
    case 'avi:bitbucket:created:build-status':
    case 'avi:bitbucket:updated:build-status': {
      const status = event.buildStatus;
      return {
        ...base(['buildStatus']),
        commit_status: {
          ...extras(status, ['key', 'commit', 'state', 'url', 'createdOn', 'updatedOn', 'refName']),
          type: 'build',
          key: status.key,
          state: status.state,
          url: status.url,
          refname: status.refName ?? undefined,
          commit: status.commit ? { type: 'commit', hash: status.commit.hash } : undefined,
          created_on: status.createdOn,
          updated_on: status.updatedOn,
        },
      };
    }
    case 'avi:bitbucket:created:commit-comment':
      return {
        ...base(['commit', 'comment']),
        commit: { type: 'commit', hash: event.commit.hash },
        comment: { ...extras(event.comment, ['id']), id: event.comment.id, commit: { hash: event.commit.hash } },
      };
    case 'avi:bitbucket:created:pullrequest':
    case 'avi:bitbucket:updated:pullrequest':
    case 'avi:bitbucket:fulfilled:pullrequest':
    case 'avi:bitbucket:rejected:pullrequest':
      return {
        ...base(['pullrequest']),
        pullrequest: webhookPullRequest(event.pullrequest, truncation, 'pullrequest'),
      };
    case 'avi:bitbucket:created:pullrequest-comment':
    case 'avi:bitbucket:updated:pullrequest-comment':
    case 'avi:bitbucket:deleted:pullrequest-comment':
    case 'avi:bitbucket:resolved:pullrequest-comment':
    case 'avi:bitbucket:reopened:pullrequest-comment':
      return {
        ...base(['pullrequest', 'comment', 'changes']),
        pullrequest: webhookPullRequest(event.pullrequest, truncation, 'pullrequest'),
        comment: { ...extras(event.comment, ['id']), id: event.comment.id },
        changes: event.changes as JsonObject | undefined,
      };
    case 'avi:bitbucket:updated:pullrequest-reviewer-status': {
      // The webhook shape lists reviewers as pullrequest.participants with role REVIEWER.
      const participants = (event.reviewers?.value ?? []).map((reviewer) => ({
        ...extras(reviewer, ['user', 'status', 'timestamp']),
        type: 'participant',
        role: 'REVIEWER',
        user: reviewer.user ? webhookActor(reviewer.user) : undefined,
        state: reviewer.status,
        approved: reviewer.status?.toLowerCase() === 'approved',
        participated_on: reviewer.timestamp,
      }));
      return {
        ...base(['pullrequest', 'reviewers']),
        pullrequest: {
          ...webhookPullRequest(event.pullrequest, truncation, 'pullrequest'),
          participants,
          participants_truncated: event.reviewers?.truncated === true,
        },
      };
    }
    case 'avi:bitbucket:pending:deployment':
    case 'avi:bitbucket:started:deployment':
    case 'avi:bitbucket:completed:deployment':
      return {
        ...base(['pipeline', 'deployment', 'environment']),
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
