// Every Bitbucket product event Forge offers, with what an on-call engineer and an auditor need to
// know about it. Severities follow Coralogix's scale: 1 Debug, 2 Verbose, 3 Info, 4 Warn, 5 Error, 6 Critical.

export const Severity = { Debug: 1, Verbose: 2, Info: 3, Warning: 4, Error: 5, Critical: 6 } as const;
export type SeverityLevel = (typeof Severity)[keyof typeof Severity];

export type EventFamily =
  'repository' | 'build-status' | 'commit-comment' | 'pullrequest' | 'pullrequest-comment' | 'pullrequest-reviewer' | 'deployment';

/** Bitbucket Data Center audit areas, narrowed to what Bitbucket Cloud's Forge events cover. */
export type AuditArea = 'REPOSITORY' | 'PULL_REQUEST' | 'PIPELINES';

/** Data Center coverage levels: BASE is the essential trail, FULL everything. */
export type CoverageLevel = 'BASE' | 'ADVANCED' | 'FULL';
export const COVERAGE_LEVELS = ['BASE', 'ADVANCED', 'FULL'] as const satisfies readonly CoverageLevel[];

/** The admin's setting for an area: OFF, or the highest level forwarded (Data Center's meaning). */
export type CoverageSetting = 'OFF' | CoverageLevel;
export const COVERAGE_SETTINGS = ['OFF', ...COVERAGE_LEVELS] as const satisfies readonly CoverageSetting[];
export const AUDIT_AREAS = ['REPOSITORY', 'PULL_REQUEST', 'PIPELINES'] as const satisfies readonly AuditArea[];

export function coverageAdmits(setting: CoverageSetting, level: CoverageLevel): boolean {
  return setting !== 'OFF' && COVERAGE_LEVELS.indexOf(level) <= COVERAGE_LEVELS.indexOf(setting);
}

export interface EventCatalogEntry {
  readonly family: EventFamily;
  /** A short human action, used in messages and as the Coralogix methodName. */
  readonly action: string;
  /** Severity when nothing in the payload raises it (see severityOf). */
  readonly severity: SeverityLevel;
  readonly area: AuditArea;
  readonly level: CoverageLevel;
  /** Forge scope the platform requires before it delivers this event. */
  readonly scope: 'read:repository:bitbucket' | 'read:pullrequest:bitbucket' | 'read:pipeline:bitbucket';
}

const REPO = 'read:repository:bitbucket';
const PR = 'read:pullrequest:bitbucket';
const PIPELINE = 'read:pipeline:bitbucket';

