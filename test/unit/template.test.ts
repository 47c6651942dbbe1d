import { renderTemplate, templateProblems } from '../../src/core/template';

describe('subsystem name templates', () => {
  it.each(['bitbucket', 'bitbucket-{repository.slug}', '{project.key}/{repository.name}', '{ workspace.slug }'])(
    'accepts %p',
    (template) => {
      expect(templateProblems(template)).toEqual([]);
    },
  );

  it.each([
    ['{repo.slug}', 'Unknown placeholder {repo.slug}'],
    ['bitbucket-{repository.slug', 'Unbalanced'],
    ['bitbucket}', 'Unbalanced'],
    ['{}', 'Unknown placeholder {}'],
  ])('refuses %p', (template, message) => {
    expect(templateProblems(template).join(' ')).toContain(message);
  });

  it('renders placeholders from the event', () => {
    expect(renderTemplate('bb-{project.key}-{repository.slug}', { 'project.key': 'PAY', 'repository.slug': 'payments-api' }, 'bb')).toBe(
      'bb-PAY-payments-api',
    );
  });

  it('says unknown for a value the event does not have', () => {
    expect(renderTemplate('bb-{project.key}', {}, 'bb')).toBe('bb-unknown');
  });

  it('never renders an unusable name', () => {
    expect(renderTemplate('{repository.name}', { 'repository.name': '  \u0007 ' }, 'bitbucket')).toBe('bitbucket');
    expect(renderTemplate('{repository.name}', { 'repository.name': 'x'.repeat(300) }, 'bitbucket')).toHaveLength(100);
  });
});
