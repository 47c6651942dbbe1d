import { decodeEvent, type BitbucketEvent } from '../../src/core/events';
import { scopeDecision } from '../../src/core/forwarding';
import {
  DEFAULT_VERSION_TAGS,
  defaultStoredSettings,
  storedSettingsSchema,
  WHOLE_WORKSPACE,
  type RepositoryScope,
  type VersionTagSettings,
} from '../../src/core/settings';
import { validate } from '../../src/core/validation';
import { isTaggedDeployment, needsPipeline, testTagOf, versionTagOf } from '../../src/core/version-tag';
import { fixture } from '../support/fixtures';

const eventOf = (payload: unknown): BitbucketEvent => {
  const decoded = decodeEvent(payload);
  if (!decoded.ok) throw new Error('fixture must decode');
  return decoded.event;
};

const tags = (changes: Partial<VersionTagSettings> = {}): VersionTagSettings => ({ ...DEFAULT_VERSION_TAGS, enabled: true, ...changes });

/** The successful deployment fixture, moved to another environment type. */
const successfulTo = (type: string) => {
  const payload = fixture('completed.deployment.successful');
  (payload.environment as { type: string; name: string }).type = type;
  (payload.environment as { type: string; name: string }).name = type.toLowerCase();
  return eventOf(payload);
};

describe('which deployments become version tags', () => {
  it('tags a successful completion in a chosen environment type only', () => {
    expect(isTaggedDeployment(successfulTo('PRODUCTION'), tags())).toBe(true);
    expect(isTaggedDeployment(successfulTo('STAGING'), tags())).toBe(false);
    expect(isTaggedDeployment(successfulTo('STAGING'), tags({ environmentTypes: ['PRODUCTION', 'STAGING'] }))).toBe(true);
  });

  it('tags nothing while tags are off, nor a failed, pending or started deployment', () => {
    expect(isTaggedDeployment(successfulTo('PRODUCTION'), tags({ enabled: false }))).toBe(false);
    const failed = fixture('completed.deployment');
    expect(isTaggedDeployment(eventOf(failed), tags())).toBe(false);
    expect(isTaggedDeployment(eventOf(fixture('started.deployment')), tags({ environmentTypes: ['PRODUCTION', 'STAGING', 'TEST'] }))).toBe(
      false,
    );
    expect(isTaggedDeployment(eventOf(fixture('push.repository')), tags())).toBe(false);
  });
});

describe('the version tag body', () => {
  const event = successfulTo('PRODUCTION');

  it('renders the name from the repository, the environment and the pipeline, at the deployment time', () => {
    const body = versionTagOf(
      event as Parameters<typeof versionTagOf>[0],
      tags({ nameTemplate: '{repository.full_name} #{pipeline.build_number} {commit.short_hash} to {environment.name}' }),
      { repository: { uuid: '{x}', full_name: 'acme/payments-api' }, pipeline: { buildNumber: 42, commitHash: 'a'.repeat(40) } },
      0,
    );
    expect(body).toEqual({
      name: `acme/payments-api #42 ${'a'.repeat(12)} to production`,
      timestamp: Date.parse((fixture('completed.deployment.successful').deployment as { updatedTimestamp: string }).updatedTimestamp),
      application: ['bitbucket'],
      subsystem: ['bitbucket-cloud'],
    });
  });

  it('says "unknown" for what could not be looked up, and never sends an email address', () => {
    const body = versionTagOf(
      event as Parameters<typeof versionTagOf>[0],
      tags({ nameTemplate: '{commit.hash} {repository.name}', applicationName: 'ops@example.com' }),
      { repository: { uuid: '{x}', name: 'jane@example.com' } },
      0,
    );
    expect(body.name).toBe('unknown [email removed]');
    expect(JSON.stringify(body)).not.toMatch(/@example\.com/);
  });

  it('looks the pipeline up only when the name uses it', () => {
    expect(needsPipeline(tags({ nameTemplate: '{repository.slug}' }))).toBe(false);
    expect(needsPipeline(tags({ nameTemplate: '{repository.slug}@{commit.short_hash}' }))).toBe(true);
    expect(needsPipeline(tags({ nameTemplate: 'build { pipeline.build_number }' }))).toBe(true);
  });

  it('marks a test tag as a test', () => {
    expect(testTagOf(tags(), 5)).toMatchObject({ name: expect.stringContaining('test'), timestamp: 5 });
  });
});

