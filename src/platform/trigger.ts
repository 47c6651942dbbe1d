import { enrichmentRequestOf } from '../core/enrichment';
import { transformEvent } from '../core/entry';
import { eventIdOf } from '../core/event-id';
import { isForwarded, scopeDecision } from '../core/forwarding';
import { decodeEvent, type DecodeResult } from '../core/events';
import { boundDepth, objectOrEmpty, stringOf } from '../core/json';
import type { DeliverySettings } from '../core/settings';
import { isTaggedDeployment, needsPipeline, versionTagOf } from '../core/version-tag';
import type { Enrichment } from '../core/enrichment';
import { platformRetryAfterSeconds } from '../core/retry-policy';
import { attemptDelivery, type AttemptResult } from './delivery';
import { enrichEvent } from './enrichment';
import { lookupPipeline } from './pipeline-lookup';
import { createVersionTag, type TagResult } from './tags';
import { deferEvent } from './retry-queue';
import { cachedDeliverySettings } from './settings-cache';
import { errorName } from './log-safe';

export type TriggerResult =
  | { readonly status: 'handled'; readonly eventId: string; readonly attempt: AttemptResult; readonly tag?: TagResult }
  /** Only the deployment's version tag was wanted: its log entry is not among the selected events. */
  | { readonly status: 'tagged'; readonly eventId: string; readonly tag: TagResult }
  | { readonly status: 'skipped'; readonly reason: 'not-configured' | 'forwarding-disabled' | 'event-not-selected' | 'outside-scope' }
  /** Could not be processed now (storage failed); kept on the retry queue as received. */
  | { readonly status: 'deferred'; readonly reason: string; readonly delaySeconds: number }
  /** Could not be accounted for at all: the platform must invoke again (the handler returns an InvocationError). */
  | { readonly status: 'retry-requested'; readonly retryAfterSeconds: number; readonly reason: string };

export interface TriggerOptions {
  /** When Forge first delivered it (a deferred event keeps its original time). */
  receivedAt?: number;
  /** The platform's retry count, when it says (event.retryContext). */
  retryCount?: number;
  /** False when the event already comes from the retry queue: it is not queued a second time. */
  canDefer?: boolean;
}

/** Deferred events wait this long: storage that just failed is given a moment to recover. */
const DEFER_DELAY_S = 30;

/**
 * Forge trigger for every Bitbucket event. Whatever fails, the event ends up delivered, on the retry
 * queue, stored as a dead letter, or, when none of those could be done, handed back to the platform
 * with a retry request: the Forge docs promise a retry for a returned InvocationError and nothing for
 * a thrown error, so nothing is thrown. Logs carry event ids and types only: Forge logs are visible
 * to the app vendor, so no key, name or payload content goes there.
 */
export async function handleBitbucketEvent(payload: unknown, options: TriggerOptions = {}): Promise<TriggerResult> {
  const receivedAt = options.receivedAt ?? Date.now();
  try {
    return await forward(payload, receivedAt);
  } catch (error) {
    const reason = `The app could not process the event yet (${errorName(error)})`;
    if (options.canDefer !== false) {
      try {
        // Depth-capped as the transform would cap it: a 10,000-level payload must serialise onto the queue.
        await deferEvent(boundDepth(payload).value, receivedAt, DEFER_DELAY_S);
        console.warn(`${reason}; kept on the retry queue`);
        return { status: 'deferred', reason, delaySeconds: DEFER_DELAY_S };
      } catch (deferError) {
        console.error(`The retry queue refused the event too (${errorName(deferError)}); asking the platform to retry`);
      }
    }
    return { status: 'retry-requested', retryAfterSeconds: platformRetryAfterSeconds(options.retryCount), reason };
  }
}

