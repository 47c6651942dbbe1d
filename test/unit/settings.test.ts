import { apiKeySchema, defaultStoredSettings, NAME_MAX_LENGTH, storedSettingsSchema } from '../../src/core/settings';
import { validate } from '../../src/core/validation';

const settingsOf = (input: unknown) => validate(storedSettingsSchema, input);
const parsedSettings = (input: unknown) => {
  const parsed = settingsOf(input);
  if (!parsed.ok) throw new Error(`refused: ${JSON.stringify(parsed.issues)}`);
  return parsed.value;
};

describe('settings schema', () => {
  it('accepts the defaults', () => {
    expect(settingsOf(defaultStoredSettings()).ok).toBe(true);
  });

  it('reads settings saved before coverage and privacy existed, with their defaults', () => {
    const { coverage: _coverage, omitFreeText: _omit, ...older } = defaultStoredSettings();
    expect(parsedSettings(older)).toMatchObject({
      coverage: { REPOSITORY: 'FULL', PULL_REQUEST: 'FULL', PIPELINES: 'FULL' },
      omitFreeText: false,
    });
  });

  it('accepts a subsystem template and refuses an unknown placeholder', () => {
    expect(settingsOf({ ...defaultStoredSettings(), subsystemName: 'bb-{repository.slug}' }).ok).toBe(true);
    expect(settingsOf({ ...defaultStoredSettings(), subsystemName: 'bb-{slug}' }).ok).toBe(false);
  });

  it('trims names', () => {
    const parsed = parsedSettings({ ...defaultStoredSettings(), applicationName: '  prod  ' });
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
    const parsed = settingsOf({ ...defaultStoredSettings(), ...change });
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    const text = parsed.issues.map((issue) => `${issue.path.join('.')} ${issue.message}`).join(' ');
    expect(text).toContain(message);
  });

  it.each(['short', 'has space inside', 'line\nbreak', 'x'.repeat(513)])('refuses the API key %p', (key) => {
    expect(validate(apiKeySchema, key).ok).toBe(false);
  });

  it('accepts a Send-Your-Data key shape and trims it', () => {
    expect(validate(apiKeySchema, ' cxtp_AbCdEf0123456789 ')).toEqual({ ok: true, value: 'cxtp_AbCdEf0123456789' });
  });
});
