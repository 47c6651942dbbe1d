import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { format } from 'node:util';
import { SandboxError } from './errors';
import type { FireResult } from './fire-result';
import type { Sandbox } from './sandbox';

// Replays a file of Forge event payloads, one JSON object per line, through the app's real trigger:
// the quickest way to see what a day of a workspace's activity looks like in Coralogix.

export interface ProgressStream {
  write(chunk: string): boolean;
  isTTY?: boolean;
  columns?: number;
}

export interface ReplayOptions {
  sandbox: Sandbox;
  /** Progress and line problems go here (stderr in the CLI); a TTY gets one bar updated in place. */
  progress?: ProgressStream;
  /** Stops between lines; what was read so far is summarised. */
  signal?: AbortSignal;
  /** Save the sandbox defaults when nothing is configured (default true), so events are delivered. */
  configureIfMissing?: boolean;
}

export interface ReplaySummary {
  file: string;
  /** Non-blank lines read. */
  lines: number;
  delivered: number;
  queued: number;
  held: number;
  skipped: { notConfigured: number; forwardingDisabled: number; notSelected: number };
  /** Invocations that threw: Forge would have retried them; here they are reported. */
  failed: Array<{ line: number; error: string }>;
  bad: Array<{ line: number; message: string }>;
  configuredDefaults: boolean;
  /** Retries still on the queue after the final drain. */
  stillQueued: number;
  interrupted: boolean;
}

const BAR_WIDTH = 24;
const REDRAW_EVERY_MS = 100;

function skippedCount(summary: ReplaySummary): number {
  return summary.skipped.notConfigured + summary.skipped.forwardingDisabled + summary.skipped.notSelected;
}

function counts(summary: ReplaySummary): string {
  return `${summary.delivered} delivered · ${summary.queued} queued · ${summary.held} held · ${skippedCount(summary)} skipped · ${summary.bad.length} bad`;
}

/** A text bar redrawn in place on a terminal; on anything else, a plain line every tenth of the way. */
class Progress {
  private drawnAt = 0;
  private reportedTenth = -1;
  private current = '';

  constructor(private readonly stream: ProgressStream | undefined) {}

  update(ratio: number, detail: string, force = false): void {
    if (!this.stream) return;
    const clamped = Math.min(1, Math.max(0, ratio));
    const percent = `${Math.floor(clamped * 100)}%`.padStart(4);
    if (this.stream.isTTY) {
      const filled = Math.round(clamped * BAR_WIDTH);
      const line = `Replaying [${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}] ${percent}  ${detail}`;
      // A line longer than the terminal wraps, and \r would then redraw only its last part.
      const columns = this.stream.columns && this.stream.columns > 0 ? this.stream.columns : 100;
      this.current = line.slice(0, Math.max(20, columns - 1));
      const now = Date.now();
      if (!force && now - this.drawnAt < REDRAW_EVERY_MS) return;
      this.drawnAt = now;
      this.stream.write(`\r\x1b[2K${this.current}`);
      return;
    }
    const tenth = Math.floor(clamped * 10);
    if (tenth === this.reportedTenth && !force) return;
    this.reportedTenth = tenth;
    const line = `Replaying: ${percent.trim()} (${detail})`;
    if (line === this.current) return;
    this.current = line;
    this.stream.write(`${line}\n`);
  }

  /** A line of its own above the bar (a bad line, an app log line). */
  note(text: string): void {
    if (!this.stream) return;
    if (this.stream.isTTY) this.stream.write(`\r\x1b[2K${text}\n${this.current}`);
    else this.stream.write(`${text}\n`);
  }

  finish(): void {
    if (this.stream?.isTTY && this.current !== '') this.stream.write('\n');
  }
}

/** While a bar is on screen, the app's own log lines are printed above it rather than through it. */
function routeConsole(note: (line: string) => void): () => void {
  const methods = ['log', 'info', 'warn', 'error', 'debug'] as const;
  const originals = methods.map((method) => console[method]);
  for (const method of methods) console[method] = (...args: unknown[]) => note(format(...args));
  return () => methods.forEach((method, index) => (console[method] = originals[index] as (typeof console)[typeof method]));
}

function describeJsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return `a ${typeof value}`;
}

function count(summary: ReplaySummary, line: number, result: FireResult): void {
  switch (result.outcome) {
    case 'delivered':
      summary.delivered += 1;
      return;
    case 'queued':
      summary.queued += 1;
      return;
    case 'held':
      summary.held += 1;
      return;
    case 'not-configured':
      summary.skipped.notConfigured += 1;
      return;
    case 'skipped':
      if (result.reason === 'forwarding-disabled') summary.skipped.forwardingDisabled += 1;
      else summary.skipped.notSelected += 1;
      return;
    case 'failed':
      summary.failed.push({ line, error: result.error });
  }
}

