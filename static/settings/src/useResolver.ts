import { useCallback, useEffect, useMemo, useState } from 'react';
import type { Envelope, ResolverKey, ResolverPayload, ResolverResults } from '../../../src/shared/contract';
import { call } from './api';

export type ResolverError = Extract<Envelope<unknown>, { ok: false }>['error'];

/** How a new result joins the one kept: by default it replaces it; a paged list appends instead. */
export type MergeResult<K extends ResolverKey> = (
  kept: ResolverResults[K] | null,
  received: ResolverResults[K],
  input: ResolverPayload<K>,
) => ResolverResults[K];

export interface ResolverCall<K extends ResolverKey> {
  /** The last result received, kept when a later call fails so the page keeps showing it. */
  data: ResolverResults[K] | null;
  /** Why the last call failed; cleared by the next call that succeeds. */
  error: ResolverError | null;
  /** True while any call is in flight. */
  loading: boolean;
  /** Calls now; resolves with the envelope too, for callers that react to this one call's outcome. */
  run: (input: ResolverPayload<K>) => Promise<Envelope<ResolverResults[K]>>;
}

export interface ResolverLoad<K extends ResolverKey> extends ResolverCall<K> {
  /** Calls again with the input the component loads with. */
  reload: () => Promise<Envelope<ResolverResults[K]>>;
}

export interface LoadOptions<K extends ResolverKey> {
  /** Loads again whenever this changes, so a parent can ask for fresh data without a handle on the child. */
  reloadToken?: number;
  /** Keep it stable (declared outside the component): a new function each render would reload each render. */
  merge?: MergeResult<K>;
}

const replace = <T>(_kept: T | null, received: T): T => received;

/** A resolver called on demand only (saving, retrying): `run` it from an event handler. */
export function useResolver<K extends ResolverKey>(key: K): ResolverCall<K>;
/** A resolver loaded when the component mounts, again when `input` or `reloadToken` changes, and on `reload()`. */
export function useResolver<K extends ResolverKey>(key: K, input: ResolverPayload<K>, options?: LoadOptions<K>): ResolverLoad<K>;
export function useResolver<K extends ResolverKey>(key: K, input?: ResolverPayload<K>, options: LoadOptions<K> = {}): ResolverLoad<K> {
  const { reloadToken = 0, merge = replace } = options;
  const [data, setData] = useState<ResolverResults[K] | null>(null);
  const [error, setError] = useState<ResolverError | null>(null);
  const [callsInFlight, setCallsInFlight] = useState(0);

  const run = useCallback(
    async (payload: ResolverPayload<K>) => {
      setCallsInFlight((count) => count + 1);
      const result = await call(key, payload);
      setCallsInFlight((count) => count - 1);
      if (result.ok) {
        setData((kept) => merge(kept, result.data, payload));
        setError(null);
      } else setError(result.error);
      return result;
    },
    [key, merge],
  );

  // Callers write the input inline, a new object each render: compared by value (it is JSON on
  // the wire anyway), so only a real change loads again.
  const inputJson = input === undefined ? undefined : JSON.stringify(input);
  const loadInput = useMemo(() => input, [inputJson]);

  useEffect(() => {
    if (loadInput !== undefined) void run(loadInput);
  }, [run, loadInput, reloadToken]);

  const reload = useCallback(async () => {
    if (loadInput === undefined) throw new Error(`${key} is called on demand: use run(input)`);
    return run(loadInput);
  }, [key, run, loadInput]);

  return { data, error, loading: callsInFlight > 0, run, reload };
}
