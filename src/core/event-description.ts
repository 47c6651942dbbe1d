import { EVENT_CATALOG, isEventType } from './catalog';
import type { CoralogixEntry } from './coralogix-entry';
import { isPlainObject, objectOrEmpty, stringOf } from './json';

// An undelivered event as an admin recognises it: which repository, and what happened there in a
// few words ("PR #78 merged", "push to main, 3 commits"). Read from the entry the app built, so it
// describes exactly what waits to be sent, whatever the payload's version; anything it cannot read
// falls back to the action the entry names.

export interface EventDescription {
  /** `workspace/slug` as Bitbucket names it, or the slug alone when the name was not resolved. */
  repository: string | null;
  summary: string;
  /** When the event happened (the entry's own time). */
  occurredAt?: number;
}

type Fields = Readonly<Record<string, unknown>>;

/** A summary stays a line: titles and branch names can be long. */
const MAX_SUMMARY_LENGTH = 120;
const MAX_NAME_LENGTH = 60;

const short = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);
const plural = (count: number, one: string, many: string) => `${count} ${count === 1 ? one : many}`;
const lower = (text: string | undefined) => text?.toLowerCase().replace(/_/g, ' ');

/** The repository's name as precise as the entry knows it. */
function repositoryOf(bitbucket: Fields): string | null {
  const repository = objectOrEmpty(bitbucket.repository);
  const name = stringOf(repository.full_name) ?? stringOf(repository.name) ?? stringOf(repository.slug);
  return name === undefined || name === '' ? null : short(name, MAX_NAME_LENGTH);
}

function pushSummary(bitbucket: Fields): string | undefined {
  const changes = objectOrEmpty(bitbucket.push).changes;
  if (!Array.isArray(changes) || changes.length === 0) return undefined;
  const first = objectOrEmpty(changes[0]);
  const ref = objectOrEmpty(first.new ?? first.old);
  const name = stringOf(ref.name);
  if (name === undefined) return undefined;
  const kind = ref.type === 'tag' ? 'tag' : 'branch';
  const more = changes.length > 1 ? ` and ${plural(changes.length - 1, 'other ref', 'other refs')}` : '';
  const label = short(name, MAX_NAME_LENGTH);
  if (first.new === null || first.closed === true) return `${kind} ${label} deleted${more}`;
  if (kind === 'tag') return `tag ${label} ${first.created === true ? 'created' : 'moved'}${more}`;
  const commits = Array.isArray(first.commits) ? first.commits.length : 0;
  const counted = first.truncated === true ? `${commits}+ commits` : plural(commits, 'commit', 'commits');
  const how = first.forced === true ? 'forced push' : first.created === true ? 'new branch' : 'push';
  return `${how} to ${label}, ${counted}${more}`;
}

const PULL_REQUEST_VERBS: Readonly<Record<string, string>> = {
  created: 'opened',
  updated: 'updated',
  fulfilled: 'merged',
  rejected: 'declined',
};
const COMMENT_VERBS: Readonly<Record<string, string>> = {
  created: 'comment added',
  updated: 'comment edited',
  deleted: 'comment deleted',
  resolved: 'comment resolved',
  reopened: 'comment reopened',
};
const BUILD_STATES: Readonly<Record<string, string>> = {
  SUCCESSFUL: 'passed',
  FAILED: 'failed',
  INPROGRESS: 'in progress',
  STOPPED: 'stopped',
};
const DEPLOYMENT_STATUSES: Readonly<Record<string, string>> = { SUCCESSFUL: 'succeeded', FAILED: 'failed', STOPPED: 'stopped' };

function pullRequestLabel(bitbucket: Fields): string {
  const id = objectOrEmpty(bitbucket.pullrequest).id;
  return typeof id === 'number' || typeof id === 'string' ? `PR #${id}` : 'a pull request';
}

/** The latest review decides the words: "PR #42 approved". */
function reviewSummary(bitbucket: Fields): string {
  const pullRequest = pullRequestLabel(bitbucket);
  const participants = objectOrEmpty(bitbucket.pullrequest).participants;
  let latest: Fields | undefined;
  for (const participant of Array.isArray(participants) ? participants : []) {
    const candidate = objectOrEmpty(participant);
    if (latest === undefined || String(candidate.participated_on ?? '') > String(latest.participated_on ?? '')) latest = candidate;
  }
  if (latest?.state === 'approved') return `${pullRequest} approved`;
  if (latest?.state === 'changes_requested') return `changes requested on ${pullRequest}`;
  return `review status changed on ${pullRequest}`;
}