describe('version tag settings', () => {
  const settingsWith = (versionTags: unknown, region = 'EU1') =>
    validate(storedSettingsSchema, { ...defaultStoredSettings(), region, versionTags });

  it('reads settings saved before tags existed as tags off', () => {
    const { versionTags: _tags, repositoryScope: _scope, ...older } = defaultStoredSettings();
    const parsed = validate(storedSettingsSchema, older);
    expect(parsed.ok && parsed.value.versionTags.enabled).toBe(false);
    expect(parsed.ok && parsed.value.repositoryScope).toEqual(WHOLE_WORKSPACE);
  });

  it.each([
    ['an unknown placeholder', { nameTemplate: '{branch}' }, 'Unknown placeholder'],
    ['no environment while on', { environmentTypes: [] }, 'at least one environment'],
    ['an unknown environment type', { environmentTypes: ['QA'] }, 'not one of'],
    ['an empty tag name', { nameTemplate: '  ' }, 'Tag name is required'],
  ])('refuses %s', (_name, change, message) => {
    const parsed = settingsWith({ ...tags(), ...change });
    expect(parsed.ok).toBe(false);
    expect(JSON.stringify(parsed)).toContain(message);
  });

  it('refuses tags in GOV1, which offers none, and takes logs there', () => {
    const parsed = settingsWith(tags(), 'GOV1');
    expect(parsed.ok).toBe(false);
    expect(JSON.stringify(parsed)).toContain('versionTags');
    expect(settingsWith(tags({ enabled: false }), 'GOV1').ok).toBe(true);
  });
});

describe('repository scope', () => {
  const repo = '{685d9cf5-8e84-47f4-bbbf-06fd1e527f47}';
  const otherRepo = '{00000000-8e84-47f4-bbbf-06fd1e527f47}';
  const project = '{9f5b1a36-5c1e-4f2a-9d4b-0b0c2e6f7a11}';
  const scope = (mode: RepositoryScope['mode'], repositories: string[], projects: string[] = []): RepositoryScope => ({
    mode,
    repositories: repositories.map((uuid) => ({ uuid, name: 'r' })),
    projects: projects.map((uuid) => ({ uuid, name: 'p' })),
  });

  it('forwards everything for the whole workspace', () => {
    expect(scopeDecision(WHOLE_WORKSPACE, repo, undefined)).toBe('in');
  });

  it('includes or excludes named repositories, whatever the braces and case', () => {
    expect(scopeDecision(scope('include', [repo]), repo.toUpperCase().replace(/[{}]/g, ''), undefined)).toBe('in');
    expect(scopeDecision(scope('include', [repo]), otherRepo, project)).toBe('out');
    expect(scopeDecision(scope('exclude', [repo]), repo, project)).toBe('out');
    expect(scopeDecision(scope('exclude', [repo]), otherRepo, project)).toBe('in');
  });

  it('decides by the project the event names, and asks for it when the event names none', () => {
    expect(scopeDecision(scope('include', [], [project]), otherRepo, project)).toBe('in');
    expect(scopeDecision(scope('exclude', [], [project]), otherRepo, project)).toBe('out');
    expect(scopeDecision(scope('include', [], [project]), otherRepo, undefined)).toBe('needs-project');
    // A named repository needs no lookup.
    expect(scopeDecision(scope('exclude', [repo], [project]), repo, undefined)).toBe('out');
  });

  it('forwards an event that names no repository', () => {
    expect(scopeDecision(scope('include', [repo]), undefined, undefined)).toBe('in');
  });

  it('refuses a partial scope that names nothing, and a repository named twice', () => {
    const withScope = (repositoryScope: unknown) => validate(storedSettingsSchema, { ...defaultStoredSettings(), repositoryScope });
    expect(withScope(scope('include', [])).ok).toBe(false);
    expect(withScope(scope('include', [repo, repo])).ok).toBe(false);
    expect(withScope({ ...scope('include', []), repositories: [{ uuid: 'not-a-uuid', name: 'r' }] }).ok).toBe(false);
    expect(withScope(scope('exclude', [repo], [project])).ok).toBe(true);
  });
});
