// The platform module must load before the app: it installs Forge's egress-guarded global fetch,
// which @forge/api captures when it is first imported.
import { ForgePlatform, type InvocationResult, type ResolverFunction } from './platform/forge-platform';
import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { BridgeHost } from './bridge-host';
import { CoralogixReceiver } from './coralogix-receiver';
import { errorMessage, SandboxError } from './errors';
import { fireResultOf, type FireResult } from './fire-result';
import {
  bitbucketPipelineFixtures,
  bitbucketRestFixtures,
  loadSandboxFixtures,
  workspaceListingFixture,
  type SandboxFixture,
} from './fixtures';
import { QueueFile } from './queue-file';
import { ReceiverLog } from './receiver-log';
import { createSandboxRoutes } from './routes';
import { sandboxKeyIn } from './sandbox-key';
import { Serial } from './serial';
import { readSandboxState, readSettingsView, type Account, type Destination, type SandboxState } from './state';
import { assertPortFree, assertSettingsPageBuilt, parseCoralogixUrl } from './startup-checks';
import { egressHosts } from '../src/core/regions';
import { defaultStoredSettings } from '../src/core/settings';
import { forwardEvent, heartbeat, retryDelivery, settingsResolver } from '../src/index';
import { RETRY_QUEUE_KEY } from '../src/platform/retry-queue';
import { invalidateSettingsCache } from '../src/platform/settings-cache';
import { writeSettings } from '../src/platform/settings-store';

export { errorMessage, SandboxError } from './errors';
export { type FireResult } from './fire-result';
export { type SandboxFixture } from './fixtures';
export { ReceiverLog, type ReceiverItem } from './receiver-log';
export { replayFile, formatReplaySummary, type ReplayOptions, type ReplaySummary } from './replay';
export { type Account, type Destination, type SandboxState } from './state';
export { parseCoralogixUrl } from './startup-checks';

export const DEFAULT_PORT = 8787;
export const DEFAULT_DATA_DIR = path.resolve(__dirname, '../.sandbox-data');
export const SANDBOX_ADMIN = '557058:sandbox-admin';
export const SANDBOX_MEMBER = '557058:sandbox-member';
/** What replay (and the console's one-click set-up) configures when nothing is saved yet. */
export const SANDBOX_DEFAULTS = { region: 'EU1', applicationName: 'sandbox', subsystemName: 'bitbucket' } as const;

export interface SandboxOptions {
  /** Port of the pages; 0 picks a free one. Ignored when `serve` is false. */
  port?: number;
  /** Serve the settings page, the event console and the receiver page (default true). */
  serve?: boolean;
  /** Where settings (kvs.json), queued retries (queue.json) and the sandbox key are kept. */
  dataDir?: string;
  /** Send to this Coralogix-compatible endpoint instead of the embedded receiver. */
  coralogixUrl?: string;
  /** How often due retries are delivered; 0 turns the timer off. */
  drainEveryMs?: number;
  /** The app's scheduled heartbeat; false turns it off. */
  heartbeat?: { firstAfterMs: number; everyMs: number } | false;
  /** Sandbox notices (not app logs, which go to the console as Forge's would). */
  log?: (line: string) => void;
}

export interface Sandbox {
  /** http://localhost:<port>, or undefined when not serving. */
  readonly url: string | undefined;
  readonly port: number | undefined;
  readonly platform: ForgePlatform;
  readonly receiver: CoralogixReceiver;
  readonly receiverLog: ReceiverLog;
  readonly destination: Destination;
  readonly sandboxKey: string;
  /** The version tags (CICD integration) key the receiver accepts on the tags endpoint. */
  readonly sandboxTagsKey: string;
  readonly dataDir: string;
  readonly fixtures: readonly SandboxFixture[];
  readonly account: Account;
  /** Sandbox notices, as given in the options. */
  readonly log: (line: string) => void;
  fire(payload: unknown): Promise<FireResult>;
  /** Delivers the retries that are due now. */
  drain(): Promise<number>;
  runHeartbeat(): Promise<InvocationResult<unknown>>;
  isConfigured(): Promise<boolean>;
  configureDefaults(): Promise<void>;
  state(): Promise<SandboxState>;
  setAccount(account: Account): void;
  callResolver(functionKey: string, payload: unknown): Promise<InvocationResult<unknown>>;
  close(): Promise<void>;
}

class SandboxInstance implements Sandbox {
  readonly fixtures = loadSandboxFixtures();
  readonly receiverLog: ReceiverLog;
  account: Account = 'admin';
  private host: BridgeHost | undefined;
  private readonly serial = new Serial();
  private readonly queueFile: QueueFile;
  private readonly timers: NodeJS.Timeout[] = [];
  private draining = false;
  private closing = false;

