import { offersVersionTags, REGION_IDS } from './regions';
import { COVERAGE_SETTINGS, EVENT_TYPES, type AuditArea, type CoverageSetting } from './catalog';
import { TAG_NAME_PLACEHOLDERS, templateProblems } from './template';
import { oneOf, v } from './validation';

// Coralogix documents no length rule for application/subsystem names; 100 keeps them readable in
// the Coralogix filters and far below anything an ingestion path could refuse.
export const NAME_MAX_LENGTH = 100;

const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/;

const coralogixName = (what: string) =>
  v
    .string()
    .map((value) => value.trim())
    .assert((value) => value.length >= 1, `${what} is required`)
    .assert((value) => value.length <= NAME_MAX_LENGTH, `${what} must be at most ${NAME_MAX_LENGTH} characters`)
    .assert((value) => !CONTROL_CHARACTERS.test(value), `${what} must not contain control characters`);

const coverageSetting = oneOf(COVERAGE_SETTINGS, 'Coverage');

const distinct = <T>(items: readonly T[], keyOf: (item: T) => string) => new Set(items.map(keyOf)).size === items.length;
const bitbucketUuid = v.string().assert((uuid) => /^\{[0-9a-fA-F-]{36}\}$/.test(uuid), 'Not a Bitbucket UUID');
const label = v.string().assert((value) => value.length <= 255, 'The name is too long');

/** Bitbucket's deployment environment types, as Forge's deployment events spell them (environment.type). */
export const ENVIRONMENT_TYPES = ['PRODUCTION', 'STAGING', 'TEST'] as const;
export type EnvironmentType = (typeof ENVIRONMENT_TYPES)[number];

export const TAG_NAME_MAX_LENGTH = 100;

/**
 * Successful deployments as Coralogix version tags (Version Benchmarks). They go to the tags API
 * with a key of their own: a Send-Your-Data key cannot create tags (coralogix-facts.md).
 */
export const versionTagsSchema = v
  .object({
    enabled: v.boolean(),
    environmentTypes: v
      .array(oneOf(ENVIRONMENT_TYPES, 'Environment type'))
      .assert((types) => distinct(types, String), 'Each environment type may be listed once'),
    nameTemplate: v
      .string()
      .map((value) => value.trim())
      .assert((value) => value.length >= 1, 'Tag name is required')
      .assert((value) => value.length <= TAG_NAME_MAX_LENGTH, `Tag name must be at most ${TAG_NAME_MAX_LENGTH} characters`)
      .assert((value) => !CONTROL_CHARACTERS.test(value), 'Tag name must not contain control characters')
      .chain((value) => {
        const problems = templateProblems(value, TAG_NAME_PLACEHOLDERS);
        return problems.length === 0 ? v.ok(value) : v.err(problems.join(' '));
      }),
    applicationName: coralogixName('Tag application name'),
    subsystemName: coralogixName('Tag subsystem name'),
  })
  .assert((tags) => !tags.enabled || tags.environmentTypes.length > 0, {
    message: 'Choose at least one environment to tag',
    path: ['environmentTypes'],
  });
export type VersionTagSettings = v.Infer<typeof versionTagsSchema>;

export const DEFAULT_VERSION_TAGS: VersionTagSettings = {
  enabled: false,
  environmentTypes: ['PRODUCTION'],
  nameTemplate: '{repository.slug}@{commit.short_hash}',
  applicationName: 'bitbucket',
  subsystemName: 'bitbucket-cloud',
};

export const SCOPE_MODES = ['all', 'include', 'exclude'] as const;
export type ScopeMode = (typeof SCOPE_MODES)[number];

/** Enough for any workspace's chosen list to stay a small KVS value (well under Forge's 240 KB). */
export const MAX_SCOPE_ITEMS = 500;

const scopeProject = v.object({ uuid: bitbucketUuid, key: label.optional(), name: label });
const scopeRepository = v.object({ uuid: bitbucketUuid, fullName: label.optional(), name: label });
export type ScopeProject = v.Infer<typeof scopeProject>;
export type ScopeRepository = v.Infer<typeof scopeRepository>;

