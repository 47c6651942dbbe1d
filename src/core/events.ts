import * as z from 'zod/mini';
import type { EventType } from './catalog';
import { scrubEmails } from './privacy';

// The Bitbucket events Forge delivers to a trigger, per the Forge events reference for Bitbucket.
// Payloads carry identifiers, not full objects. Every schema is loose: unknown fields are kept, and
// only what identifies the event is required, so a payload that grows new fields keeps flowing.

const textValue = z.looseObject({ value: z.string(), truncated: z.optional(z.boolean()) });
export type TextValue = z.infer<typeof textValue>;

const actor = z.looseObject({
  type: z.optional(z.string()),
  accountId: z.optional(z.string()),
  uuid: z.optional(z.string()),
});
export type Actor = z.infer<typeof actor>;

const resource = z.looseObject({ uuid: z.string() });
const repository = z.looseObject({ uuid: z.string(), slug: z.optional(z.string()) });

const commonFields = {
  timestamp: z.optional(z.string()),
  selfGenerated: z.optional(z.boolean()),
  repository,
  workspace: z.optional(resource),
};

const withActor = {
  ...commonFields,
  actor: z.optional(actor),
  project: z.optional(resource),
};

const repositoryEvent = z.looseObject({
  eventType: z.enum(['avi:bitbucket:created:repository', 'avi:bitbucket:deleted:repository']),
  ...withActor,
});

const fieldChange = z.looseObject({ old: z.nullish(textValue), new: z.nullish(textValue) });

const repositoryUpdatedEvent = z.looseObject({
  eventType: z.literal('avi:bitbucket:updated:repository'),
  ...withActor,
  changes: z.optional(z.record(z.string(), fieldChange)),
});

const pushCommit = z.looseObject({
  hash: z.string(),
  message: z.optional(textValue),
  date: z.optional(z.string()),
  author: z.optional(z.looseObject({ user: z.optional(actor) })),
});

// A branch push lists its commits; a tag push has no commits and may carry the tag's own message,
// date and author (the payload has no explicit ref type).
const push = z.looseObject({
  ref: z.string(),
  mainbranch: z.optional(z.boolean()),
  before: z.nullish(z.string()),
  after: z.nullish(z.string()),
  created: z.optional(z.boolean()),
  closed: z.optional(z.boolean()),
  forced: z.optional(z.boolean()),
  truncated: z.optional(z.boolean()),
  commits: z.optional(z.array(pushCommit)),
  date: z.optional(z.string()),
  message: z.optional(textValue),
  author: z.optional(z.looseObject({ user: z.optional(actor) })),
});
export type Push = z.infer<typeof push>;

const pushEvent = z.looseObject({
  eventType: z.literal('avi:bitbucket:push:repository'),
  ...withActor,
  push,
});

const buildStatusEvent = z.looseObject({
  eventType: z.enum(['avi:bitbucket:created:build-status', 'avi:bitbucket:updated:build-status']),
  ...withActor,
  buildStatus: z.looseObject({
    key: z.string(),
    commit: z.optional(z.looseObject({ hash: z.string() })),
    state: z.optional(z.string()),
    url: z.optional(z.string()),
    createdOn: z.optional(z.string()),
    updatedOn: z.optional(z.string()),
    refName: z.nullish(z.string()),
  }),
});

const commentRef = z.looseObject({ id: z.union([z.number(), z.string()]) });

const commitCommentEvent = z.looseObject({
  eventType: z.literal('avi:bitbucket:created:commit-comment'),
  ...withActor,
  commit: z.looseObject({ hash: z.string() }),
  comment: commentRef,
});

const branchRef = z.looseObject({
  branch: z.optional(z.string()),
  commit: z.optional(z.looseObject({ hash: z.string() })),
});

const pullRequest = z.looseObject({
  id: z.number(),
  state: z.optional(z.string()),
  source: z.optional(branchRef),
  destination: z.optional(branchRef),
  title: z.optional(textValue),
  author: z.optional(z.extend(actor, { displayName: z.optional(z.string()) })),
  createdOn: z.optional(z.string()),
  updatedOn: z.optional(z.string()),
  commentCount: z.optional(z.number()),
  taskCount: z.optional(z.number()),
  mergeCommit: z.nullish(z.looseObject({ hash: z.string() })),
});
export type PullRequest = z.infer<typeof pullRequest>;