  constructor(
    readonly platform: ForgePlatform,
    readonly receiver: CoralogixReceiver,
    readonly destination: Destination,
    readonly sandboxKey: string,
    readonly dataDir: string,
    readonly log: (line: string) => void,
  ) {
    this.receiverLog = new ReceiverLog(receiver);
    this.queueFile = new QueueFile(path.join(dataDir, 'queue.json'), platform.queue.pending, log);
  }

  get sandboxTagsKey(): string {
    return sandboxTagsKeyOf(this.sandboxKey);
  }

  get url(): string | undefined {
    return this.port === undefined ? undefined : `http://localhost:${this.port}`;
  }

  get port(): number | undefined {
    return this.host ? Number(new URL(this.host.url).port) : undefined;
  }

  private get accountId(): string {
    return this.account === 'admin' ? SANDBOX_ADMIN : SANDBOX_MEMBER;
  }

  async serve(port: number): Promise<void> {
    this.host = await BridgeHost.start({
      platform: this.platform,
      resolver: settingsResolver as ResolverFunction,
      accountId: this.accountId,
      port,
      extraRoutes: createSandboxRoutes(this),
    });
  }

  startTimers(drainEveryMs: number, heartbeatTimes: SandboxOptions['heartbeat']): void {
    if (drainEveryMs > 0) this.timers.push(setInterval(() => void this.tick(), drainEveryMs).unref());
    if (heartbeatTimes) {
      const beat = () => {
        void this.runHeartbeat().then(
          (result) => {
            if (!result.ok) this.log(`The heartbeat failed: ${errorMessage(result.error)}`);
          },
          () => undefined,
        );
      };
      this.timers.push(setTimeout(beat, heartbeatTimes.firstAfterMs).unref());
      this.timers.push(setInterval(beat, heartbeatTimes.everyMs).unref());
    }
  }

  restoreQueue(): void {
    this.queueFile.restore();
  }

  private exclusive<T>(task: () => Promise<T>): Promise<T> {
    if (this.closing) return Promise.reject(new SandboxError('The sandbox is shutting down'));
    return this.serial.run(async () => {
      try {
        return await task();
      } finally {
        this.receiverLog.sync();
        this.queueFile.save();
      }
    });
  }

  private async tick(): Promise<void> {
    // A drain still running when the next tick comes is left to finish, not joined by another.
    if (this.draining || this.closing || this.platform.queue.pending.length === 0) return;
    this.draining = true;
    const abandonedBefore = this.platform.queue.stats.abandoned.length;
    try {
      const delivered = await this.drain();
      if (delivered > 0) this.log(`Retried ${delivered} queued ${delivered === 1 ? 'delivery' : 'deliveries'}.`);
      const abandoned = this.platform.queue.stats.abandoned.length - abandonedBefore;
      // Forge gives up on a queue event whose consumer keeps failing: an event lost, which the app must never cause.
      if (abandoned > 0)
        this.log(`The platform gave up on ${abandoned} queued ${abandoned === 1 ? 'retry' : 'retries'} after repeated consumer failures.`);
    } catch (error) {
      if (!this.closing) this.log(`Delivering queued retries failed: ${errorMessage(error)}`);
    } finally {
      this.draining = false;
    }
  }

  drain(): Promise<number> {
    return this.exclusive(() => this.platform.queue.deliverDue());
  }

  runHeartbeat(): Promise<InvocationResult<unknown>> {
    return this.exclusive(() => this.platform.invoke(() => heartbeat({}, { installContext: this.platform.installContext })));
  }

  callResolver(functionKey: string, payload: unknown): Promise<InvocationResult<unknown>> {
    return this.exclusive(() =>
      this.platform.callResolver(settingsResolver as ResolverFunction, functionKey, payload, { accountId: this.accountId }),
    );
  }

  setAccount(account: Account): void {
    this.account = account;
    if (this.host) this.host.accountId = this.accountId;
  }

  /** Fires one event through the app's real trigger, as Forge invokes it, and tells what the trigger says became of it. */
  fire(payload: unknown): Promise<FireResult> {
    return this.exclusive(async () => {
      const invocation = await this.platform.invoke(() => forwardEvent(payload, { installContext: this.platform.installContext }));
      return fireResultOf(invocation, this.destination, () => this.platform.now());
    });
  }

  async isConfigured(): Promise<boolean> {
    const settings = await this.exclusive(() => readSettingsView(this.platform));
    return Boolean(settings.view && settings.hasKey);
  }

  configureDefaults(): Promise<void> {
    return this.exclusive(async () => {
      const result = await this.platform.invoke(() => writeSettings({ ...defaultStoredSettings(), ...SANDBOX_DEFAULTS }, this.sandboxKey));
      if (!result.ok) throw new SandboxError(`Could not save the sandbox defaults: ${errorMessage(result.error)}`);
      // The app caches settings for up to 30 s per instance; the page's own save clears it the same way.
      invalidateSettingsCache();
    });
  }