async function forward(payload: unknown, receivedAt: number): Promise<TriggerResult> {
  const settings = await cachedDeliverySettings(receivedAt);
  if (!settings) {
    console.log('Coralogix forwarding is not configured yet; event skipped');
    return { status: 'skipped', reason: 'not-configured' };
  }
  if (!settings.forwardingEnabled) return { status: 'skipped', reason: 'forwarding-disabled' };

  const decoded = decodeEvent(payload);
  const event = decoded.ok ? decoded.event : undefined;
  const eventType = event?.eventType ?? (decoded.ok ? 'unknown' : (decoded.eventType ?? 'unknown'));
  // Decided before enrichment, so events the admin does not want cost no Bitbucket lookup.
  if (!(await inScope(payload, settings, receivedAt))) return { status: 'skipped', reason: 'outside-scope' };
  const tagged = event !== undefined && isTaggedDeployment(event, settings.versionTags);
  const forwarded = isForwarded(eventType, settings);
  if (!forwarded && !tagged) return { status: 'skipped', reason: 'event-not-selected' };

  const enrichment = event ? await enrichEvent(enrichmentRequestOf(event), receivedAt) : undefined;
  // The log entry first: it has its own guarantees, and a tag that cannot be kept hands the whole
  // event back (platform retry), which then sends the entry again under the same event id.
  const forwardedEntry = forwarded ? await forwardEntry(payload, decoded, settings, enrichment, receivedAt) : undefined;
  const tag = tagged ? await tagDeployment(event, settings, enrichment, receivedAt) : undefined;
  if (forwardedEntry)
    return { status: 'handled', eventId: forwardedEntry.eventId, attempt: forwardedEntry.attempt, ...(tag ? { tag } : {}) };
  if (tag) return { status: 'tagged', eventId: eventIdOf(payload), tag };
  return { status: 'skipped', reason: 'event-not-selected' };
}

/**
 * The admin's repository scope, from the identifiers the event carries. Only when the scope names
 * projects and the event carries none (deployment events) is the repository looked up: the same
 * cached lookup enrichment makes, so an event that is then forwarded pays for it once. A repository
 * whose project cannot be found out is forwarded, never dropped unseen.
 */
async function inScope(payload: unknown, settings: DeliverySettings, now: number): Promise<boolean> {
  const scope = settings.repositoryScope;
  // Read from the payload itself: the decoded event holds the same identifiers, and an event that did
  // not decode is scoped like any other.
  const raw = objectOrEmpty(payload);
  const uuidOf = (field: string) => stringOf(objectOrEmpty(raw[field]).uuid);
  const repositoryUuid = uuidOf('repository');
  const decision = scopeDecision(scope, repositoryUuid, uuidOf('project'));
  if (decision !== 'needs-project' || repositoryUuid === undefined) return decision !== 'out';
  const { repository } = await enrichEvent(
    { workspaceUuid: uuidOf('workspace'), repositoryUuid, actorId: undefined, pullRequestId: undefined },
    now,
  );
  const resolved = repository?.project?.uuid;
  return resolved === undefined || scopeDecision(scope, repositoryUuid, resolved) === 'in';
}

async function tagDeployment(
  event: Parameters<typeof versionTagOf>[0],
  settings: DeliverySettings,
  enrichment: Enrichment | undefined,
  receivedAt: number,
): Promise<TagResult> {
  const workspaceUuid = event.workspace?.uuid;
  const pipelineUuid = stringOf(objectOrEmpty(event.pipeline).uuid);
  const pipeline =
    needsPipeline(settings.versionTags) && workspaceUuid && pipelineUuid
      ? await lookupPipeline(workspaceUuid, event.repository.uuid, pipelineUuid)
      : undefined;
  const tag = versionTagOf(event, settings.versionTags, { repository: enrichment?.repository, pipeline }, receivedAt);
  const about = {
    eventId: eventIdOf(event),
    repository: enrichment?.repository?.full_name ?? event.repository.slug ?? null,
    environment: event.environment?.name ?? null,
  };
  return createVersionTag(tag, about, settings, receivedAt);
}

async function forwardEntry(
  payload: unknown,
  decoded: DecodeResult,
  settings: DeliverySettings,
  enrichment: Enrichment | undefined,
  receivedAt: number,
): Promise<{ eventId: string; attempt: AttemptResult }> {
  const transformed = transformEvent(payload, {
    destination: settings,
    receivedAtMs: receivedAt,
    omitFreeText: settings.omitFreeText,
    decoded,
    ...(enrichment ? { enrichment } : {}),
  });
  // The problems name payload keys only (scrubbed in the core), never values: safe for the vendor's logs.
  if (transformed.problems.length > 0) {
    const what = transformed.kind === 'unrecognised' ? 'unrecognised event' : 'event with unreadable fields';
    console.warn(
      `Forwarding ${what} ${transformed.eventId} (${transformed.eventType}) with its payload beside it: ${transformed.problems.join('; ')}`,
    );
  }

  const attempt = await attemptDelivery(
    {
      eventId: transformed.eventId,
      eventType: transformed.eventType,
      entry: transformed.entry,
      attempts: 0,
      firstAttemptAt: receivedAt,
      lastAttemptAt: receivedAt,
    },
    settings,
    receivedAt,
  );
  if (attempt.result !== 'delivered') {
    console.warn(`Event ${transformed.eventId} (${transformed.eventType}) not delivered yet: ${attempt.result}: ${attempt.reason}`);
  }
  return { eventId: transformed.eventId, attempt };
}