const pullRequestEvent = z.looseObject({
  eventType: z.enum([
    'avi:bitbucket:created:pullrequest',
    'avi:bitbucket:updated:pullrequest',
    'avi:bitbucket:fulfilled:pullrequest',
    'avi:bitbucket:rejected:pullrequest',
  ]),
  ...withActor,
  pullrequest: pullRequest,
});

const pullRequestCommentEvent = z.looseObject({
  eventType: z.enum([
    'avi:bitbucket:created:pullrequest-comment',
    'avi:bitbucket:updated:pullrequest-comment',
    'avi:bitbucket:deleted:pullrequest-comment',
    'avi:bitbucket:resolved:pullrequest-comment',
    'avi:bitbucket:reopened:pullrequest-comment',
  ]),
  ...withActor,
  pullrequest: pullRequest,
  comment: commentRef,
  changes: z.optional(z.record(z.string(), z.unknown())),
});

const reviewer = z.looseObject({
  user: z.optional(z.extend(actor, { kind: z.optional(z.string()) })),
  status: z.optional(z.string()),
  timestamp: z.optional(z.string()),
});

const reviewerStatusEvent = z.looseObject({
  eventType: z.literal('avi:bitbucket:updated:pullrequest-reviewer-status'),
  ...withActor,
  pullrequest: pullRequest,
  reviewers: z.optional(z.looseObject({ value: z.array(reviewer), truncated: z.optional(z.boolean()) })),
});

// Deployment events carry no actor and no project.
const deploymentEvent = z.looseObject({
  eventType: z.enum(['avi:bitbucket:pending:deployment', 'avi:bitbucket:started:deployment', 'avi:bitbucket:completed:deployment']),
  ...commonFields,
  pipeline: z.optional(resource),
  deployment: z.looseObject({
    uuid: z.string(),
    state: z.optional(z.string()),
    status: z.optional(z.string()),
    updatedTimestamp: z.optional(z.string()),
  }),
  environment: z.optional(z.looseObject({ uuid: z.optional(z.string()), type: z.optional(z.string()), name: z.optional(z.string()) })),
});

export const bitbucketEventSchema = z.discriminatedUnion('eventType', [
  repositoryEvent,
  repositoryUpdatedEvent,
  pushEvent,
  buildStatusEvent,
  commitCommentEvent,
  pullRequestEvent,
  pullRequestCommentEvent,
  reviewerStatusEvent,
  deploymentEvent,
]);

/** Any Bitbucket event the app understands, discriminated by `eventType`. */
export type BitbucketEvent = z.infer<typeof bitbucketEventSchema>;

/** The payload type of one event: `EventOf<'avi:bitbucket:push:repository'>` has `push`. */
export type EventOf<T extends EventType> = BitbucketEvent extends infer E
  ? E extends { eventType: infer K }
    ? T extends K
      ? E & { eventType: T }
      : never
    : never
  : never;

export type DecodeResult =
  | { readonly ok: true; readonly event: BitbucketEvent }
  | { readonly ok: false; readonly eventType: string | undefined; readonly problems: readonly string[] };

export function decodeEvent(payload: unknown): DecodeResult {
  const parsed = bitbucketEventSchema.safeParse(payload);
  if (parsed.success) return { ok: true, event: parsed.data };
  const eventType =
    typeof payload === 'object' && payload !== null && typeof (payload as { eventType?: unknown }).eventType === 'string'
      ? (payload as { eventType: string }).eventType
      : undefined;
  // Problems name payload keys, which may be addresses, and they are logged as well as forwarded:
  // each key is scrubbed, then the whole, for an address that keys make only once joined.
  const problems = parsed.error.issues.slice(0, 10).map((issue) => {
    const where = issue.path.length > 0 ? issue.path.map((key) => scrubEmails(String(key))).join('.') : 'payload';
    return scrubEmails(`${where}: ${issue.message}`);
  });
  return { ok: false, eventType, problems };
}
