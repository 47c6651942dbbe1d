// The platform module must load before the app: it installs Forge's egress-guarded global fetch,
// which @forge/api captures when it is first imported.
import { ForgePlatform, type InvocationResult, type ResolverFunction } from './platform/forge-platform';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import type { QueuedEvent } from './platform/queue-emulator';
import { BridgeHost, SETTINGS_BUILD_DIR } from './bridge-host';
import { CoralogixReceiver, type AcceptedEntry } from './coralogix-receiver';
import { errorMessage, SandboxError } from './errors';
import { createSandboxRoutes } from './routes';
import { EVENT_CATALOG, isEventType } from '../src/core/catalog';
import { ingressHost, REGION_IDS } from '../src/core/regions';
import { defaultStoredSettings } from '../src/core/settings';
import { forwardEvent, heartbeat, retryDelivery, settingsResolver } from '../src/index';
import { InvocationError } from '@forge/events';
import { RETRY_QUEUE_KEY } from '../src/platform/retry-queue';
import type { TriggerResult } from '../src/platform/trigger';
import { invalidateSettingsCache } from '../src/platform/settings-cache';
import { readApiKey, readSettings, writeSettings } from '../src/platform/settings-store';
import { StorageKeys } from '../src/platform/storage-keys';
import { bitbucketRestFixtures, loadEventFixtures } from '../test/support/fixtures';

export { errorMessage, SandboxError } from './errors';
export { replayFile, formatReplaySummary, type ReplayOptions, type ReplaySummary } from './replay';

export const DEFAULT_PORT = 8787;
export const DEFAULT_DATA_DIR = path.resolve(__dirname, '../.sandbox-data');
export const SANDBOX_ADMIN = '557058:sandbox-admin';
export const SANDBOX_MEMBER = '557058:sandbox-member';
/** What replay (and the console's one-click set-up) configures when nothing is saved yet. */
export const SANDBOX_DEFAULTS = { region: 'EU1', applicationName: 'sandbox', subsystemName: 'bitbucket' } as const;

const SANDBOX_KEY_PATTERN = /^cxtp_sandbox_[A-Za-z0-9]{16,64}$/;
const RECEIVER_LOG_LIMIT = 500;

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

export type Destination = { kind: 'receiver' } | { kind: 'external'; url: string };
export type Account = 'admin' | 'member';

export type FireResult =
  | { outcome: 'delivered'; eventId?: string; destination: Destination['kind'] }
  /** Not delivered now: kept on the retry queue (storage failed) or in the backlog, sent automatically unless `held`. */
  | { outcome: 'queued'; eventId: string; reason: string; retryInSeconds: number | null }
  | { outcome: 'held'; eventId: string; cause: string; reason: string }
  | { outcome: 'not-configured' }
  | { outcome: 'skipped'; reason: 'forwarding-disabled' | 'not-selected' }
  | { outcome: 'failed'; error: string };

export type ReceiverItem =
  | { seq: number; receivedAt: number; kind: 'entry'; entry: AcceptedEntry }
  | { seq: number; receivedAt: number; kind: 'refused'; status: number; error: string };

export interface SandboxFixture {
  name: string;
  eventType: string;
  family: string;
  action: string;
  payload: Record<string, unknown>;
}

export interface SandboxState {
  configured: boolean;
  settings?: { region: string; applicationName: string; subsystemName: string; forwardingEnabled: boolean; apiKeyHint: string | null };
  /** Embedded receiver only: whether the saved key is the one the receiver accepts (never the key itself). */
  keyAccepted?: boolean;
  /** Another endpoint only: the saved key is still the sandbox key, which that endpoint will refuse. */
  savedKeyIsSandboxKey?: boolean;
  destination: Destination;
  /** The embedded receiver's key, meant to be pasted; absent when entries go elsewhere. */
  sandboxKey?: string;
  account: Account;
  queue: { pending: number; nextDueAt: number | null };
  /** Events waiting in the app's backlog (what the settings page lists). */
  backlog: number;
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

/**
 * What the embedded receiver took and refused, numbered so a page can ask for what came after the
 * last item it has. Refusals are read from the receiver's request log, accepted entries as they
 * arrive.
 */
export class ReceiverLog {
  private readonly items: ReceiverItem[] = [];
  private readonly listeners = new Set<(item: ReceiverItem) => void>();
  /** Tells an EventSource reconnecting after a restart that the numbering started again. */
  readonly session = randomBytes(4).toString('hex');
  private seq = 0;
  private requestCursor = 0;

