// Type-level tests, checked by `tsc` in `npm test`: a handler for one event gets exactly that payload.
import type { Actor, BitbucketEvent, EventOf } from '../../src/core/events';

type PushEvent = EventOf<'avi:bitbucket:push:repository'>;
type DeploymentEvent = EventOf<'avi:bitbucket:completed:deployment'>;
type CommentEvent = EventOf<'avi:bitbucket:resolved:pullrequest-comment'>;

export function pushRef(event: PushEvent): string {
  return event.push.ref;
}

export function commentId(event: CommentEvent): number | string {
  return event.comment.id;
}

export function deploymentActor(event: DeploymentEvent): Actor | undefined {
  // @ts-expect-error deployment events carry no actor
  const actor: Actor | undefined = event.actor;
  return actor;
}

export function narrowsOnEventType(event: BitbucketEvent): string | undefined {
  if (event.eventType === 'avi:bitbucket:fulfilled:pullrequest') return event.pullrequest.mergeCommit?.hash;
  if (event.eventType === 'avi:bitbucket:completed:deployment') return event.deployment.status;
  // @ts-expect-error a push has no pullrequest
  if (event.eventType === 'avi:bitbucket:push:repository') return event.pullrequest.id;
  return undefined;
}

// @ts-expect-error only catalogued event types have a payload type
export type NotAnEvent = EventOf<'avi:bitbucket:forked:repository'>;
