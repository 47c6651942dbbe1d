import * as v from '@badrap/valita';

// valita rather than zod: the backend is cold-started per event and Forge bundles it with
// `minimize: false`, so every line of a validation library is loaded each time. zod/mini came to
// 262 KB of the deployed bundle; valita is about 44 KB, validates without copying what it accepts,
// and picks a union's branch by its literal keys (our events' `eventType`) in one lookup.

export { v };

/** Where a value went wrong, and in words an admin or a log reader understands. */
export interface ValidationIssue {
  readonly path: ReadonlyArray<string | number>;
  readonly message: string;
}

export type Validated<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly issues: readonly ValidationIssue[] };

/**
 * `strict` refuses keys a schema does not name (input from the page: a typo fails loudly); `strip`
 * drops them (what this app stored or queued: a later version may have added a field).
 */
export type UnknownKeys = 'strict' | 'strip';

type Issue = v.Err['issues'][number];

const LISTED_LITERALS = 5;

function describe(literal: unknown): string {
  return typeof literal === 'string' ? `"${literal}"` : String(literal);
}

function messageOf(issue: Issue): string {
  switch (issue.code) {
    case 'custom_error':
      return issue.message ?? 'Is not valid';
    case 'invalid_type':
      return `Expected ${issue.expected.join(' or ')}`;
    case 'missing_value':
      return 'Is required';
    case 'invalid_literal': {
      const listed = issue.expected.slice(0, LISTED_LITERALS).map(describe).join(', ');
      return `Expected ${issue.expected.length > LISTED_LITERALS ? `one of ${listed}, …` : listed}`;
    }
    case 'unrecognized_keys':
      return `Unexpected field${issue.keys.length === 1 ? '' : 's'} ${issue.keys.map(String).join(', ')}`;
    case 'invalid_union':
      return 'Matches none of the expected shapes';
    case 'invalid_length':
      return `Expected ${issue.minLength}${issue.maxLength === undefined ? ' or more' : `–${issue.maxLength}`} items`;
  }
}

export function validate<S extends v.Type<unknown>>(schema: S, input: unknown, unknownKeys: UnknownKeys = 'strict'): Validated<v.Infer<S>> {
  const result = schema.try(input, { mode: unknownKeys });
  if (result.ok) return { ok: true, value: result.value as v.Infer<S> };
  return { ok: false, issues: result.issues.map((issue) => ({ path: issue.path, message: messageOf(issue) })) };
}

/** One of a fixed list of strings (a select's options), with the field's name in the message. */
export function oneOf<const T extends readonly string[]>(values: T, what: string): v.Type<T[number]> {
  const allowed = new Set<string>(values);
  return v.string().assert((value): value is T[number] => allowed.has(value), `${what} is not one of the offered choices`);
}
