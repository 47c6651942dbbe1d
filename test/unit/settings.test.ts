import { apiKeySchema, defaultStoredSettings, NAME_MAX_LENGTH, storedSettingsSchema } from '../../src/core/settings';

describe('settings schema', () => {
  it('accepts the defaults', () => {
    expect(storedSettingsSchema.safeParse(defaultStoredSettings()).success).toBe(true);
  });

  it('reads settings saved before coverage and privacy existed, with their defaults', () => {
    const { coverage: _coverage, omitFreeText: _omit, ...older } = defaultStoredSettings();
    expect(storedSettingsSchema.parse(older)).toMatchObject({ coverage: { REPOSITORY: 'FULL', PULL_REQUEST: 'FULL', PIPELINES: 'FULL' }, omitFreeText: false });
  });

  it('accepts a subsystem template and refuses an unknown placeholder', () => {
    expect(storedSettingsSchema.safeParse({ ...defaultStoredSettings(), subsystemName: 'bb-{repository.slug}' }).success).toBe(true);
    expect(storedSettingsSchema.safeParse({ ...defaultStoredSettings(), subsystemName: 'bb-{slug}' }).success).toBe(false);
  });

  it('trims names', () => {
    const parsed = storedSettingsSchema.parse({ ...defaultStoredSettings(), applicationName: '  prod  ' });
    expect(parsed.applicationName).toBe('prod');
  });

  it.each([
    ['an empty application name', { applicationName: '   ' }, 'Application name is required'],
    ['an overlong subsystem name', { subsystemName: 'x'.repeat(NAME_MAX_LENGTH + 1) }, 'at most'],
    ['a control character', { subsystemName: 'a\nb' }, 'control characters'],
    ['an unknown region', { region: 'EU9' }, 'region'],
    ['an unknown event', { forwardedEvents: ['avi:bitbucket:forked:repository'] }, 'forwardedEvents'],
    ['a duplicated event', { forwardedEvents: ['avi:bitbucket:push:repository', 'avi:bitbucket:push:repository'] }, 'once'],
  ])('refuses %s', (_what, change, message) => {
    const parsed = storedSettingsSchema.safeParse({ ...defaultStoredSettings(), ...change });
    expect(parsed.success).toBe(false);
    if (parsed.success) return;
    const text = parsed.error.issues.map((issue) => `${issue.path.join('.')} ${issue.message}`).join(' ');
    expect(text).toContain(message);
  });

  it.each(['short', 'has space inside', 'line\nbreak', 'x'.repeat(513)])('refuses the API key %p', (key) => {
    expect(apiKeySchema.safeParse(key).success).toBe(false);
  });

  it('accepts a Send-Your-Data key shape and trims it', () => {
    expect(apiKeySchema.parse(' cxtp_AbCdEf0123456789 ')).toBe('cxtp_AbCdEf0123456789');
  });
});
