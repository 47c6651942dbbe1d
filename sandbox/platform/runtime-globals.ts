import { createEgressFetch, type EgressCounters, type EgressPolicy } from './egress';

// What the @forge/* SDKs read from the process: global.__forge_fetch__ (storage, product APIs, the
// queue), global.__forge_runtime__ (the invocation's context) and the runtime's global fetch, which
// Forge guards with the manifest's egress allow-list.

export interface FetchDescriptor {
  type: string;
  provider?: string;
  remote?: string;
  accountId?: string;
  contextAri?: string;
}

export interface RuntimeGlobals {
  __forge_fetch__?: (descriptor: FetchDescriptor, path: string, init?: RequestInit) => Promise<Response>;
  __forge_runtime__?: unknown;
}

export interface EgressState {
  /** The runtime's fetch without Forge's guard: for measurements and tools, never for app code. */
  direct: typeof fetch;
  policy: EgressPolicy | undefined;
  routes: Map<string, string>;
  counters: EgressCounters;
}

export const runtimeGlobals = globalThis as typeof globalThis & RuntimeGlobals & { __localForgeEgress__?: EgressState };

/**
 * @forge/api captures the global fetch when it loads, so the guarded fetch is put in place once, as
 * early as this module is imported, and reads the current policy and routes on every call.
 */
export function egressState(): EgressState {
  if (!runtimeGlobals.__localForgeEgress__) {
    const direct = globalThis.fetch.bind(globalThis);
    const state: EgressState = { direct, policy: undefined, routes: new Map(), counters: { requests: 0, refused: 0, hosts: [] } };
    runtimeGlobals.fetch = createEgressFetch(() => state.policy, state.routes, state.counters, direct);
    runtimeGlobals.__localForgeEgress__ = state;
  }
  return runtimeGlobals.__localForgeEgress__;
}
egressState();

/** The fetch the guard wraps (the same HTTP client), for a baseline that Forge's rules do not apply to. */
export function unguardedFetch(): typeof fetch {
  return egressState().direct;
}
