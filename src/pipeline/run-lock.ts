import { createHash } from "node:crypto";
import { existsSync, readFileSync, realpathSync, rmSync } from "node:fs";
import { type Server, type Socket, createConnection, createServer } from "node:net";
import { tmpdir } from "node:os";
import { basename, dirname, join, resolve } from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import { writeJsonAtomic } from "../util/fs-atomic.js";
import { LockHeldError, throwIfStopped } from "./stops.js";

interface Holder {
  pid: number;
  startedAt: string;
}

/**
 * One writer per working dir. The lock is a local socket bound to a name derived from the
 * working dir's real path, not a file: on Linux an abstract socket (on Windows a named pipe)
 * belongs to the process that bound it, and the kernel frees the name the moment that process
 * ends, SIGKILL included. So a lock left by a killed process cannot exist, no pid can be
 * reused into a false "running", and no staleness timeout can make a live run look dead
 * (proper-lockfile's mtime rule does both: a killed run blocks the next for its stale period).
 * Whoever finds the name taken connects to it, and the holder itself answers with its pid and
 * start time (also written to `run.lock.json` in the working dir, read when the holder is too
 * busy to answer at once). Elsewhere (macOS) the socket is a file in the temp dir: a file nobody
 * answers on is a dead run's, removed and taken over.
 */
export class RunLock {
  private constructor(
    private readonly server: Server,
    private readonly address: string,
    private readonly infoFile: string,
    private readonly holder: Holder,
  ) {}

  static async acquire(
    workingDir: string,
    pipelineName: string,
    options: { wait?: boolean; signal?: AbortSignal | undefined } = {},
  ): Promise<RunLock> {
    const address = lockAddress(workingDir);
    const holder: Holder = { pid: process.pid, startedAt: new Date().toISOString() };
    const infoFile = join(workingDir, "run.lock.json");
    for (let attempt = 0; ; attempt++) {
      throwIfStopped(options.signal, "lock");
      const server = await tryListen(address, holder);
      if (server) {
        writeJsonAtomic(infoFile, holder);
        return new RunLock(server, address, infoFile, holder);
      }
      const answer = await ask(address);
      const other = answer === "busy" ? readHolder(infoFile) : answer;
      if (other === undefined) {
        // Nobody answers: a socket file of a dead run (never the case for abstract names).
        if (isFileAddress(address)) rmSync(address, { force: true });
        continue;
      }
      if (!options.wait) throw new LockHeldError(pipelineName, other.pid, new Date(other.startedAt));
      await delay(Math.min(1000, 100 * (attempt + 1)), undefined, options.signal ? { signal: options.signal } : {}).catch(
        () => undefined,
      );
    }
  }

  async release(): Promise<void> {
    await new Promise<void>((done) => {
      this.server.close(() => {
        done();
      });
    });
    if (isFileAddress(this.address)) rmSync(this.address, { force: true });
    const now = readHolder(this.infoFile);
    if (now?.pid === this.holder.pid && now.startedAt === this.holder.startedAt) rmSync(this.infoFile, { force: true });
  }
}

function isFileAddress(address: string): boolean {
  return !address.startsWith("\0") && !address.startsWith("\\\\.\\pipe\\");
}

/** The real path even when the working dir does not exist yet (its nearest existing parent's). */
function realPath(path: string): string {
  const abs = resolve(path);
  if (existsSync(abs)) return realpathSync(abs);
  const parent = dirname(abs);
  return parent === abs ? abs : join(realPath(parent), basename(abs));
}

function lockAddress(workingDir: string): string {
  const key = createHash("sha256").update(realPath(workingDir)).digest("hex").slice(0, 32);
  if (process.platform === "linux") return `\0sage-pipeline-${key}`;
  if (process.platform === "win32") return `\\\\.\\pipe\\sage-pipeline-${key}`;
  return join(tmpdir(), `sage-pipeline-${key}.sock`);
}

/** Bind the name; undefined when another process holds it. */
function tryListen(address: string, holder: Holder): Promise<Server | undefined> {
  return new Promise((done, fail) => {
    const server = createServer((socket: Socket) => {
      socket.on("error", () => undefined);
      socket.end(`${JSON.stringify(holder)}\n`);
    });
    server.once("error", (err: NodeJS.ErrnoException) => {
      if (err.code === "EADDRINUSE") done(undefined);
      else fail(err);
    });
    server.listen(address, () => {
      // The lock must not keep the process alive on its own.
      server.unref();
      done(server);
    });
  });
}

function parseHolder(text: string): Holder | undefined {
  try {
    const h = JSON.parse(text) as Partial<Holder>;
    return typeof h.pid === "number" && typeof h.startedAt === "string" ? { pid: h.pid, startedAt: h.startedAt } : undefined;
  } catch {
    return undefined;
  }
}

function readHolder(file: string): Holder | undefined {
  return existsSync(file) ? parseHolder(readFileSync(file, "utf8")) : undefined;
}

/**
 * The holder's pid and start; undefined when nobody answers (it just ended, or a dead file);
 * "busy" when it accepted but did not answer within 2 s (its event loop is in a long step).
 */
function ask(address: string): Promise<Holder | "busy" | undefined> {
  return new Promise((done) => {
    let text = "";
    let connected = false;
    let timedOut = false;
    const socket = createConnection(address, () => {
      connected = true;
    });
    const timer = setTimeout(() => {
      timedOut = true;
      socket.destroy();
    }, 2000);
    socket.setEncoding("utf8");
    socket.on("data", (chunk: string) => (text += chunk));
    socket.on("error", () => undefined);
    socket.on("close", () => {
      clearTimeout(timer);
      done(parseHolder(text) ?? (connected && timedOut ? "busy" : undefined));
    });
  });
}