function deploymentSummary(verb: string, bitbucket: Fields): string {
  const environment = stringOf(objectOrEmpty(bitbucket.environment).name);
  const target = environment ? `deployment to ${short(environment, MAX_NAME_LENGTH)}` : 'deployment';
  if (verb === 'pending') return `${target} pending`;
  if (verb === 'started') return `${target} started`;
  const status = stringOf(objectOrEmpty(bitbucket.deployment).status);
  return `${target} ${(status && DEPLOYMENT_STATUSES[status]) ?? 'completed'}`;
}

function buildSummary(bitbucket: Fields): string {
  const status = objectOrEmpty(bitbucket.commit_status);
  const key = stringOf(status.name) ?? stringOf(status.key);
  const state = stringOf(status.state);
  const where = stringOf(status.refname);
  const words = (state && BUILD_STATES[state]) ?? lower(state) ?? 'updated';
  return `build${key ? ` ${short(key, MAX_NAME_LENGTH)}` : ''} ${words}${where ? ` on ${short(where, MAX_NAME_LENGTH)}` : ''}`;
}

function repositorySummary(verb: string, bitbucket: Fields): string {
  if (verb !== 'updated') return `repository ${verb}`;
  const changed = Object.keys(objectOrEmpty(bitbucket.changes));
  return changed.length === 0 ? 'repository settings changed' : `repository ${changed.join(', ')} changed`;
}

/** The verb of `avi:bitbucket:<verb>:<subject>`; the family from the catalog. */
function summaryOf(type: string, bitbucket: Fields): string | undefined {
  if (!isEventType(type)) return undefined;
  const verb = type.split(':')[2] ?? '';
  switch (EVENT_CATALOG[type].family) {
    case 'repository':
      return verb === 'push' ? pushSummary(bitbucket) : repositorySummary(verb, bitbucket);
    case 'pullrequest':
      return `${pullRequestLabel(bitbucket)} ${PULL_REQUEST_VERBS[verb] ?? verb}`;
    case 'pullrequest-comment':
      return `${COMMENT_VERBS[verb] ?? `comment ${verb}`} on ${pullRequestLabel(bitbucket)}`;
    case 'pullrequest-reviewer':
      return reviewSummary(bitbucket);
    case 'commit-comment': {
      const hash = stringOf(objectOrEmpty(bitbucket.commit).hash);
      return `comment on commit ${hash ? hash.slice(0, 7) : ''}`.trim();
    }
    case 'build-status':
      return buildSummary(bitbucket);
    case 'deployment':
      return deploymentSummary(verb, bitbucket);
    default:
      return undefined;
  }
}

function parsed(text: string): Fields {
  try {
    const value: unknown = JSON.parse(text);
    return isPlainObject(value) ? value : {};
  } catch {
    // A trimmed or foreign entry: described by what the entry itself names.
    return {};
  }
}

/** What an entry is about, for the list of undelivered events: linear in the entry's size, no I/O. */
export function describeEntry(entry: Pick<CoralogixEntry, 'text' | 'timestamp' | 'methodName' | 'className'>): EventDescription {
  const record = parsed(entry.text);
  const event = objectOrEmpty(record.event);
  const bitbucket = objectOrEmpty(record.bitbucket);
  const type = stringOf(event.type) ?? entry.className ?? '';
  const fallback = stringOf(event.action) ?? entry.methodName ?? (type || 'Event');
  const words = summaryOf(type, bitbucket);
  const summary = words === undefined ? fallback : words.charAt(0).toUpperCase() + words.slice(1);
  return {
    repository: repositoryOf(bitbucket),
    summary: short(summary, MAX_SUMMARY_LENGTH),
    ...(typeof entry.timestamp === 'number' && Number.isFinite(entry.timestamp) ? { occurredAt: Math.floor(entry.timestamp) } : {}),
  };
}
