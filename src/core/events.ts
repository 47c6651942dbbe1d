import { isEventType, type EventType } from './catalog';
import { objectOrEmpty, stringOf } from './json';
import { scrubEmails } from './privacy';
import { v, validate } from './validation';

// The Bitbucket events Forge delivers to a trigger, per the Forge events reference for Bitbucket.
// Payloads carry identifiers, not full objects. Every schema is loose: unknown fields are kept, and
// only what identifies the event is required, so a payload that grows new fields keeps flowing.

const loose = <S extends Record<string, v.Type | v.Optional>>(shape: S) => v.object(shape).rest(v.unknown());
const nullish = <T>(type: v.Type<T>) => type.nullable().optional();

const textValue = loose({ value: v.string(), truncated: v.boolean().optional() });
export type TextValue = v.Infer<typeof textValue>;

const actor = loose({
  type: v.string().optional(),
  accountId: v.string().optional(),
  uuid: v.string().optional(),
});
export type Actor = v.Infer<typeof actor>;

const resource = loose({ uuid: v.string() });
const repository = loose({ uuid: v.string(), slug: v.string().optional() });

const commonFields = {
  timestamp: v.string().optional(),
  selfGenerated: v.boolean().optional(),
  repository,
  workspace: resource.optional(),
};

const withActor = {
  ...commonFields,
  actor: actor.optional(),
  project: resource.optional(),
};

const repositoryEvent = loose({
  eventType: v.union(v.literal('avi:bitbucket:created:repository'), v.literal('avi:bitbucket:deleted:repository')),
  ...withActor,
});

const fieldChange = loose({ old: nullish(textValue), new: nullish(textValue) });

const repositoryUpdatedEvent = loose({
  eventType: v.literal('avi:bitbucket:updated:repository'),
  ...withActor,
  changes: v.record(fieldChange).optional(),
});

const pushAuthor = loose({ user: actor.optional() });

const pushCommit = loose({
  hash: v.string(),
  message: textValue.optional(),
  date: v.string().optional(),
  author: pushAuthor.optional(),
});

// A branch push lists its commits; a tag push has no commits and may carry the tag's own message,
// date and author (the payload has no explicit ref type).
const push = loose({
  ref: v.string(),
  mainbranch: v.boolean().optional(),
  before: nullish(v.string()),
  after: nullish(v.string()),
  created: v.boolean().optional(),
  closed: v.boolean().optional(),
  forced: v.boolean().optional(),
  truncated: v.boolean().optional(),
  commits: v.array(pushCommit).optional(),
  date: v.string().optional(),
  message: textValue.optional(),
  author: pushAuthor.optional(),
});
export type Push = v.Infer<typeof push>;

const pushEvent = loose({
  eventType: v.literal('avi:bitbucket:push:repository'),
  ...withActor,
  push,
});

const buildStatusEvent = loose({
  eventType: v.union(v.literal('avi:bitbucket:created:build-status'), v.literal('avi:bitbucket:updated:build-status')),
  ...withActor,
  buildStatus: loose({
    key: v.string(),
    commit: loose({ hash: v.string() }).optional(),
    state: v.string().optional(),
    url: v.string().optional(),
    createdOn: v.string().optional(),
    updatedOn: v.string().optional(),
    refName: nullish(v.string()),
  }),
});

const commentRef = loose({ id: v.union(v.number(), v.string()) });

const commitCommentEvent = loose({
  eventType: v.literal('avi:bitbucket:created:commit-comment'),
  ...withActor,
  commit: loose({ hash: v.string() }),
  comment: commentRef,
});

const branchRef = loose({
  branch: v.string().optional(),
  commit: loose({ hash: v.string() }).optional(),
});

const pullRequest = loose({
  id: v.number(),
  state: v.string().optional(),
  source: branchRef.optional(),
  destination: branchRef.optional(),
  title: textValue.optional(),
  author: actor.extend({ displayName: v.string().optional() }).optional(),
  createdOn: v.string().optional(),
  updatedOn: v.string().optional(),
  commentCount: v.number().optional(),
  taskCount: v.number().optional(),
  mergeCommit: nullish(loose({ hash: v.string() })),
});
export type PullRequest = v.Infer<typeof pullRequest>;