  constructor(private readonly receiver: CoralogixReceiver) {
    receiver.onEntries((entries) => {
      for (const entry of entries) this.add({ kind: 'entry', entry });
    });
  }

  get lastSeq(): number {
    return this.seq;
  }

  /** Picks up refused requests; called after each piece of work that may have sent something. */
  sync(): void {
    const requests = this.receiver.requests;
    for (; this.requestCursor < requests.length; this.requestCursor += 1) {
      const request = requests[this.requestCursor];
      if (request && request.status !== 200) this.add({ kind: 'refused', status: request.status, error: request.error ?? `HTTP ${request.status}` });
    }
  }

  after(seq: number): ReceiverItem[] {
    return this.items.filter((item) => item.seq > seq);
  }

  subscribe(listener: (item: ReceiverItem) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private add(item: { kind: 'entry'; entry: AcceptedEntry } | { kind: 'refused'; status: number; error: string }): void {
    this.seq += 1;
    const stored = { ...item, seq: this.seq, receivedAt: Date.now() } as ReceiverItem;
    this.items.push(stored);
    if (this.items.length > RECEIVER_LOG_LIMIT) this.items.shift();
    for (const listener of this.listeners) listener(stored);
  }
}

/**
 * Runs one piece of work at a time. The emulated platform keeps a single invocation context (the
 * calling account, the deadline), as one Forge invocation has; overlapping invocations would
 * overwrite each other's, so the sandbox's drains, heartbeats, fired events and the page's resolver
 * calls take turns.
 */
class Serial {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(task: () => Promise<T>): Promise<T> {
    const result = this.tail.then(task, task);
    this.tail = result.catch(() => undefined);
    return result;
  }
}

function loadFixtures(): SandboxFixture[] {
  return loadEventFixtures().map((fixture) => {
    const known = isEventType(fixture.eventType) ? EVENT_CATALOG[fixture.eventType] : undefined;
    return {
      name: fixture.name,
      eventType: String(fixture.eventType),
      family: known?.family ?? 'other',
      action: known?.action ?? String(fixture.eventType),
      payload: fixture.payload,
    };
  });
}

/** A stable key per data folder, so settings saved with it keep working after a restart. */
function sandboxKeyIn(dataDir: string): string {
  const file = path.join(dataDir, 'sandbox-key');
  if (existsSync(file)) {
    const saved = readFileSync(file, 'utf8').trim();
    if (SANDBOX_KEY_PATTERN.test(saved)) return saved;
  }
  const key = `cxtp_sandbox_${randomBytes(12).toString('hex')}`;
  writeFileSync(file, `${key}\n`, { mode: 0o600 });
  return key;
}

function isQueuedEvent(value: unknown): value is QueuedEvent {
  if (typeof value !== 'object' || value === null) return false;
  const event = value as Record<string, unknown>;
  return (
    typeof event.queueName === 'string' &&
    typeof event.jobId === 'string' &&
    typeof event.eventId === 'string' &&
    typeof event.body === 'object' &&
    event.body !== null &&
    !Array.isArray(event.body) &&
    typeof event.deliverAt === 'number' &&
    Number.isFinite(event.deliverAt) &&
    typeof event.retryCount === 'number' &&
    (event.retryReason === undefined || typeof event.retryReason === 'string')
  );
}

/** The URL entries go to instead of the embedded receiver, checked before anything starts. */
export function parseCoralogixUrl(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new SandboxError(`--coralogix-url must be an absolute http(s) URL, such as https://ingress.eu2.coralogix.com (got "${raw}")`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new SandboxError('--coralogix-url must use http or https');
  // Credentials in the URL would be sent in the clear next to the app's own Bearer key.
  if (url.username || url.password) throw new SandboxError('--coralogix-url must not contain credentials: the app sends the saved key as a Bearer token');
  return url;
}

async function assertPortFree(port: number): Promise<void> {
  if (port === 0) return;
  await new Promise<void>((resolve, reject) => {
    const probe = createServer();
    probe.once('error', (error: NodeJS.ErrnoException) => {
      reject(
        error.code === 'EADDRINUSE'
          ? new SandboxError(`Port ${port} is in use: choose another with --port <n>, or --port 0 for a free one`)
          : new SandboxError(`Cannot listen on port ${port}: ${error.code ?? error.message}`),
      );
    });
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve()));
  });
}

class SandboxInstance implements Sandbox {
  readonly fixtures = loadFixtures();
  readonly receiverLog: ReceiverLog;
  account: Account = 'admin';
  private host: BridgeHost | undefined;
  private readonly serial = new Serial();
  private readonly timers: NodeJS.Timeout[] = [];
  private draining = false;
  private closing = false;
  private savedQueue = '';

