import { objectOrEmpty, stringOf } from './json';
import { scrubEmails } from './privacy';
import type { LogRecord } from './record';
import { hasPlaceholders, renderTemplate, type TemplatePlaceholder, type TemplateValues } from './template';

/** The values a subsystem template may use, read from the (enriched) record. */
export function templateValuesOf(record: LogRecord): TemplateValues {
  const repository = objectOrEmpty(record.bitbucket.repository);
  const project = objectOrEmpty(repository.project);
  const workspace = objectOrEmpty(repository.workspace);
  const fullName = stringOf(repository.full_name);
  return {
    'repository.slug': stringOf(repository.slug) ?? fullName?.split('/')[1],
    'repository.name': stringOf(repository.name),
    'repository.full_name': fullName,
    'project.key': stringOf(project.key),
    'project.name': stringOf(project.name),
    'workspace.slug': stringOf(workspace.slug) ?? fullName?.split('/')[0],
    'event.family': record.event.family,
    'event.area': record.event.area,
  };
}

/** The fallback when a template renders empty: the template's fixed text, or the product name. */
export function fallbackName(template: string): string {
  return (
    template
      .replace(/\{[^{}]*\}/g, '')
      .replace(/[-_.\s]+$/, '')
      .trim() || 'bitbucket'
  );
}

/**
 * The subsystem name for a record. Values are scrubbed before rendering, so the renderer's length
 * cut cannot leave half an address; the result is scrubbed again for addresses that a value and the
 * template's own text make together.
 */
export function subsystemNameOf(record: LogRecord, template: string): string {
  if (!hasPlaceholders(template)) return scrubEmails(template);
  const values: TemplateValues = {};
  for (const [name, value] of Object.entries(templateValuesOf(record)))
    if (value !== undefined) values[name as TemplatePlaceholder] = scrubEmails(value);
  return scrubEmails(renderTemplate(template, values, fallbackName(template)));
}
