import { AsyncLocalStorage } from 'node:async_hooks';
import path from 'node:path';
import type { BitbucketEmulator, BitbucketPrincipal } from './bitbucket-emulator';
import { readEgressPolicy, type EgressCounters } from './egress';
import { Installation } from './installation';
import type { KvsEmulator } from './kvs-emulator';
import { PUBLISH_PATH_PREFIX, type QueueEmulator, type QueuedEvent } from './queue-emulator';
import { egressState, runtimeGlobals, type FetchDescriptor } from './runtime-globals';

export { Installation } from './installation';
export { unguardedFetch, type FetchDescriptor } from './runtime-globals';

// The platform's side of the wire for the unmodified @forge/* SDKs: they reach storage, product APIs
// and the event queue through global.__forge_fetch__(descriptor, path, init), read their context from
// global.__forge_runtime__, and make external calls with the runtime's global fetch (which Forge
// guards with the manifest's egress allow-list).
//
// One ForgePlatform is one deployed app: one loaded copy of the app's code (a warm instance) serves
// every installation. The Node runtime isolates at the VM level, not per invocation or installation
// (Forge docs, "Upgrading from the legacy runtime"), so module state the app keeps is seen by the
// next invocation, whichever workspace it serves. Each installation has its own storage, queue,
// Bitbucket data and installation context; which one an SDK call reaches is decided by the
// invocation it runs in (AsyncLocalStorage), so interleaved invocations of different workspaces
// each reach their own.

export const DEFAULT_MANIFEST = path.resolve(__dirname, '../../manifest.yml');

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

/** A resolver function as @forge/resolver's getDefinitions() builds it. */
export type ResolverFunction = (...args: never[]) => Promise<unknown>;

export interface InvocationResult<T> {
  readonly ok: boolean;
  readonly value?: T;
  readonly error?: unknown;
}

interface Invocation {
  readonly installation: Installation;
  readonly runtime: unknown;
  readonly deadline: number;
  /** Whose request an invocation serves: Forge's proxy answers asUser() calls as this account. */
  readonly principal: string | undefined;
  /** Set when the handler has returned: a call it left running must not reach anyone's storage. */
  ended: boolean;
}

class InvocationEndedError extends Error {
  constructor(what: string) {
    super(`${what} was called after its invocation had returned: the platform no longer serves it`);
    this.name = 'INVOCATION_ENDED';
  }
}

let nextInstallationNumber = 0;

function syntheticUuid(seed: number, group: string): string {
  return `${group}${String(seed).padStart(4, '0')}-0000-4000-8000-${String(seed).padStart(12, '0')}`;
}

export class ForgePlatform {
  readonly now: () => number;
  readonly appId = '00000000-0000-4000-8000-000000000000';
  readonly environmentId = '11111111-1111-4111-8111-111111111111';
  /** The installation the tests' and sandbox's direct calls (outside any invocation) reach. */
  readonly defaultInstallation: Installation;
  readonly installations: Installation[] = [];
  private readonly stargateHandlers: StargateHandler[] = [];
  private readonly egress = egressState();
  private readonly invocationTimeoutMs: number;
  private readonly current = new AsyncLocalStorage<Invocation>();
  private readonly consumers = new Map<string, (event: unknown, context: unknown) => Promise<unknown>>();
  private invocations = 0;
  /** Calls the app made after its invocation had returned (refused). */
  readonly lateCalls: string[] = [];

  constructor(options: ForgePlatformOptions = {}) {
    this.now = options.now ?? Date.now;
    this.invocationTimeoutMs = options.invocationTimeoutMs ?? 25_000;
    this.defaultInstallation = this.addInstallation({
      workspaceId: options.workspaceId ?? '{5d6e4b2c-1f0a-4c3b-9e8d-7a6b5c4d3e2f}',
      ...(options.kvsFile ? { kvsFile: options.kvsFile } : {}),
    });
    this.egress.policy = readEgressPolicy(options.manifestPath ?? DEFAULT_MANIFEST);
    this.egress.routes.clear();
    this.egress.counters.requests = 0;
    this.egress.counters.refused = 0;
    this.egress.counters.hosts.length = 0;
    runtimeGlobals.__forge_fetch__ = (descriptor, requestPath, init) => this.forgeFetch(descriptor, requestPath, init);
    // Read per call: each invocation sees its own context, even when invocations interleave.
    const fallback = this.runtime(this.defaultInstallation, 'outside');
    Object.defineProperty(runtimeGlobals, '__forge_runtime__', {
      configurable: true,
      enumerable: false,
      get: () => this.current.getStore()?.runtime ?? fallback,
    });
  }