  constructor(
    readonly platform: ForgePlatform,
    readonly receiver: CoralogixReceiver,
    readonly destination: Destination,
    readonly sandboxKey: string,
    readonly dataDir: string,
    readonly log: (line: string) => void,
  ) {
    this.receiverLog = new ReceiverLog(receiver);
  }

  get url(): string | undefined {
    return this.port === undefined ? undefined : `http://localhost:${this.port}`;
  }

  get port(): number | undefined {
    return this.host ? Number(new URL(this.host.url).port) : undefined;
  }

  private get queueFile(): string {
    return path.join(this.dataDir, 'queue.json');
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
        void this.runHeartbeat().then((result) => {
          if (!result.ok) this.log(`The heartbeat failed: ${errorMessage(result.error)}`);
        }, () => undefined);
      };
      this.timers.push(setTimeout(beat, heartbeatTimes.firstAfterMs).unref());
      this.timers.push(setInterval(beat, heartbeatTimes.everyMs).unref());
    }
  }

  /** Emulated retry queue contents survive a restart, as Forge's queue would keep them. */
  loadQueue(): void {
    if (!existsSync(this.queueFile)) return;
    try {
      const saved: unknown = JSON.parse(readFileSync(this.queueFile, 'utf8'));
      const events = Array.isArray(saved) ? saved.filter(isQueuedEvent) : [];
      this.platform.queue.pending.push(...events);
      if (events.length > 0) this.log(`Restored ${events.length} queued ${events.length === 1 ? 'retry' : 'retries'} from the last run.`);
      this.savedQueue = JSON.stringify(events);
    } catch (error) {
      this.log(`Ignored ${path.basename(this.queueFile)}: ${errorMessage(error)}`);
    }
  }

  private saveQueue(): void {
    const snapshot = JSON.stringify(this.platform.queue.pending);
    if (snapshot === this.savedQueue) return;
    const temporary = `${this.queueFile}.tmp`;
    writeFileSync(temporary, snapshot);
    renameSync(temporary, this.queueFile);
    this.savedQueue = snapshot;
  }

  private exclusive<T>(task: () => Promise<T>): Promise<T> {
    if (this.closing) return Promise.reject(new SandboxError('The sandbox is shutting down'));
    return this.serial.run(async () => {
      try {
        return await task();
      } finally {
        this.receiverLog.sync();
        this.saveQueue();
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
      if (abandoned > 0) this.log(`The platform gave up on ${abandoned} queued ${abandoned === 1 ? 'retry' : 'retries'} after repeated consumer failures.`);
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
    return this.exclusive(() => this.platform.callResolver(settingsResolver as ResolverFunction, functionKey, payload, { accountId: this.accountId }));
  }

  setAccount(account: Account): void {
    this.account = account;
    if (this.host) this.host.accountId = this.accountId;
  }

  /** Fires one event through the app's real trigger, as Forge invokes it, and tells what the trigger says became of it. */
  fire(payload: unknown): Promise<FireResult> {
    return this.exclusive(async () => {
      const invocation = await this.platform.invoke(() => forwardEvent(payload, { installContext: this.platform.installContext }));
      if (!invocation.ok) return { outcome: 'failed', error: errorMessage(invocation.error) };
      const result = invocation.value as TriggerResult | InvocationError;
      if (result instanceof InvocationError) return { outcome: 'failed', error: 'The trigger asked Forge to invoke it again' };
      switch (result.status) {
        case 'skipped':
          if (result.reason === 'not-configured') return { outcome: 'not-configured' };
          return { outcome: 'skipped', reason: result.reason === 'forwarding-disabled' ? 'forwarding-disabled' : 'not-selected' };
        case 'deferred':
          return { outcome: 'queued', eventId: '', reason: result.reason, retryInSeconds: result.delaySeconds };
        case 'retry-requested':
          return { outcome: 'failed', error: result.reason };
        case 'handled': {
          const attempt = result.attempt;
          if (attempt.result === 'delivered') return { outcome: 'delivered', destination: this.destination.kind, eventId: result.eventId };
          if (attempt.result === 'retry-scheduled') return { outcome: 'queued', eventId: result.eventId, reason: attempt.reason, retryInSeconds: attempt.delaySeconds };
          if (attempt.held) return { outcome: 'held', eventId: result.eventId, cause: attempt.cause, reason: attempt.reason };
          const retryInSeconds = attempt.drainDueAt === null ? null : Math.max(0, Math.round((attempt.drainDueAt - this.platform.now()) / 1000));
          return { outcome: 'queued', eventId: result.eventId, reason: attempt.reason, retryInSeconds };
        }
      }
    });
  }

  async isConfigured(): Promise<boolean> {
    const settings = await this.exclusive(() => this.readSettingsView());
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
    return this.exclusive(async () => {
      const { view, hasKey } = await this.readSettingsView();
      // Compared here so that only the answer, never the saved key, leaves the sandbox.
      const savedIsSandboxKey = this.platform.kvs.peekSecret(StorageKeys.apiKeySecret) === this.sandboxKey;
      const nextDueAt = this.platform.queue.nextDueAt();
      return {
        configured: Boolean(view && hasKey),
        ...(view
          ? {
              settings: {
                region: view.settings.region,
                applicationName: view.settings.applicationName,
                subsystemName: view.settings.subsystemName,
                forwardingEnabled: view.settings.forwardingEnabled,
                apiKeyHint: view.apiKeyHint,
              },
            }
          : {}),
        ...(this.destination.kind === 'receiver'
          ? { sandboxKey: this.sandboxKey, ...(hasKey ? { keyAccepted: savedIsSandboxKey } : {}) }
          : hasKey
            ? { savedKeyIsSandboxKey: savedIsSandboxKey }
            : {}),
        destination: this.destination,
        account: this.account,
        queue: { pending: this.platform.queue.pending.length, nextDueAt: nextDueAt ?? null },
        backlog: this.platform.kvs.keys().filter((key) => key.startsWith(StorageKeys.backlogItemPrefix)).length,
      };
    });
  }

  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    for (const timer of this.timers) clearTimeout(timer);
    // New work is refused from here; work already started finishes, so none is cut off half-way
    // through its bookkeeping.
    await this.serial.run(async () => undefined);
    this.saveQueue();
    await this.host?.close();
    await this.receiver.close();
    this.platform.uninstall();
  }

  private async readSettingsView() {
    const result = await this.platform.invoke(async () => ({ view: await readSettings(), hasKey: (await readApiKey()) !== undefined }));
    if (!result.ok || !result.value) throw new SandboxError(`Could not read the settings: ${errorMessage(result.error)}`);
    return result.value;
  }
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
    if (!existsSync(path.join(SETTINGS_BUILD_DIR, 'index.html'))) {
      throw new SandboxError('The settings page is not built yet: run `npm run build:ui` (`npm start` does it for you)');
    }
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
  platform.registerConsumer(RETRY_QUEUE_KEY, (event, context) => retryDelivery(event as Parameters<typeof retryDelivery>[0], context));

  // As strict as Coralogix: only the sandbox key is taken, so a different key pasted on the settings
  // page shows the wrong-key path (403, an undelivered event, its replay once the key is fixed).
  const receiver = await CoralogixReceiver.start({ apiKeys: [sandboxKey] });
  // The app keeps addressing https://ingress.<domain>/logs/v1/singles; the route swaps the host only.
  const target = external ? external.origin : receiver.url;
  for (const region of REGION_IDS) platform.routeEgress(ingressHost(region), target);

  if (external && external.pathname !== '/') log(`The path ${external.pathname} of --coralogix-url is not used: the app posts to /logs/v1/singles there.`);
  const destination: Destination = external ? { kind: 'external', url: external.origin } : { kind: 'receiver' };
  const sandbox = new SandboxInstance(platform, receiver, destination, sandboxKey, dataDir, log);
  try {
    sandbox.loadQueue();
    if (serve) await sandbox.serve(port);
  } catch (error) {
    await sandbox.close();
    throw error;
  }
  sandbox.startTimers(options.drainEveryMs ?? 1000, options.heartbeat ?? { firstAfterMs: 5000, everyMs: 3_600_000 });
  return sandbox;
}
