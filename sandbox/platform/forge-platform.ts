import path from 'node:path';
import { BitbucketEmulator, type BitbucketPrincipal } from './bitbucket-emulator';
import { createEgressFetch, readEgressPolicy, type EgressCounters, type EgressPolicy } from './egress';
import { KvsEmulator } from './kvs-emulator';
import { PUBLISH_PATH_PREFIX, QueueEmulator, type QueuedEvent } from './queue-emulator';

// The platform's side of the wire for the unmodified @forge/* SDKs: they reach storage, product APIs
// and the event queue through global.__forge_fetch__(descriptor, path, init), read their context from
// global.__forge_runtime__, and make external calls with the runtime's global fetch (which Forge
// guards with the manifest's egress allow-list).

export const DEFAULT_MANIFEST = path.resolve(__dirname, '../../manifest.yml');

export interface FetchDescriptor {
  type: string;
  provider?: string;
  remote?: string;
  accountId?: string;
  contextAri?: string;
}

export type StargateHandler = (path: string, init: RequestInit | undefined) => Promise<Response | undefined>;

export interface ForgePlatformOptions {
  manifestPath?: string;
  workspaceId?: string;
  /** Injectable clock, shared by KVS TTLs and the queue. */
  now?: () => number;
  /** Sandbox: keep KVS in this file so settings survive a restart. */
  kvsFile?: string;
  /** Milliseconds an invocation may run (Forge: 25 s for triggers and resolvers). */
  invocationTimeoutMs?: number;
}

interface RuntimeGlobals {
  __forge_fetch__?: (descriptor: FetchDescriptor, path: string, init?: RequestInit) => Promise<Response>;
  __forge_runtime__?: unknown;
}

interface EgressState {
  /** The runtime's fetch without Forge's guard: for measurements and tools, never for app code. */
  direct: typeof fetch;
  policy: EgressPolicy | undefined;
  routes: Map<string, string>;
  counters: EgressCounters;
}

const runtimeGlobals = globalThis as typeof globalThis & RuntimeGlobals & { __localForgeEgress__?: EgressState };

/**
 * @forge/api captures the global fetch when it loads, so the guarded fetch is put in place once, as
 * early as this module is imported, and reads the current policy and routes on every call.
 */
