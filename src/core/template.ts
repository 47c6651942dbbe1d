// The subsystem name may route events per repository or project: "bitbucket-{repository.slug}".
// Placeholders are a closed set, checked on save, so a typo is refused rather than sent as text.

export const TEMPLATE_PLACEHOLDERS = [
  'repository.slug',
  'repository.name',
  'repository.full_name',
  'project.key',
  'project.name',
  'workspace.slug',
  'event.family',
  'event.area',
] as const;

export type TemplatePlaceholder = (typeof TEMPLATE_PLACEHOLDERS)[number];
export type TemplateValues = Partial<Record<TemplatePlaceholder, string>>;

// A version tag's name (core/version-tag.ts) reads like a release: which repository, which commit,
// which environment, which pipeline run. Only what a Forge deployment event and its pipeline carry.
export const TAG_NAME_PLACEHOLDERS = [
  'repository.slug',
  'repository.name',
  'repository.full_name',
  'project.key',
  'workspace.slug',
  'environment.name',
  'environment.type',
  'deployment.uuid',
  'pipeline.build_number',
  'commit.hash',
  'commit.short_hash',
] as const;

export type TagNamePlaceholder = (typeof TAG_NAME_PLACEHOLDERS)[number];

const PLACEHOLDER = /\{([^{}]*)\}/g;
const MAX_RENDERED_LENGTH = 100;
/** Used where a value is not known for an event (e.g. deployment without a resolved project). */
export const UNKNOWN_VALUE = 'unknown';

export function templateProblems(template: string, placeholders: readonly string[] = TEMPLATE_PLACEHOLDERS): string[] {
  const problems: string[] = [];
  const stripped = template.replace(PLACEHOLDER, (_match, name: string) => {
    if (!placeholders.includes(name.trim())) {
      problems.push(`Unknown placeholder {${name}}: use one of ${placeholders.map((p) => `{${p}}`).join(', ')}`);
    }
    return '';
  });
  if (/[{}]/.test(stripped)) problems.push('Unbalanced { or } in the name');
  return problems;
}

export function hasPlaceholders(template: string): boolean {
  return /\{[^{}]*\}/.test(template);
}

/** Renders a template that passed templateProblems; the result is always a usable Coralogix name. */
export function renderTemplate<P extends string = TemplatePlaceholder>(
  template: string,
  values: Partial<Record<P, string>>,
  fallback: string,
): string {
  const rendered = template
    .replace(PLACEHOLDER, (_match, name: string) => values[name.trim() as P] ?? UNKNOWN_VALUE)
    .replace(/[\u0000-\u001f\u007f]/g, '')
    .trim()
    .slice(0, MAX_RENDERED_LENGTH)
    .trim();
  return rendered === '' ? fallback : rendered;
}
