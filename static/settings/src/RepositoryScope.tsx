import { useCallback, useEffect, useRef, useState } from 'react';
import Button from '@atlaskit/button/new';
import { ErrorMessage, HelperMessage, Label } from '@atlaskit/form';
import { RadioGroup } from '@atlaskit/radio';
import Select from '@atlaskit/select';
import {
  SCOPE_MODES,
  type RepositoryScope as Scope,
  type ScopeMode,
  type ScopeProject,
  type ScopeRepository,
} from '../../../src/core/settings';
import { ResolverKeys, type Envelope, type ScopePage } from '../../../src/shared/contract';
import { call } from './api';
import { FieldGroup } from './FieldGroup';
import type { FieldErrors } from './settingsDraft';

const MODE_LABELS: Record<ScopeMode, string> = {
  all: 'Whole workspace',
  include: 'Only these projects and repositories',
  exclude: 'All except these projects and repositories',
};

type LoadPage<T> = (query: string, page: number) => Promise<Envelope<ScopePage<T>>>;

// Module-level, so the pickers' loaders keep one identity across renders.
const loadProjects: LoadPage<ScopeProject> = (query, page) => call(ResolverKeys.listProjects, query === '' ? { page } : { query, page });
const loadRepositories: LoadPage<ScopeRepository> = (query, page) =>
  call(ResolverKeys.listRepositories, query === '' ? { page } : { query, page });

// Strict validation on save refuses unknown fields, so only the stored shape is kept of a listed item.
const projectOf = ({ uuid, key, name }: ScopeProject): ScopeProject => ({ uuid, name, ...(key === undefined ? {} : { key }) });
const repositoryOf = ({ uuid, fullName, name }: ScopeRepository): ScopeRepository => ({
  uuid,
  name,
  ...(fullName === undefined ? {} : { fullName }),
});

interface RepositoryScopeProps {
  scope: Scope;
  errors: FieldErrors;
  onChange: (scope: Scope) => void;
}

/** Which repositories' events the app forwards; the choice is made before any lookup, so excluded events cost nothing. */
export function RepositoryScope({ scope, errors, onChange }: RepositoryScopeProps) {
  const modeError = errors['settings.repositoryScope.mode'] ?? errors['settings.repositoryScope'];
  return (
    <FieldGroup title="Repository scope">
      <p className="lede">
        Events of repositories outside the scope are not forwarded at all: Coralogix receives nothing about them. A chosen project covers
        all its repositories, including ones created later.
      </p>
      <div className="field">
        <span className="group-label" id="scope-mode-label">
          Forward events from
        </span>
        <RadioGroup
          labelId="scope-mode-label"
          name="scope-mode"
          value={scope.mode}
          options={SCOPE_MODES.map((mode) => ({ value: mode, label: MODE_LABELS[mode], testId: `scope-mode-${mode}` }))}
          onChange={(event) => {
            const mode = SCOPE_MODES.find((candidate) => candidate === event.currentTarget.value);
            if (mode) onChange({ ...scope, mode });
          }}
        />
        {modeError && <ErrorMessage>{modeError}</ErrorMessage>}
      </div>
      {scope.mode !== 'all' && (
        <div className="row">
          <ScopePicker
            id="scope-projects"
            label={scope.mode === 'include' ? 'Projects to forward' : 'Projects to leave out'}
            noun="projects"
            help={
              scope.mode === 'include'
                ? 'Every repository of these projects, now and later.'
                : 'No repository of these projects, now or later.'
            }
            chosen={scope.projects}
            error={errors['settings.repositoryScope.projects']}
            load={loadProjects}
            detailOf={(project) => project.key}
            chipShowsDetail
            toStored={projectOf}
            onChange={(projects) => onChange({ ...scope, projects })}
          />
          <ScopePicker
            id="scope-repositories"
            label={scope.mode === 'include' ? 'Repositories to forward' : 'Repositories to leave out'}
            noun="repositories"
            help={
              scope.mode === 'include'
                ? 'Also forwarded, whichever project they are in. Everything else is not forwarded.'
                : 'Not forwarded either. Everything else, new repositories included, is forwarded.'
            }
            chosen={scope.repositories}
            error={errors['settings.repositoryScope.repositories']}
            load={loadRepositories}
            detailOf={(repository) => repository.fullName}
            toStored={repositoryOf}
            onChange={(repositories) => onChange({ ...scope, repositories })}
          />
        </div>
      )}
    </FieldGroup>
  );
}

/** Picking "Show more" loads the next page instead of choosing anything, so paging works from the keyboard too. */
const MORE = 'show-more';

interface PickerOption<T> {
  value: string;
  label: string;
  item?: T;
}