  /** Another workspace installs the app: its own storage, queue, Bitbucket data and context. */
  addInstallation(options: { workspaceId?: string; kvsFile?: string } = {}): Installation {
    nextInstallationNumber += 1;
    const number = nextInstallationNumber;
    const installation = new Installation(
      options.workspaceId ?? `{${syntheticUuid(number, 'aaaa')}}`,
      syntheticUuid(number, '2222'),
      this.now,
      options.kvsFile,
    );
    for (const [queueName, handler] of this.consumers) this.wireConsumer(installation, queueName, handler);
    this.installations.push(installation);
    return installation;
  }

  get kvs(): KvsEmulator {
    return this.defaultInstallation.kvs;
  }

  get queue(): QueueEmulator {
    return this.defaultInstallation.queue;
  }

  get bitbucket(): BitbucketEmulator {
    return this.defaultInstallation.bitbucket;
  }

  get workspaceId(): string {
    return this.defaultInstallation.workspaceId;
  }

  get installContext(): string {
    return this.defaultInstallation.installContext;
  }

  get egressCounters(): Readonly<EgressCounters> {
    return this.egress.counters;
  }

  /** Sends what the app addresses to `host` to `baseUrl` instead (an allowed host stays required). */
  routeEgress(host: string, baseUrl: string): void {
    this.egress.routes.set(host, baseUrl);
  }

  /** Wires a queue to its consumer function in every installation, as `modules.consumer` does. */
  registerConsumer(queueName: string, handler: (event: unknown, context: unknown) => Promise<unknown>): void {
    this.consumers.set(queueName, handler);
    for (const installation of this.installations) this.wireConsumer(installation, queueName, handler);
  }

  private wireConsumer(
    installation: Installation,
    queueName: string,
    handler: (event: unknown, context: unknown) => Promise<unknown>,
  ): void {
    installation.queue.registerConsumer(queueName, (event: QueuedEvent) =>
      this.invoke(
        () =>
          handler(
            {
              body: event.body,
              queueName: event.queueName,
              jobId: event.jobId,
              eventId: event.eventId,
              ...(event.retryCount > 0
                ? {
                    retryContext: {
                      retryCount: event.retryCount,
                      retryReason: event.retryReason ?? 'FUNCTION_RETRY_REQUEST',
                      retryData: event.retryData,
                    },
                  }
                : {}),
            },
            { installContext: installation.installContext },
          ),
        { installation },
      ),
    );
  }

  /**
   * Bitbucket emits a product event for the installation's workspace: the trigger runs now, and again
   * as the platform's retry rules say (see product-events.ts) until it is handled, retried out, or lost.
   */
  async emitProductEvent(
    handler: (event: unknown, context: unknown) => Promise<unknown>,
    payload: unknown,
    installation: Installation = this.defaultInstallation,
  ): Promise<InvocationResult<unknown>> {
    return installation.productEvents.emit(payload, (event) =>
      this.invoke(() => handler(event, { installContext: installation.installContext }), { installation }),
    );
  }

  /** Redelivers the product events whose retry is due, in every installation. */
  async deliverDueProductEvents(): Promise<number> {
    let invocations = 0;
    for (const installation of this.installations) invocations += await installation.productEvents.deliverDue();
    return invocations;
  }

  /** Delivers due queue events in every installation, interleaved one by one across installations. */
  async deliverDueQueueEvents(): Promise<number> {
    let invocations = 0;
    for (;;) {
      let progressed = 0;
      for (const installation of this.installations) progressed += await installation.queue.deliverDue(1);
      if (progressed === 0) return invocations;
      invocations += progressed;
    }
  }

  /** The earliest moment something (a queue event or a product-event retry) is due, in any installation. */
  nextDueAt(): number | undefined {
    const due = this.installations
      .flatMap((installation) => [installation.queue.nextDueAt(), installation.productEvents.nextDueAt()])
      .filter((at): at is number => at !== undefined);
    return due.length === 0 ? undefined : Math.min(...due);
  }

  onStargate(handler: StargateHandler): void {
    this.stargateHandlers.push(handler);
  }

