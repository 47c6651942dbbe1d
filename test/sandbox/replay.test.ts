import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { replayFile, startSandbox, type Sandbox } from '../../sandbox/sandbox';
import { fixture } from '../support/fixtures';

// `npm start -- --replay <file>`: a file of Forge event payloads, one JSON object per line, through
// the app's real trigger; bad lines are reported by number and skipped, the rest go through.

const ROOT = path.resolve(__dirname, '../..');

function line(name: string): string {
  return JSON.stringify(fixture(name));
}

/** Three events, a blank line, a line that is not JSON, one that is JSON but not an object. */
const REPLAY_FILE = [
  line('push.repository'),
  '',
  '{"eventType": "avi:bitbucket:push:repository",',
  '[1, 2, 3]',
  line('created.pullrequest'),
  line('completed.deployment'),
  '',
].join('\n');

function capture(isTTY: boolean) {
  const chunks: string[] = [];
  return { chunks, stream: { isTTY, columns: 120, write: (chunk: string) => chunks.push(chunk) > 0 } };
}

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

function run(
  command: string,
  args: string[],
  options: { until?: RegExp; then?: (child: ReturnType<typeof spawn>) => void } = {},
): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: ROOT, env: { ...process.env, FORCE_COLOR: '0' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let triggered = false;
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
      if (options.until && !triggered && options.until.test(stdout)) {
        triggered = true;
        options.then?.(child);
      }
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

describe('replaying a file of events', () => {
  let dir: string;
  let file: string;
  let sandbox: Sandbox | undefined;

  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'sandbox-replay-'));
    file = path.join(dir, 'events.ndjson');
    writeFileSync(file, REPLAY_FILE);
    jest.spyOn(console, 'log').mockImplementation(() => undefined);
  });
  afterEach(async () => {
    await sandbox?.close();
    sandbox = undefined;
    jest.restoreAllMocks();
    rmSync(dir, { recursive: true, force: true });
  });

  it('configures the sandbox defaults, delivers the good lines and reports the bad ones by number', async () => {
    const notices: string[] = [];
    sandbox = await startSandbox({
      serve: false,
      dataDir: path.join(dir, 'data'),
      heartbeat: false,
      log: (notice) => notices.push(notice),
    });
    const progress = capture(false);
    const summary = await replayFile(file, { sandbox, progress: progress.stream });

    expect(summary).toMatchObject({
      lines: 5,
      delivered: 3,
      queued: 0,
      held: 0,
      failed: [],
      configuredDefaults: true,
      stillQueued: 0,
      interrupted: false,
    });
    expect(summary.bad).toEqual([
      { line: 3, message: expect.stringMatching(/^not valid JSON \(/) },
      { line: 4, message: 'not a JSON object (an array)' },
    ]);
    expect(notices.join('\n')).toContain('the sandbox defaults were configured: region EU1, application "sandbox", subsystem "bitbucket"');
    expect(sandbox.receiver.entries.map((entry) => [entry.className, entry.applicationName, entry.subsystemName])).toEqual([
      ['avi:bitbucket:push:repository', 'sandbox', 'bitbucket'],
      ['avi:bitbucket:created:pullrequest', 'sandbox', 'bitbucket'],
      ['avi:bitbucket:completed:deployment', 'sandbox', 'bitbucket'],
    ]);
    const output = progress.chunks.join('');
    expect(output).toContain('line 3: not valid JSON');
    expect(output).toContain('line 4: not a JSON object (an array); skipped');
    expect(output).toMatch(/Replaying: 100% \(3 delivered · 0 queued · 0 held · 0 skipped · 2 bad\)\n$/);
    expect(output).not.toContain('\r');
  }, 30_000);

  it('draws the bar in place on a terminal, with failures and notes above it', async () => {
    sandbox = await startSandbox({ serve: false, dataDir: path.join(dir, 'data'), heartbeat: false, log: () => undefined });
    await sandbox.configureDefaults();
    sandbox.receiver.inject({ kind: 'status', status: 500 }, { kind: 'status', status: 401 });
    const progress = capture(true);
    const summary = await replayFile(file, { sandbox, progress: progress.stream });

    expect(summary).toMatchObject({ delivered: 1, queued: 2, held: 0, configuredDefaults: false, stillQueued: 1 });
    const output = progress.chunks.join('');
    expect(output).toContain('\r\x1b[2KReplaying [');
    expect(output).toMatch(/\[#{24}\] 100% {2}1 delivered · 2 queued · 0 held · 0 skipped · 2 bad\n$/);
    expect(output).toContain('\r\x1b[2Kline 3: not valid JSON');
    // The app's own log lines go above the bar, not through it.
    expect(output).toMatch(/\r\x1b\[2KEvent [0-9a-f]{32} \(avi:bitbucket:push:repository\) not delivered yet/);
    expect(console.log).not.toHaveBeenCalledWith(expect.stringContaining('not delivered yet'));
  }, 30_000);

  it('reports a file it cannot read', async () => {
    sandbox = await startSandbox({ serve: false, dataDir: path.join(dir, 'data'), heartbeat: false, log: () => undefined });
    await expect(replayFile(path.join(dir, 'missing.ndjson'), { sandbox })).rejects.toThrow('Cannot read');
    expect(await sandbox.isConfigured()).toBe(false);
  });

  it('runs from the command line: summary on stdout, bad lines on stderr, exit status 1', async () => {
    const result = await run('npx', ['tsx', 'sandbox/main.ts', '--replay', file, '--port', '0', '--data-dir', path.join(dir, 'data')]);

    expect(result.stderr).toContain('line 3: not valid JSON');
    expect(result.stderr).toContain('line 4: not a JSON object (an array); skipped');
    expect(result.stderr).toContain('2 bad lines skipped: exit status 1.');
    expect(result.stdout).toContain('the sandbox defaults were configured');
    expect(result.stdout).toMatch(/Replayed events\.ndjson: 5 non-blank lines/);
    expect(result.stdout).toMatch(/delivered\s+3\n/);
    expect(result.stdout).toMatch(/bad lines\s+2 {3}lines 3, 4\n/);
    // Replay alone serves no pages.
    expect(result.stdout).not.toContain('http://localhost');
    expect(result.code).toBe(1);
    expect(existsSync(path.join(dir, 'data', 'kvs.json'))).toBe(true);
  }, 30_000);

  it('explains its options, and refuses bad ones with exit status 2', async () => {
    const help = await run('npx', ['tsx', 'sandbox/main.ts', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('--replay <file>');
    expect(help.stdout).toContain('1    the replay met a bad line');

    const bad = await run('npx', ['tsx', 'sandbox/main.ts', '--port', 'eighty']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--port must be a number from 0 to 65535');
  }, 30_000);

  it('shuts down cleanly on SIGTERM', async () => {
    // Straight under node, so the signal reaches the sandbox itself rather than a wrapper relaying it.
    const result = await run(
      process.execPath,
      ['--import', 'tsx', 'sandbox/main.ts', '--port', '0', '--data-dir', path.join(dir, 'data')],
      {
        until: /Press Ctrl\+C to stop/,
        then: (child) => child.kill('SIGTERM'),
      },
    );
    expect(result.stdout).toMatch(/Settings {8}http:\/\/localhost:\d+\//);
    expect(result.stdout).toContain('SIGTERM: stopping the sandbox…\nStopped.\n');
    expect(result.code).toBe(0);
    expect(existsSync(path.join(dir, 'data', 'queue.json'))).toBe(true);
  }, 30_000);
});