interface ScopePickerProps<T extends { uuid: string; name: string }> {
  id: string;
  label: string;
  noun: string;
  help: string;
  chosen: T[];
  error: string | undefined;
  load: LoadPage<T>;
  detailOf: (item: T) => string | undefined;
  /** Chosen items show their detail too when it is short (a project key); a chip is too narrow for a repository's full name. */
  chipShowsDetail?: boolean;
  toStored: (item: T) => T;
  onChange: (chosen: T[]) => void;
}

/** A multi-picker over one of the workspace's listings: searched on the server by name, a page at a time, loaded when first opened. */
function ScopePicker<T extends { uuid: string; name: string }>(props: ScopePickerProps<T>) {
  const { id, label, noun, help, chosen, error, load, detailOf, chipShowsDetail = false, toStored, onChange } = props;
  const [menuOpen, setMenuOpen] = useState(false);
  const [query, setQuery] = useState('');
  const [items, setItems] = useState<T[]>([]);
  const [nextPage, setNextPage] = useState<number | undefined>(undefined);
  const [loading, setLoading] = useState(false);
  const [failure, setFailure] = useState<{ message: string; page: number } | null>(null);
  // Answers can arrive out of order while the admin types: only the latest request's answer counts.
  const latestRequest = useRef(0);
  const loadedQuery = useRef<string | null>(null);

  const fetchPage = useCallback(
    async (search: string, page: number) => {
      const request = ++latestRequest.current;
      loadedQuery.current = search;
      setLoading(true);
      const result = await load(search, page);
      if (request !== latestRequest.current) return;
      setLoading(false);
      if (!result.ok) {
        // Opening the menu again tries again, as does the Retry button.
        loadedQuery.current = null;
        setFailure({ message: result.error.message, page });
        return;
      }
      setFailure(null);
      setItems((shown) => (page === 1 ? result.data.items : [...shown, ...result.data.items]));
      setNextPage(result.data.nextPage);
    },
    [load],
  );

  useEffect(() => {
    if (!menuOpen || query === loadedQuery.current) return;
    // A pause in typing, not each keystroke, asks Bitbucket.
    const timer = setTimeout(() => void fetchPage(query, 1), query === '' ? 0 : 300);
    return () => clearTimeout(timer);
  }, [menuOpen, query, fetchPage]);

  const optionOf = (item: T): PickerOption<T> => {
    const detail = detailOf(item);
    return { value: item.uuid, label: detail ? `${item.name} (${detail})` : item.name, item };
  };
  const showMore = () => {
    if (nextPage !== undefined && !loading) void fetchPage(query, nextPage);
  };
  const options = [...items.map(optionOf), ...(nextPage === undefined ? [] : [{ value: MORE, label: `Show more ${noun}…` }])];

  return (
    <div className="field">
      <Label htmlFor={id}>{label}</Label>
      <Select<PickerOption<T>, true>
        inputId={id}
        testId={id}
        isMulti
        closeMenuOnSelect={false}
        options={options}
        value={chosen.map(optionOf)}
        filterOption={null}
        formatOptionLabel={(option, { context }) =>
          context === 'value' && !chipShowsDetail && option.item ? option.item.name : option.label
        }
        isLoading={loading}
        isInvalid={error !== undefined}
        placeholder={`Search ${noun} by name`}
        inputValue={query}
        onInputChange={(value, meta) => {
          // Kept after a choice, so several matches of one search can be picked in a row.
          if (meta.action === 'input-change') setQuery(value);
          else if (meta.action === 'input-blur' || meta.action === 'menu-close') setQuery('');
        }}
        onMenuOpen={() => setMenuOpen(true)}
        onMenuClose={() => setMenuOpen(false)}
        onMenuScrollToBottom={showMore}
        onChange={(selected, meta) => {
          if (meta.action === 'select-option' && meta.option?.value === MORE) {
            showMore();
            return;
          }
          onChange(selected.flatMap((option) => (option.item === undefined ? [] : [toStored(option.item)])));
        }}
        loadingMessage={() => `Loading ${noun}…`}
        noOptionsMessage={() =>
          failure ? `The ${noun} could not be listed` : query === '' ? `No ${noun} to choose from` : `No ${noun} match “${query}”`
        }
      />
      {failure && (
        <div className="actions" role="alert" data-testid={`${id}-load-error`}>
          <ErrorMessage>
            The {noun} could not be listed: {failure.message}
          </ErrorMessage>
          <Button appearance="subtle" onClick={() => void fetchPage(query, failure.page)} isDisabled={loading} testId={`${id}-retry`}>
            Retry
          </Button>
        </div>
      )}
      {error ? <ErrorMessage testId={`${id}-error`}>{error}</ErrorMessage> : failure === null && <HelperMessage>{help}</HelperMessage>}
    </div>
  );
}
