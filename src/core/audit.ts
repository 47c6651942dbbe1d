import { EVENT_CATALOG, isEventType, type AuditArea, type CoverageLevel, type EventFamily } from './catalog';
import type { BitbucketEvent, PullRequest } from './events';
import { objectOrEmpty, type Json, type JsonObject } from './json';
import { refTypeOf } from './webhook';

// Audit fields modelled on Bitbucket Data Center's audit log (AuditEntity: type {category, action,
// area, level}, author, affectedObjects, changedValues, extraAttributes, source, system, method), so a
// security team can read Bitbucket Cloud activity the way it reads Data Center's.

export interface AuditRecord {
  type: { category: string; action: string; area: AuditArea | 'unknown'; level: CoverageLevel | 'unknown' };
  author: { type: 'user' | 'system'; id?: string; uuid?: string; name?: string };
  affectedObjects: Array<{ type: string; id: string; name?: string; uri?: string }>;
  changedValues: Array<{ key: string; from: string | null; to: string | null }>;
  extraAttributes: Array<{ name: string; value: string }>;
  source: string;
  system: string;
  method: string;
}

export const AUDIT_CATEGORIES: Record<EventFamily, string> = {
  repository: 'Repositories',
  'build-status': 'Builds',
  'commit-comment': 'Comments',
  pullrequest: 'Pull requests',
  'pullrequest-comment': 'Comments',
  'pullrequest-reviewer': 'Pull requests',
  deployment: 'Deployments',
};

function str(value: Json | undefined): string | undefined {
  return typeof value === 'string' ? value : typeof value === 'number' ? String(value) : undefined;
}

function pullRequestOf(event: BitbucketEvent): PullRequest | undefined {
  return 'pullrequest' in event ? (event.pullrequest as PullRequest) : undefined;
}

function pullRequestCommentOf(event: BitbucketEvent): { id: number | string } | undefined {
  return event.eventType.endsWith(':pullrequest-comment') && 'comment' in event ? (event.comment as { id: number | string }) : undefined;
}

const UNRECOGNISED = { category: 'Unknown', action: 'Unrecognised Bitbucket event', area: 'unknown', level: 'unknown' } as const;

/**
 * Builds the audit view from the (possibly enriched) webhook-shaped body, and from the decoded
 * event where the payload could be decoded (`event` undefined: only what the body has).
 */
export function buildAudit(eventType: string, event: BitbucketEvent | undefined, bitbucket: JsonObject): AuditRecord {
  const entry = isEventType(eventType) ? EVENT_CATALOG[eventType] : undefined;
  const repository = objectOrEmpty(bitbucket.repository);
  const actor = objectOrEmpty(bitbucket.actor);
  const workspace = objectOrEmpty(repository.workspace);
  const project = objectOrEmpty(repository.project);
  const affectedObjects: AuditRecord['affectedObjects'] = [];
  const add = (type: string, id: string | undefined, name?: string, uri?: string) => {
    if (id !== undefined) affectedObjects.push({ type, id, name, uri });
  };
  add('WORKSPACE', str(workspace.uuid), str(workspace.slug));
  add('PROJECT', str(project.uuid), str(project.key));
  add(
    'REPOSITORY',
    str(repository.uuid),
    str(repository.full_name) ?? str(repository.slug),
    str(objectOrEmpty(objectOrEmpty(repository.links).html).href),
  );

  const changedValues: AuditRecord['changedValues'] = [];
  const extraAttributes: AuditRecord['extraAttributes'] = [];
  const attribute = (name: string, value: Json | undefined) => {
    if (value !== undefined && value !== null)
      extraAttributes.push({ name, value: typeof value === 'string' ? value : JSON.stringify(value) });
  };

  switch (event?.eventType) {
    case 'avi:bitbucket:updated:repository':
      for (const [key, change] of Object.entries(objectOrEmpty(bitbucket.changes))) {
        const { old: from, new: to } = objectOrEmpty(change);
        changedValues.push({ key, from: str(from) ?? null, to: str(to) ?? null });
      }
      break;
    case 'avi:bitbucket:push:repository': {
      const push = event.push;
      attribute(refTypeOf(push), push.ref);
      if (push.commits !== undefined) attribute('commitCount', push.commits.length);
      attribute('forced', push.forced === true);
      attribute('created', push.created === true);
      attribute('closed', push.closed === true);
      if (push.mainbranch !== undefined) attribute('mainBranch', push.mainbranch);
      attribute('fromCommit', push.before ?? undefined);
      attribute('toCommit', push.after ?? undefined);
      if (push.truncated) attribute('commitsTruncated', true);
      break;
    }
    case 'avi:bitbucket:created:build-status':
    case 'avi:bitbucket:updated:build-status':
      attribute('buildKey', event.buildStatus.key);
      attribute('buildState', event.buildStatus.state);
      attribute('commit', event.buildStatus.commit?.hash);
      attribute('ref', event.buildStatus.refName ?? undefined);
      break;
    case 'avi:bitbucket:created:commit-comment':
      add('COMMIT', event.commit.hash);
      attribute('commentId', event.comment.id);
      break;
    case 'avi:bitbucket:updated:pullrequest-reviewer-status':
      for (const reviewer of event.reviewers?.value ?? [])
        attribute('reviewerStatus', `${reviewer.user?.accountId ?? reviewer.user?.uuid ?? 'unknown'}: ${reviewer.status ?? 'unknown'}`);
      break;
    case 'avi:bitbucket:pending:deployment':
    case 'avi:bitbucket:started:deployment':
    case 'avi:bitbucket:completed:deployment':
      add('ENVIRONMENT', event.environment?.uuid, event.environment?.name);
      add('DEPLOYMENT', event.deployment.uuid);
      add('PIPELINE', event.pipeline?.uuid);
      attribute('environment', event.environment?.name);
      attribute('environmentType', event.environment?.type);
      attribute('deploymentState', event.deployment.state);
      attribute('deploymentStatus', event.deployment.status);
      break;
    default:
      break;
  }
  const pullRequest = event && pullRequestOf(event);
  if (pullRequest) {
    const pr = objectOrEmpty(bitbucket.pullrequest);
    add('PULL_REQUEST', String(pullRequest.id), str(pr.title));
    attribute('pullRequestState', pullRequest.state);
    attribute('sourceBranch', pullRequest.source?.branch);
    attribute('destinationBranch', pullRequest.destination?.branch);
  }
  const comment = event && pullRequestCommentOf(event);
  if (comment) attribute('commentId', comment.id);

  const author: AuditRecord['author'] =
    str(actor.uuid) !== undefined || str(actor.account_id) !== undefined
      ? { type: 'user' as const, id: str(actor.account_id), uuid: str(actor.uuid), name: str(actor.display_name) }
      : { type: 'system', name: eventType.endsWith(':deployment') ? 'Bitbucket Pipelines' : 'Bitbucket' };

  return {
    type: entry ? { category: AUDIT_CATEGORIES[entry.family], action: entry.action, area: entry.area, level: entry.level } : UNRECOGNISED,
    author,
    affectedObjects,
    changedValues,
    extraAttributes,
    source: 'forge-trigger',
    system: 'bitbucket.org',
    method: 'Forge app event',
  };
}