  /** Runs one function invocation the way Forge does: its own invocation context, errors caught and reported. */
  async invoke<T>(
    handler: () => Promise<T>,
    options: { accountId?: string; installation?: Installation } = {},
  ): Promise<InvocationResult<T>> {
    const installation = options.installation ?? this.defaultInstallation;
    const invocation: Invocation = {
      installation,
      runtime: this.runtime(installation, this.nextInvocationId()),
      deadline: this.now() + this.invocationTimeoutMs,
      principal: options.accountId,
      ended: false,
    };
    try {
      return { ok: true, value: await this.current.run(invocation, handler) };
    } catch (error) {
      return { ok: false, error };
    } finally {
      invocation.ended = true;
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
    caller: { accountId: string | undefined; moduleKey?: string; installation?: Installation },
  ): Promise<InvocationResult<unknown>> {
    const installation = caller.installation ?? this.defaultInstallation;
    const context = {
      workspaceId: installation.workspaceId,
      moduleKey: caller.moduleKey ?? 'coralogix-settings',
      localId: 'local',
      extension: { type: 'bitbucket:workspaceSettingsMenuPage', workspace: { uuid: installation.workspaceId } },
    };
    return this.invoke(
      () =>
        (definitions as (request: unknown, backendRuntimePayload: unknown) => Promise<unknown>)(
          { call: { functionKey, payload }, context },
          { principal: caller.accountId ? { accountId: caller.accountId } : undefined, installContext: installation.installContext },
        ),
      { installation, ...(caller.accountId ? { accountId: caller.accountId } : {}) },
    );
  }

  uninstall(): void {
    delete runtimeGlobals.__forge_fetch__;
    delete runtimeGlobals.__forge_runtime__;
    this.egress.policy = undefined;
    this.egress.routes.clear();
  }

  private nextInvocationId(): string {
    this.invocations += 1;
    // Sequential ids rather than random UUIDs: the emulation's own cost should not count against the app.
    return this.invocations.toString(16).padStart(12, '0');
  }

  private runtime(installation: Installation, invocation: string): unknown {
    const noop = { incr: () => undefined, decr: () => undefined };
    const remaining = () => {
      const current = this.current.getStore();
      return current ? Math.max(0, current.deadline - this.now()) : Number.POSITIVE_INFINITY;
    };
    return {
      proxy: { token: `local-proxy-token-${installation.installationId}`, url: 'http://forge-proxy.local' },
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
        invocationId: `00000000-0000-4000-8000-${invocation.padStart(12, '0').slice(-12)}`,
        installationId: installation.installationId,
        moduleKey: 'local',
      },
      contextAri: installation.installContext,
      lambdaContext: { getRemainingTimeInMillis: remaining },
      externalAuth: [],
    };
  }

  private async forgeFetch(descriptor: FetchDescriptor, requestPath: string, init: RequestInit | undefined): Promise<Response> {
    const invocation = this.current.getStore();
    if (invocation?.ended) {
      // A promise the app left running past its return (Forge freezes or reuses the instance): it must
      // not reach this installation's data, nor the next invocation's. Fail loudly.
      this.lateCalls.push(`${descriptor.type} ${requestPath}`);
      throw new InvocationEndedError(`${descriptor.type} ${requestPath}`);
    }
    const installation = invocation?.installation ?? this.defaultInstallation;
    if (descriptor.type === 'kvs') return installation.kvs.handle(requestPath, init);
    if (descriptor.type === 'fpp' && descriptor.remote === 'bitbucket') {
      const accountId = descriptor.accountId ?? invocation?.principal;
      if (descriptor.provider === 'user' && accountId !== undefined && installation.consentMissing.has(accountId)) {
        // Forge's proxy answers an asUser() call for a user who has not granted the app access this way;
        // @forge/api turns it into NeedsAuthenticationError, which the product UI answers with its consent prompt.
        return new Response(JSON.stringify({ message: 'Authentication required' }), {
          status: 401,
          headers: { 'forge-proxy-error': 'NEEDS_AUTHENTICATION_ERR' },
        });
      }
      const principal: BitbucketPrincipal = descriptor.provider === 'user' ? { kind: 'user', accountId } : { kind: 'app' };
      return installation.bitbucket.handle(principal, requestPath, init);
    }
    if (descriptor.type === 'fpp' && descriptor.remote === 'stargate') {
      if (requestPath.startsWith(PUBLISH_PATH_PREFIX)) return installation.queue.handlePublish(init);
      for (const handler of this.stargateHandlers) {
        const response = await handler(requestPath, init);
        if (response) return response;
      }
    }
    return new Response(
      JSON.stringify({ message: `The local Forge platform does not serve ${descriptor.type}/${descriptor.remote ?? ''} ${requestPath}` }),
      {
        status: 404,
        headers: { 'forge-proxy-error': 'PROXY_ERR' },
      },
    );
  }
}