async function replayLine(sandbox: Sandbox, summary: ReplaySummary, line: number, text: string, progress: Progress): Promise<void> {
  let payload: unknown;
  try {
    payload = JSON.parse(text);
  } catch (error) {
    const message = `not valid JSON (${error instanceof Error ? error.message : String(error)})`;
    summary.bad.push({ line, message });
    progress.note(`line ${line}: ${message}; skipped`);
    return;
  }
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
    const message = `not a JSON object (${describeJsonType(payload)})`;
    summary.bad.push({ line, message });
    progress.note(`line ${line}: ${message}; skipped`);
    return;
  }
  const result = await sandbox.fire(payload);
  count(summary, line, result);
  if (result.outcome === 'failed') progress.note(`line ${line}: the trigger failed: ${result.error}`);
}

export async function replayFile(file: string, options: ReplayOptions): Promise<ReplaySummary> {
  const { sandbox } = options;
  let size: number;
  try {
    const info = await stat(file);
    if (!info.isFile()) throw new SandboxError(`${file} is not a file`);
    size = info.size;
  } catch (error) {
    if (error instanceof SandboxError) throw error;
    throw new SandboxError(`Cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }

  const summary: ReplaySummary = {
    file,
    lines: 0,
    delivered: 0,
    queued: 0,
    held: 0,
    skipped: { notConfigured: 0, forwardingDisabled: 0, notSelected: 0 },
    failed: [],
    bad: [],
    configuredDefaults: false,
    stillQueued: 0,
    interrupted: false,
  };

  if ((options.configureIfMissing ?? true) && !(await sandbox.isConfigured())) {
    if (sandbox.destination.kind === 'external') {
      throw new SandboxError(
        `Nothing is configured, and entries go to ${sandbox.destination.url}, which needs your own key: start the sandbox with --coralogix-url alone, save the key on the settings page, then replay.`,
      );
    }
    await sandbox.configureDefaults();
    summary.configuredDefaults = true;
    sandbox.log(
      `No settings were saved yet, so the sandbox defaults were configured: region EU1, application "sandbox", subsystem "bitbucket", and the sandbox key (change them on the settings page).`,
    );
  }

  const progress = new Progress(options.progress);
  const restoreConsole = options.progress ? routeConsole((line) => progress.note(line)) : () => undefined;
  const input = createReadStream(file, { encoding: 'utf8' });
  const lines = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
  let lineNumber = 0;
  let bytesRead = 0;
  try {
    progress.update(0, counts(summary), true);
    for await (const text of lines) {
      if (options.signal?.aborted) {
        summary.interrupted = true;
        break;
      }
      lineNumber += 1;
      bytesRead += Buffer.byteLength(text) + 1;
      if (text.trim() === '') continue;
      summary.lines += 1;
      // Editors on Windows may start the file with a byte-order mark, which JSON.parse refuses.
      await replayLine(sandbox, summary, lineNumber, lineNumber === 1 ? text.replace(/^\uFEFF/, '') : text, progress);
      progress.update(size === 0 ? 1 : bytesRead / size, counts(summary));
    }
    if (!summary.interrupted) progress.update(1, counts(summary), true);
    progress.finish();
  } finally {
    lines.close();
    input.destroy();
    restoreConsole();
  }

  if (!summary.interrupted) await sandbox.drain();
  summary.stillQueued = sandbox.platform.queue.pending.length;
  return summary;
}

export function formatReplaySummary(summary: ReplaySummary, dataDir?: string): string {
  const skipped = skippedCount(summary);
  const skippedWhy = [
    summary.skipped.notConfigured ? `${summary.skipped.notConfigured} not configured` : '',
    summary.skipped.forwardingDisabled ? `${summary.skipped.forwardingDisabled} forwarding off` : '',
    summary.skipped.notSelected ? `${summary.skipped.notSelected} not selected in the settings` : '',
  ].filter(Boolean);
  const badLines = summary.bad.map((bad) => bad.line);
  const rows: Array<[string, number, string]> = [
    ['delivered', summary.delivered, ''],
    [
      'queued for retry',
      summary.queued,
      summary.stillQueued > 0
        ? `${summary.stillQueued} still queued${dataDir ? `, kept in ${path.join(dataDir, 'queue.json')} for the next run` : ''}`
        : '',
    ],
    [
      'held',
      summary.held,
      summary.held > 0 ? 'refused by Coralogix as they are: listed under Undelivered events on the settings page' : '',
    ],
    ['skipped', skipped, skippedWhy.join(', ')],
    [
      'bad lines',
      summary.bad.length,
      badLines.length > 0
        ? `line${badLines.length === 1 ? '' : 's'} ${badLines.slice(0, 20).join(', ')}${badLines.length > 20 ? ', …' : ''}`
        : '',
    ],
  ];
  if (summary.failed.length > 0)
    rows.push(['trigger failed', summary.failed.length, `lines ${summary.failed.map((failure) => failure.line).join(', ')}`]);
  const head = `${summary.interrupted ? 'Interrupted replaying' : 'Replayed'} ${path.basename(summary.file)}: ${summary.lines} non-blank line${summary.lines === 1 ? '' : 's'}`;
  return [head, ...rows.map(([label, value, note]) => `  ${label.padEnd(17)}${String(value).padStart(6)}${note ? `   ${note}` : ''}`)].join(
    '\n',
  );
}