function egressState(): EgressState {
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

/** A resolver function as @forge/resolver's getDefinitions() builds it. */
export type ResolverFunction = (...args: never[]) => Promise<unknown>;

export interface InvocationResult<T> {
  readonly ok: boolean;
  readonly value?: T;
  readonly error?: unknown;
}

export class ForgePlatform {
  readonly kvs: KvsEmulator;
  readonly bitbucket = new BitbucketEmulator();
  readonly queue: QueueEmulator;
  readonly workspaceId: string;
  readonly now: () => number;
  readonly appId = '00000000-0000-4000-8000-000000000000';
  readonly environmentId = '11111111-1111-4111-8111-111111111111';
  readonly installationId = '22222222-2222-4222-8222-222222222222';
  private readonly stargateHandlers: StargateHandler[] = [];
  private readonly egress = egressState();
  private readonly invocationTimeoutMs: number;
  private invocationDeadline = Number.POSITIVE_INFINITY;
  /** Whose request an invocation serves: Forge's proxy answers asUser() calls as this account. */
  private principal: string | undefined;

  constructor(options: ForgePlatformOptions = {}) {
    this.now = options.now ?? Date.now;
    this.workspaceId = options.workspaceId ?? '{5d6e4b2c-1f0a-4c3b-9e8d-7a6b5c4d3e2f}';
    this.kvs = new KvsEmulator(this.now, options.kvsFile);
    this.queue = new QueueEmulator(this.now);
    this.invocationTimeoutMs = options.invocationTimeoutMs ?? 25_000;
    this.egress.policy = readEgressPolicy(options.manifestPath ?? DEFAULT_MANIFEST);
    this.egress.routes.clear();
    this.egress.counters.requests = 0;
    this.egress.counters.refused = 0;
    this.egress.counters.hosts.length = 0;
    runtimeGlobals.__forge_fetch__ = (descriptor, requestPath, init) => this.forgeFetch(descriptor, requestPath, init);
    runtimeGlobals.__forge_runtime__ = this.runtime();
  }

  get installContext(): string {
    return `ari:cloud:bitbucket::workspace/${this.workspaceId.replace(/[{}]/g, '')}`;
  }

  get egressCounters(): Readonly<EgressCounters> {
    return this.egress.counters;
  }

  /** Sends what the app addresses to `host` to `baseUrl` instead (an allowed host stays required). */
  routeEgress(host: string, baseUrl: string): void {
    this.egress.routes.set(host, baseUrl);
  }

  /** Wires a queue to its consumer function, as `modules.consumer` does in the manifest. */
  registerConsumer(queueName: string, handler: (event: unknown, context: unknown) => Promise<unknown>): void {
    this.queue.registerConsumer(queueName, (event: QueuedEvent) =>
      this.invoke(() =>
        handler(
          {
            body: event.body,
            queueName: event.queueName,
            jobId: event.jobId,
            eventId: event.eventId,
            ...(event.retryCount > 0 ? { retryContext: { retryCount: event.retryCount, retryReason: event.retryReason ?? 'FUNCTION_RETRY_REQUEST', retryData: undefined } } : {}),
          },
          { installContext: this.installContext },
        ),
      ),
    );
  }

  onStargate(handler: StargateHandler): void {
    this.stargateHandlers.push(handler);
  }

  /** Runs one function invocation the way Forge does: fresh invocation context, errors caught and reported. */
  async invoke<T>(handler: () => Promise<T>, options: { accountId?: string } = {}): Promise<InvocationResult<T>> {
    this.invocationDeadline = this.now() + this.invocationTimeoutMs;
    this.principal = options.accountId;
    runtimeGlobals.__forge_runtime__ = this.runtime();
    try {
      return { ok: true, value: await handler() };
    } catch (error) {
      return { ok: false, error };
    } finally {
      this.invocationDeadline = Number.POSITIVE_INFINITY;
      this.principal = undefined;
    }
  }

  /**
   * What happens when a Custom UI page calls invoke(functionKey, payload): the platform calls the
   * module's resolver function with the call and a context it builds itself (the page cannot forge
   * the account or workspace), plus the principal and install context.
   */
  async callResolver(
    definitions: ResolverFunction,
    functionKey: string,
    payload: unknown,
    caller: { accountId: string | undefined; moduleKey?: string },
  ): Promise<InvocationResult<unknown>> {
    const context = {
      workspaceId: this.workspaceId,
      moduleKey: caller.moduleKey ?? 'coralogix-settings',
      localId: 'local',
      extension: { type: 'bitbucket:workspaceSettingsMenuPage', workspace: { uuid: this.workspaceId } },
    };
    return this.invoke(
      () => (definitions as (request: unknown, backendRuntimePayload: unknown) => Promise<unknown>)({ call: { functionKey, payload }, context }, { principal: caller.accountId ? { accountId: caller.accountId } : undefined, installContext: this.installContext }),
      caller.accountId ? { accountId: caller.accountId } : {},
    );
  }

  uninstall(): void {
    delete runtimeGlobals.__forge_fetch__;
    delete runtimeGlobals.__forge_runtime__;
    this.egress.policy = undefined;
    this.egress.routes.clear();
  }

  private invocations = 0;

  private runtime(): unknown {
    this.invocations += 1;
    // Sequential ids rather than random UUIDs: the emulation's own cost should not count against the app.
    const invocation = this.invocations.toString(16).padStart(12, '0');
    const noop = { incr: () => undefined, decr: () => undefined };
    return {
      proxy: { token: 'local-proxy-token', url: 'http://forge-proxy.local' },
      tracing: { traceId: `${this.appId.replace(/-/g, '').slice(0, 20)}${invocation}`, spanId: invocation.padStart(16, '0') },
      metrics: {
        counter: () => noop,
        gauge: () => ({ set: () => undefined }),
        timing: () => ({ measure: () => ({ stop: () => undefined }) }),
      },
      appContext: {
        appId: this.appId,
        appVersion: '1.0.0',
        environmentId: this.environmentId,
        environmentType: 'DEVELOPMENT',
        invocationId: `00000000-0000-4000-8000-${invocation}`,
        installationId: this.installationId,
        moduleKey: 'local',
      },
      contextAri: this.installContext,
      lambdaContext: {
        getRemainingTimeInMillis: () => Math.max(0, this.invocationDeadline - this.now()),
      },
      externalAuth: [],
    };
  }

  private async forgeFetch(descriptor: FetchDescriptor, requestPath: string, init: RequestInit | undefined): Promise<Response> {
    if (descriptor.type === 'kvs') return this.kvs.handle(requestPath, init);
    if (descriptor.type === 'fpp' && descriptor.remote === 'bitbucket') {
      const principal: BitbucketPrincipal =
        descriptor.provider === 'user' ? { kind: 'user', accountId: descriptor.accountId ?? this.principal } : { kind: 'app' };
      return this.bitbucket.handle(principal, requestPath, init);
    }
    if (descriptor.type === 'fpp' && descriptor.remote === 'stargate') {
      if (requestPath.startsWith(PUBLISH_PATH_PREFIX)) return this.queue.handlePublish(init);
      for (const handler of this.stargateHandlers) {
        const response = await handler(requestPath, init);
        if (response) return response;
      }
    }
    return new Response(JSON.stringify({ message: `The local Forge platform does not serve ${descriptor.type}/${descriptor.remote ?? ''} ${requestPath}` }), {
      status: 404,
      headers: { 'forge-proxy-error': 'PROXY_ERR' },
    });
  }
}
