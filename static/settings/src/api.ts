import { invoke } from '@forge/bridge';
import type { Envelope, ResolverKey, ResolverPayload, ResolverResults } from '../../../src/shared/contract';

/** Typed invoke: the resolver contract is the same file the backend implements. */
export async function call<K extends ResolverKey>(key: K, payload: ResolverPayload<K>): Promise<Envelope<ResolverResults[K]>> {
  try {
    return (await invoke(key, payload as Record<string, unknown>)) as Envelope<ResolverResults[K]>;
  } catch {
    return { ok: false, error: { code: 'internal', message: 'The settings page could not reach the app. Reload the page and try again.' } };
  }
}