const pullRequestEvent = loose({
  eventType: v.union(
    v.literal('avi:bitbucket:created:pullrequest'),
    v.literal('avi:bitbucket:updated:pullrequest'),
    v.literal('avi:bitbucket:fulfilled:pullrequest'),
    v.literal('avi:bitbucket:rejected:pullrequest'),
  ),
  ...withActor,
  pullrequest: pullRequest,
});

const pullRequestCommentEvent = loose({
  eventType: v.union(
    v.literal('avi:bitbucket:created:pullrequest-comment'),
    v.literal('avi:bitbucket:updated:pullrequest-comment'),
    v.literal('avi:bitbucket:deleted:pullrequest-comment'),
    v.literal('avi:bitbucket:resolved:pullrequest-comment'),
    v.literal('avi:bitbucket:reopened:pullrequest-comment'),
  ),
  ...withActor,
  pullrequest: pullRequest,
  comment: commentRef,
  changes: v.record().optional(),
});

const reviewer = loose({
  user: actor.extend({ kind: v.string().optional() }).optional(),
  status: v.string().optional(),
  timestamp: v.string().optional(),
});

const reviewerStatusEvent = loose({
  eventType: v.literal('avi:bitbucket:updated:pullrequest-reviewer-status'),
  ...withActor,
  pullrequest: pullRequest,
  reviewers: loose({ value: v.array(reviewer), truncated: v.boolean().optional() }).optional(),
});

// Deployment events carry no actor and no project.
const deploymentEvent = loose({
  eventType: v.union(
    v.literal('avi:bitbucket:pending:deployment'),
    v.literal('avi:bitbucket:started:deployment'),
    v.literal('avi:bitbucket:completed:deployment'),
  ),
  ...commonFields,
  pipeline: resource.optional(),
  deployment: loose({
    uuid: v.string(),
    state: v.string().optional(),
    status: v.string().optional(),
    updatedTimestamp: v.string().optional(),
  }),
  environment: loose({ uuid: v.string().optional(), type: v.string().optional(), name: v.string().optional() }).optional(),
});

// valita finds the branch from `eventType`'s literals in one lookup, as a discriminated union would.
export const bitbucketEventSchema = v.union(
  repositoryEvent,
  repositoryUpdatedEvent,
  pushEvent,
  buildStatusEvent,
  commitCommentEvent,
  pullRequestEvent,
  pullRequestCommentEvent,
  reviewerStatusEvent,
  deploymentEvent,
);

/** Any Bitbucket event the app understands, discriminated by `eventType`. */
export type BitbucketEvent = v.Infer<typeof bitbucketEventSchema>;

/** The payload type of one event: `EventOf<'avi:bitbucket:push:repository'>` has `push`. */
export type EventOf<T extends EventType> = BitbucketEvent extends infer E
  ? E extends { eventType: infer K }
    ? T extends K
      ? E & { eventType: T }
      : never
    : never
  : never;

// The fields any payload may share, all optional: what the entry of a payload the model cannot
// read (an unknown type, or no identifier of what it is about) still has in `bitbucket`.
const commonEvent = loose({
  eventType: v.string().optional(),
  ...withActor,
  repository: loose({ uuid: v.string().optional(), slug: v.string().optional() }).optional(),
});
export type CommonEvent = v.Infer<typeof commonEvent>;

export type DecodeResult =
  /** `problems`: the values dropped to read the rest. */
  | { readonly ok: true; readonly event: BitbucketEvent; readonly problems: readonly string[] }
  | { readonly ok: false; readonly eventType: string | undefined; readonly problems: readonly string[] };

type Path = ReadonlyArray<string | number>;
type Container = Record<string | number, unknown>;

// A round drops what validation reported; a later one only climbs from a missing required value
// to its parent, so the model's depth bounds the rounds.
const MAX_ROUNDS = 8;
const LISTED_PROBLEMS = 10;
const DROPPED = Symbol('dropped');