  state(): Promise<SandboxState> {
    return this.exclusive(() => readSandboxState(this.platform, this));
  }

  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    for (const timer of this.timers) clearTimeout(timer);
    // New work is refused from here; work already started finishes, so none is cut off half-way
    // through its bookkeeping.
    await this.serial.run(async () => undefined);
    this.queueFile.save();
    await this.host?.close();
    await this.receiver.close();
    this.platform.uninstall();
  }
}

/** A second sandbox key, for the tags endpoint: Coralogix takes tags with another key than logs. Stable per data folder. */
function sandboxTagsKeyOf(sandboxKey: string): string {
  return `cxtp_sandboxtags_${createHash('sha256').update(sandboxKey).digest('hex').slice(0, 24)}`;
}

/**
 * Where an app's request goes under --coralogix-url: logs to the URL given. Tags are served at
 * api.<domain>, not at the ingress, so for a Coralogix ingress URL they go to the same domain's API
 * host; any other URL (e.g. another sandbox's receiver) takes both.
 */
function externalOriginFor(host: string, external: URL): string {
  if (!host.startsWith('api.') || !external.hostname.startsWith('ingress.')) return external.origin;
  const api = new URL(external.origin);
  api.hostname = `api.${external.hostname.slice('ingress.'.length)}`;
  return api.origin;
}

/**
 * The local Forge platform with the app installed: settings in a file, the retry queue drained on
 * real time, the hourly heartbeat, a Coralogix-compatible receiver as the destination, and (unless
 * `serve` is false) the settings page, event console and receiver page on one local origin.
 */
export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const log = options.log ?? ((line: string) => console.log(line));
  const external = options.coralogixUrl === undefined ? undefined : parseCoralogixUrl(options.coralogixUrl);
  const serve = options.serve ?? true;
  const port = options.port ?? DEFAULT_PORT;
  // Checked before the platform is installed: it replaces the process-wide Forge globals.
  if (serve) {
    assertSettingsPageBuilt();
    await assertPortFree(port);
  }
  const dataDir = path.resolve(options.dataDir ?? DEFAULT_DATA_DIR);
  mkdirSync(dataDir, { recursive: true });
  const sandboxKey = sandboxKeyIn(dataDir);

  const platform = new ForgePlatform({ kvsFile: path.join(dataDir, 'kvs.json') });
  // Settings cached by an earlier sandbox in this process belong to another storage file.
  invalidateSettingsCache();
  platform.bitbucket.serveWorkspaceRoles(platform.workspaceId, { [SANDBOX_ADMIN]: 'owner', [SANDBOX_MEMBER]: 'member' });
  // The example events' repositories, users and pull requests, so records are enriched as on Forge.
  platform.bitbucket.serveAll(bitbucketRestFixtures());
  // The deployments' pipelines (version tag names use their build number and commit), and the
  // projects and repositories the settings page offers as the scope: listed for the installation's
  // workspace, which is where the page asks, and for the example events' own workspace.
  const pipelines = bitbucketPipelineFixtures();
  platform.bitbucket.servePipelines([pipelines.workspace.uuid, pipelines.workspace.slug], pipelines.pipelines);
  const listing = workspaceListingFixture();
  platform.bitbucket.serveWorkspaceListing([platform.workspaceId, listing.workspace.uuid, listing.workspace.slug], listing);
  platform.registerConsumer(RETRY_QUEUE_KEY, (event, context) => retryDelivery(event as Parameters<typeof retryDelivery>[0], context));

  // As strict as Coralogix: only the sandbox key is taken, so a different key pasted on the settings
  // page shows the wrong-key path (403, an undelivered event, its replay once the key is fixed).
  const receiver = await CoralogixReceiver.start({ apiKeys: [sandboxKey], tagsKeys: [sandboxTagsKeyOf(sandboxKey)] });
  // The app keeps addressing https://ingress.<domain>/logs/v1/singles and https://api.<domain>/api/v1/external/tags;
  // the route swaps the host only, for every host the manifest declares (undeclared hosts still fail).
  for (const host of egressHosts()) platform.routeEgress(host, external ? externalOriginFor(host, external) : receiver.url);

  if (external && external.pathname !== '/')
    log(`The path ${external.pathname} of --coralogix-url is not used: the app posts to /logs/v1/singles there.`);
  const destination: Destination = external ? { kind: 'external', url: external.origin } : { kind: 'receiver' };
  const sandbox = new SandboxInstance(platform, receiver, destination, sandboxKey, dataDir, log);
  try {
    sandbox.restoreQueue();
    if (serve) await sandbox.serve(port);
  } catch (error) {
    await sandbox.close();
    throw error;
  }
  sandbox.startTimers(options.drainEveryMs ?? 1000, options.heartbeat ?? { firstAfterMs: 5000, everyMs: 3_600_000 });
  return sandbox;
}