/** Which repositories' events are forwarded: all of the workspace, or only (or all but) chosen projects and repositories. */
export const repositoryScopeSchema = v
  .object({
    mode: oneOf(SCOPE_MODES, 'Scope'),
    projects: v
      .array(scopeProject)
      .assert((items) => items.length <= MAX_SCOPE_ITEMS, `At most ${MAX_SCOPE_ITEMS} projects`)
      .assert((items) => distinct(items, (item) => item.uuid), 'Each project may be chosen once'),
    repositories: v
      .array(scopeRepository)
      .assert((items) => items.length <= MAX_SCOPE_ITEMS, `At most ${MAX_SCOPE_ITEMS} repositories`)
      .assert((items) => distinct(items, (item) => item.uuid), 'Each repository may be chosen once'),
  })
  .assert((scope) => scope.mode === 'all' || scope.projects.length + scope.repositories.length > 0, {
    message: 'Choose at least one project or repository',
    path: ['repositories'],
  });
export type RepositoryScope = v.Infer<typeof repositoryScopeSchema>;

export const WHOLE_WORKSPACE: RepositoryScope = { mode: 'all', projects: [], repositories: [] };

export const FULL_COVERAGE: Record<AuditArea, CoverageSetting> = { REPOSITORY: 'FULL', PULL_REQUEST: 'FULL', PIPELINES: 'FULL' };

/**
 * What the app stores as ordinary KVS values. The API key lives apart, in secret storage. Fields
 * added after the first release have defaults, so settings saved by an older version still read.
 */
export const storedSettingsSchema = v
  .object({
    region: oneOf(REGION_IDS, 'Region'),
    applicationName: coralogixName('Application name'),
    /** May hold placeholders such as {repository.slug} (core/template.ts). */
    subsystemName: coralogixName('Subsystem name').chain((value) => {
      const problems = templateProblems(value);
      return problems.length === 0 ? v.ok(value) : v.err(problems.join(' '));
    }),
    forwardingEnabled: v.boolean(),
    forwardedEvents: v
      .array(oneOf(EVENT_TYPES, 'Event'))
      .assert((events) => new Set(events).size === events.length, 'Each event may be listed once'),
    /** Per audit area, OFF or the highest coverage level forwarded. */
    coverage: v
      .object({ REPOSITORY: coverageSetting, PULL_REQUEST: coverageSetting, PIPELINES: coverageSetting })
      .optional(() => ({ ...FULL_COVERAGE })),
    /** Drop commit messages, titles, descriptions and comment changes from what is forwarded. */
    omitFreeText: v.boolean().optional(() => false),
    repositoryScope: repositoryScopeSchema.optional(() => structuredClone(WHOLE_WORKSPACE)),
    versionTags: versionTagsSchema.optional(() => structuredClone(DEFAULT_VERSION_TAGS)),
  })
  .assert((settings) => !settings.versionTags.enabled || offersVersionTags(settings.region), {
    message: 'This region offers no version tags: the Coralogix FedRAMP environment takes logs, metrics and traces only',
    path: ['versionTags', 'enabled'],
  });

export type StoredSettings = v.Infer<typeof storedSettingsSchema>;

// Send-Your-Data keys are opaque; a bound on length and printable ASCII catches pasted garbage
// (whitespace, line breaks, a whole JSON snippet) before it reaches an Authorization header.
const PRINTABLE_WITHOUT_SPACES = /^[\x21-\x7e]+$/;
export const apiKeySchema = v
  .string()
  .map((value) => value.trim())
  .assert((value) => value.length >= 8, 'The API key looks too short')
  .assert((value) => value.length <= 512, 'The API key looks too long')
  .assert((value) => PRINTABLE_WITHOUT_SPACES.test(value), 'The API key may contain only printable characters without spaces');

/** Everything the delivery path needs, resolved from storage. */
export interface DeliverySettings extends StoredSettings {
  apiKey: string;
  /** The key for the tags API, when the admin gave one. */
  tagsApiKey?: string;
  revision: number;
}

export function defaultStoredSettings(): StoredSettings {
  return {
    region: 'EU1',
    applicationName: 'bitbucket',
    subsystemName: 'bitbucket-cloud',
    forwardingEnabled: true,
    forwardedEvents: [...EVENT_TYPES],
    coverage: { ...FULL_COVERAGE },
    omitFreeText: false,
    repositoryScope: structuredClone(WHOLE_WORKSPACE),
    versionTags: structuredClone(DEFAULT_VERSION_TAGS),
  };
}