const valueAt = (root: unknown, path: Path): unknown =>
  path.reduce<unknown>((node, key) => (node !== null && typeof node === 'object' ? (node as Container)[key] : undefined), root);

/** A copy of `root` without the values at `paths`, copying each container on the way once: linear. */
function withoutValuesAt(root: object, paths: readonly Path[]): object {
  const copies = new Set<object>();
  const copy = (node: object): Container => {
    if (copies.has(node)) return node as Container;
    const made = Array.isArray(node) ? node.slice() : { ...node };
    copies.add(made);
    return made as Container;
  };
  const out = copy(root);
  for (const path of paths) {
    let node: Container | undefined = out;
    for (const key of path.slice(0, -1)) {
      const child: unknown = node?.[key];
      const owned: Container | undefined = child !== null && typeof child === 'object' ? copy(child) : undefined;
      // Defined rather than assigned, so a payload key "__proto__" stays a key.
      if (node && owned && owned !== child)
        Object.defineProperty(node, key, { value: owned, enumerable: true, writable: true, configurable: true });
      node = owned;
    }
    // An array keeps its length until every drop is placed: the paths count its items as they were.
    if (node) node[path[path.length - 1] as string | number] = DROPPED;
  }
  for (const node of copies) {
    let kept = 0;
    if (Array.isArray(node)) {
      for (const item of node) if (item !== DROPPED) node[kept++] = item;
      node.length = kept;
    } else for (const key of Object.keys(node)) if ((node as Container)[key] === DROPPED) delete (node as Container)[key];
  }
  return out;
}

function describe(path: Path, message: string): string {
  // Problems name payload keys, which may be addresses, and they are logged as well as forwarded:
  // each key is scrubbed, then the whole, for an address that keys make only once joined.
  const where = path.length > 0 ? path.map((key) => scrubEmails(String(key))).join('.') : 'payload';
  return scrubEmails(`${where}: ${message}`);
}

/**
 * Decodes field by field: a value of an unexpected type is dropped and named in `problems`, a null
 * the model has no null for is read as absent (older payloads wrote absent fields so), and a
 * required value that cannot be read takes its parent with it. Only when that reaches the payload
 * itself is nothing decoded.
 */
function decodeLeniently<S extends v.Type<unknown>>(schema: S, payload: unknown, problems: string[]): v.Infer<S> | undefined {
  let value = payload;
  // Paths dropped for a reason already given: that they are then missing is no news.
  const explained = new Set<string>();
  for (let round = 0; round < MAX_ROUNDS && value !== null && typeof value === 'object'; round += 1) {
    const parsed = validate(schema, value);
    if (parsed.ok) return parsed.value;
    const drops: Path[] = [];
    for (const { path, message } of parsed.issues) {
      const found = valueAt(value, path);
      if (found !== null) {
        if (!explained.has(path.join('.'))) problems.push(describe(path, message));
        const dropped = found === undefined ? path.slice(0, -1) : path;
        if (dropped.length === 0) return undefined;
        explained.add(dropped.join('.'));
        drops.push(dropped);
      } else drops.push(path);
    }
    value = withoutValuesAt(value, drops);
  }
  return undefined;
}

function listed(problems: string[]): string[] {
  const more = problems.length - LISTED_PROBLEMS;
  return more > 0 ? [...problems.slice(0, LISTED_PROBLEMS), `… and ${more} more`] : problems;
}

export function decodeEvent(payload: unknown): DecodeResult {
  const eventType = stringOf(objectOrEmpty(payload).eventType);
  const problems: string[] = [];
  if (isEventType(eventType)) {
    const event = decodeLeniently(bitbucketEventSchema, payload, problems);
    if (event) return { ok: true, event, problems: listed(problems) };
  } else {
    const parsed = validate(bitbucketEventSchema, payload);
    if (!parsed.ok) for (const issue of parsed.issues.slice(0, LISTED_PROBLEMS)) problems.push(describe(issue.path, issue.message));
  }
  return { ok: false, eventType, problems: listed(problems) };
}

/** The fields any payload may share, read as far as they can be. */
export function decodeCommon(payload: unknown): CommonEvent {
  return decodeLeniently(commonEvent, payload, []) ?? {};
}
