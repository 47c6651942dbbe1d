import type { BitbucketEvent } from './events';
import type { RepositoryInfo } from './enrichment';
import { scrubEmails } from './privacy';
import type { FailureCause } from './retry-policy';
import type { VersionTagSettings } from './settings';
import { renderTemplate, UNKNOWN_VALUE, type TagNamePlaceholder } from './template';

// A successful deployment becomes a Coralogix version tag, so Version Benchmarks compare error rates
// before and after it. The body is what "cURL Version Tags" documents: name, timestamp (epoch ms),
// application and subsystem as arrays (Coralogix's tutorial: "always … between square brackets").

export interface VersionTagBody {
  name: string;
  timestamp: number;
  application: string[];
  subsystem: string[];
}

// One schema decodes the three deployment events, so the union is narrowed by its fields.
type DeploymentEvent = Extract<BitbucketEvent, { deployment: unknown }>;

/** What the name template may use beyond the event: the repository as enrichment resolved it, and the deployment's pipeline. */
export interface TagContext {
  repository?: RepositoryInfo | undefined;
  pipeline?: PipelineInfo | undefined;
}

export interface PipelineInfo {
  buildNumber?: number;
  commitHash?: string;
}

/**
 * Only a deployment that completed successfully is a release; a failed or stopped one changed
 * nothing that Version Benchmarks should compare against. The environment type is the one Forge's
 * payload names (PRODUCTION, STAGING, TEST).
 */
export function isTaggedDeployment(event: BitbucketEvent, settings: VersionTagSettings): event is DeploymentEvent {
  if (!settings.enabled || event.eventType !== 'avi:bitbucket:completed:deployment') return false;
  const status = typeof event.deployment.status === 'string' ? event.deployment.status.toUpperCase() : undefined;
  const type = typeof event.environment?.type === 'string' ? event.environment.type.toUpperCase() : undefined;
  return status === 'SUCCESSFUL' && type !== undefined && (settings.environmentTypes as readonly string[]).includes(type);
}

/** Whether rendering the name needs the deployment's pipeline looked up (a REST call the other placeholders do not need). */
export function needsPipeline(settings: VersionTagSettings): boolean {
  return /\{\s*(commit\.|pipeline\.)/.test(settings.nameTemplate);
}

const SHORT_HASH_LENGTH = 12;

export function tagValuesOf(event: DeploymentEvent, context: TagContext): Partial<Record<TagNamePlaceholder, string>> {
  const repository = context.repository;
  const hash = context.pipeline?.commitHash;
  const buildNumber = context.pipeline?.buildNumber;
  return {
    'repository.slug': event.repository.slug ?? repository?.slug,
    'repository.name': repository?.name,
    'repository.full_name': repository?.full_name,
    'project.key': repository?.project?.key,
    'workspace.slug': repository?.workspace?.slug,
    'environment.name': event.environment?.name,
    'environment.type': event.environment?.type?.toLowerCase(),
    'deployment.uuid': event.deployment.uuid.replace(/[{}]/g, ''),
    'pipeline.build_number': buildNumber === undefined ? undefined : String(buildNumber),
    'commit.hash': hash,
    'commit.short_hash': hash?.slice(0, SHORT_HASH_LENGTH),
  };
}

/** Epoch ms of when the deployment completed: the payload's own time, else when the event arrived. */
function completedAt(event: DeploymentEvent, receivedAt: number): number {
  const parsed = Date.parse(event.deployment.updatedTimestamp ?? event.timestamp ?? '');
  return Number.isFinite(parsed) ? parsed : receivedAt;
}

export function versionTagOf(
  event: DeploymentEvent,
  settings: VersionTagSettings,
  context: TagContext,
  receivedAt: number,
): VersionTagBody {
  const fallback = event.repository.slug ?? 'deployment';
  return {
    // Names are scrubbed like every name the app sends: no email address leaves.
    name: scrubEmails(renderTemplate(settings.nameTemplate, tagValuesOf(event, context), fallback)),
    timestamp: completedAt(event, receivedAt),
    application: [scrubEmails(settings.applicationName)],
    subsystem: [scrubEmails(settings.subsystemName)],
  };
}

/** A tag that uses every placeholder with made-up values, for the settings page's test button. */
export function testTagOf(settings: VersionTagSettings, now: number): VersionTagBody {
  const name = renderTemplate<TagNamePlaceholder>(
    settings.nameTemplate,
    {
      'repository.slug': 'coralogix-test',
      'repository.name': 'Coralogix test',
      'repository.full_name': 'workspace/coralogix-test',
      'project.key': 'TEST',
      'workspace.slug': 'workspace',
      'environment.name': 'test',
      'environment.type': 'test',
      'deployment.uuid': '00000000-0000-4000-8000-000000000000',
      'pipeline.build_number': '0',
      'commit.hash': '0000000000000000000000000000000000000000',
      'commit.short_hash': '000000000000',
    },
    UNKNOWN_VALUE,
  );
  return {
    name: `${name} (test from the Bitbucket app)`,
    timestamp: now,
    application: [settings.applicationName],
    subsystem: [settings.subsystemName],
  };
}

/** `<13-digit ms>:<32 hex>`, like backlog items: time-ordered, so the oldest waiting tag comes first. */
export const TAG_ITEM_ID = /^\d{13}:[0-9a-f]{32}$/;

/** A tag that could not be created yet, as the settings page shows it. */
export interface WaitingTagSummary {
  /** The deployment event's id: the same deployment never makes two tags. */
  eventId: string;
  name: string;
  repository: string | null;
  environment: string | null;
  cause: FailureCause;
  reason: string;
  attempts: number;
  firstAttemptAt: number;
  lastAttemptAt: number;
  /** Refused as it is: waits for the admin's Retry all or Discard, not for the automatic retry. */
  held?: boolean;
}

export interface WaitingTag extends WaitingTagSummary {
  body: VersionTagBody;
}

/** How many tags may wait: deployments are a few a day, so this is weeks of a refused key. */
export const TAG_OUTBOX_CAPACITY = 1_000;