export const EVENT_CATALOG = {
  'avi:bitbucket:created:repository': {
    family: 'repository',
    action: 'Repository created',
    severity: 3,
    area: 'REPOSITORY',
    level: 'BASE',
    scope: REPO,
  },
  'avi:bitbucket:updated:repository': {
    family: 'repository',
    action: 'Repository updated',
    severity: 3,
    area: 'REPOSITORY',
    level: 'BASE',
    scope: REPO,
  },
  'avi:bitbucket:push:repository': {
    family: 'repository',
    action: 'Repository pushed',
    severity: 3,
    area: 'REPOSITORY',
    level: 'ADVANCED',
    scope: REPO,
  },
  'avi:bitbucket:deleted:repository': {
    family: 'repository',
    action: 'Repository deleted',
    severity: 4,
    area: 'REPOSITORY',
    level: 'BASE',
    scope: REPO,
  },
  'avi:bitbucket:created:build-status': {
    family: 'build-status',
    action: 'Build status created',
    severity: 3,
    area: 'PIPELINES',
    level: 'ADVANCED',
    scope: REPO,
  },
  'avi:bitbucket:updated:build-status': {
    family: 'build-status',
    action: 'Build status updated',
    severity: 3,
    area: 'PIPELINES',
    level: 'ADVANCED',
    scope: REPO,
  },
  'avi:bitbucket:created:commit-comment': {
    family: 'commit-comment',
    action: 'Commit comment created',
    severity: 3,
    area: 'REPOSITORY',
    level: 'FULL',
    scope: REPO,
  },
  'avi:bitbucket:created:pullrequest': {
    family: 'pullrequest',
    action: 'Pull request created',
    severity: 3,
    area: 'PULL_REQUEST',
    level: 'ADVANCED',
    scope: PR,
  },
  'avi:bitbucket:updated:pullrequest': {
    family: 'pullrequest',
    action: 'Pull request updated',
    severity: 3,
    area: 'PULL_REQUEST',
    level: 'FULL',
    scope: PR,
  },
  'avi:bitbucket:fulfilled:pullrequest': {
    family: 'pullrequest',
    action: 'Pull request merged',
    severity: 3,
    area: 'PULL_REQUEST',
    level: 'BASE',
    scope: PR,
  },
  'avi:bitbucket:rejected:pullrequest': {
    family: 'pullrequest',
    action: 'Pull request declined',
    severity: 3,
    area: 'PULL_REQUEST',
    level: 'ADVANCED',
    scope: PR,
  },
  'avi:bitbucket:created:pullrequest-comment': {
    family: 'pullrequest-comment',
    action: 'Pull request comment created',
    severity: 3,
    area: 'PULL_REQUEST',
    level: 'FULL',
    scope: PR,
  },
  'avi:bitbucket:updated:pullrequest-comment': {
    family: 'pullrequest-comment',
    action: 'Pull request comment edited',
    severity: 3,
    area: 'PULL_REQUEST',
    level: 'FULL',
    scope: PR,
  },
  'avi:bitbucket:deleted:pullrequest-comment': {
    family: 'pullrequest-comment',
    action: 'Pull request comment deleted',
    severity: 3,
    area: 'PULL_REQUEST',
    level: 'FULL',
    scope: PR,
  },
  'avi:bitbucket:resolved:pullrequest-comment': {
    family: 'pullrequest-comment',
    action: 'Pull request comment resolved',
    severity: 3,
    area: 'PULL_REQUEST',
    level: 'FULL',
    scope: PR,
  },
  'avi:bitbucket:reopened:pullrequest-comment': {
    family: 'pullrequest-comment',
    action: 'Pull request comment reopened',
    severity: 3,
    area: 'PULL_REQUEST',
    level: 'FULL',
    scope: PR,
  },
  'avi:bitbucket:updated:pullrequest-reviewer-status': {
    family: 'pullrequest-reviewer',
    action: 'Pull request review status changed',
    severity: 3,
    area: 'PULL_REQUEST',
    level: 'ADVANCED',
    scope: PR,
  },
  'avi:bitbucket:pending:deployment': {
    family: 'deployment',
    action: 'Deployment pending',
    severity: 3,
    area: 'PIPELINES',
    level: 'ADVANCED',
    scope: PIPELINE,
  },
  'avi:bitbucket:started:deployment': {
    family: 'deployment',
    action: 'Deployment started',
    severity: 3,
    area: 'PIPELINES',
    level: 'ADVANCED',
    scope: PIPELINE,
  },
  'avi:bitbucket:completed:deployment': {
    family: 'deployment',
    action: 'Deployment completed',
    severity: 3,
    area: 'PIPELINES',
    level: 'BASE',
    scope: PIPELINE,
  },
} as const satisfies Record<string, EventCatalogEntry>;

export type EventType = keyof typeof EVENT_CATALOG;

export const EVENT_TYPES = Object.keys(EVENT_CATALOG) as [EventType, ...EventType[]];

export function isEventType(value: unknown): value is EventType {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(EVENT_CATALOG, value);
}

export function catalogEntry(eventType: EventType): EventCatalogEntry {
  return EVENT_CATALOG[eventType];
}

export const EVENT_FAMILIES: readonly EventFamily[] = [
  'repository',
  'build-status',
  'commit-comment',
  'pullrequest',
  'pullrequest-comment',
  'pullrequest-reviewer',
  'deployment',
];

export function eventTypesOfFamily(family: EventFamily): EventType[] {
  return EVENT_TYPES.filter((type) => EVENT_CATALOG[type].family === family);
}
