import path from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_DATA_DIR, DEFAULT_PORT, formatReplaySummary, replayFile, SandboxError, startSandbox, type Sandbox } from './sandbox';

// `npm start`: the sandbox's command line. Everything it does lives in sandbox.ts.

const USAGE = `Usage: npm start -- [options]        (or: npx tsx sandbox/main.ts [options])

Runs the app on an emulated Forge platform with a Coralogix-compatible receiver:
no Atlassian account and no network needed.

Options:
  --port <n>             port of the pages on http://localhost (default ${DEFAULT_PORT}; 0 picks a free one)
  --coralogix-url <url>  send entries to this Coralogix-compatible endpoint instead of the
                         embedded receiver, e.g. your region's https://ingress.<domain> (version
                         tags then go to https://api.<domain>); then save the endpoint's keys on
                         the settings page
  --replay <file>        push each line of <file> (one Forge event JSON object per line, blank
                         lines ignored) through the app's trigger, print a summary and exit;
                         configures the sandbox defaults first when nothing is saved
  --serve                with --replay: serve the pages too, and keep running afterwards
  --data-dir <dir>       where settings, queued retries and the sandbox key are kept
                         (default .sandbox-data)
  -h, --help             show this help

Exit status:
  0    the sandbox stopped cleanly, or every line of the replay was handled
  1    the replay met a bad line (invalid JSON, or not a JSON object) or a failed trigger
       invocation; the other lines were still replayed
  2    the sandbox could not start (a bad option, a busy port, an unreadable file)
  130  interrupted during a replay
`;

interface Cli {
  help: boolean;
  port: number;
  coralogixUrl?: string;
  replay?: string;
  serve: boolean;
  dataDir: string;
}

function parseFlags(argv: string[]) {
  try {
    return parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        port: { type: 'string' },
        'coralogix-url': { type: 'string' },
        replay: { type: 'string' },
        serve: { type: 'boolean', default: false },
        'data-dir': { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }).values;
  } catch (error) {
    throw new SandboxError(`${error instanceof Error ? error.message : String(error)}\nRun with --help for the options.`);
  }
}

function parseCli(argv: string[]): Cli {
  const values = parseFlags(argv);
  const rawPort = values.port ?? String(DEFAULT_PORT);
  if (!/^\d{1,5}$/.test(rawPort) || Number(rawPort) > 65535)
    throw new SandboxError(`--port must be a number from 0 to 65535 (got "${rawPort}")`);
  return {
    help: values.help,
    port: Number(rawPort),
    serve: values.serve,
    dataDir: values['data-dir'] ?? DEFAULT_DATA_DIR,
    ...(values['coralogix-url'] !== undefined ? { coralogixUrl: values['coralogix-url'] } : {}),
    ...(values.replay !== undefined ? { replay: values.replay } : {}),
  };
}

function shown(dir: string): string {
  const relative = path.relative(process.cwd(), dir);
  return relative && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative : dir;
}

function banner(sandbox: Sandbox): string {
  const url = sandbox.url ?? '';
  const destination =
    sandbox.destination.kind === 'external'
      ? [
          `  Entries go to   ${sandbox.destination.url} (every region's ingress host is routed there; version tags go to its api. host)`,
          `  API key         save the key that endpoint accepts on the settings page`,
        ]
      : [
          `  Entries go to   the embedded Coralogix receiver (every region's ingress and API host is routed to it)`,
          `  Sandbox key     ${sandbox.sandboxKey}`,
          `                  paste it on the settings page as the Send-Your-Data API key`,
          `  Tags key        ${sandbox.sandboxTagsKey}`,
          `                  paste it as the version tags API key (CICD integration)`,
        ];
  return [
    'Bitbucket → Coralogix sandbox: the app on an emulated Forge platform',
    '',
    `  Settings        ${url}/`,
    `  Event console   ${url}/console`,
    `  Receiver        ${url}/receiver`,
    '',
    ...destination,
    `  Data            ${shown(sandbox.dataDir)} (settings and queued retries survive a restart)`,
    '',
    '',
  ].join('\n');
}

async function main(): Promise<void> {
  let sandbox: Sandbox | undefined;
  let replaying = false;
  let stopping = false;
  const abort = new AbortController();

  const stop = async (code: number) => {
    await sandbox?.close();
    process.exitCode = code;
    // Anything still holding the event loop (a browser's open connection) must not keep it alive.
    setTimeout(() => process.exit(code), 2000).unref();
  };
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      process.stderr.write(`${signal} again: stopping now.\n`);
      process.exit(130);
    }
    stopping = true;
    if (replaying) {
      // The line being handled finishes its bookkeeping; the summary says what was replayed.
      process.stderr.write(`\n${signal}: stopping after the current line…\n`);
      abort.abort();
      return;
    }
    process.stdout.write(`\n${signal}: stopping the sandbox…\n`);
    void stop(0).then(() => process.stdout.write('Stopped.\n'));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  try {
    const cli = parseCli(process.argv.slice(2));
    if (cli.help) {
      process.stdout.write(USAGE);
      return;
    }
    const replayOnly = cli.replay !== undefined && !cli.serve;
    sandbox = await startSandbox({
      serve: !replayOnly,
      port: cli.port,
      dataDir: cli.dataDir,
      ...(cli.coralogixUrl !== undefined ? { coralogixUrl: cli.coralogixUrl } : {}),
      // A replay that exits when done has no hour to wait for.
      ...(replayOnly ? { heartbeat: false as const } : {}),
    });
    if (sandbox.url) process.stdout.write(banner(sandbox));

    if (cli.replay !== undefined) {
      replaying = true;
      const summary = await replayFile(cli.replay, { sandbox, progress: process.stderr, signal: abort.signal });
      replaying = false;
      process.stdout.write(`${formatReplaySummary(summary, shown(sandbox.dataDir))}\n`);
      if (summary.bad.length > 0)
        process.stderr.write(`${summary.bad.length} bad line${summary.bad.length === 1 ? '' : 's'} skipped: exit status 1.\n`);
      const code = summary.interrupted ? 130 : summary.bad.length > 0 || summary.failed.length > 0 ? 1 : 0;
      if (replayOnly || stopping) return await stop(code);
      process.exitCode = code;
    }
    process.stdout.write('Press Ctrl+C to stop.\n');
  } catch (error) {
    if (error instanceof SandboxError) process.stderr.write(`sandbox: ${error.message}\n`);
    else process.stderr.write(`sandbox: unexpected failure: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    await stop(2);
  }
}

void main();
