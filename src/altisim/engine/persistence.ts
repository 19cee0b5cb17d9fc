/**
 * Where a server's durable state lives between incarnations.
 *
 * `MemoryDisk` is for in-process servers: it survives `kill()`/`restart()` of the server object.
 * `DirectoryDisk` is a data directory: a snapshot (`snapshot.json`) plus an append-only journal
 * (`journal.jsonl`) of the ops committed since. Every committed op is written to the journal
 * before the statement returns, so a kill -9 loses nothing that was acknowledged. Snapshots are
 * written to a temporary file and renamed into place, and journal lines carry a sequence number,
 * so no moment of a crash leaves the directory unreadable: a torn last journal line is ignored,
 * ops already in the snapshot are skipped.
 */
import { closeSync, existsSync, fsyncSync, ftruncateSync, mkdirSync, openSync, readFileSync, renameSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { applyOp, deserializeState, serializeState, trimLog, type DurableOp, type DurableState } from './durable-state.js';

export interface Disk {
  /** The state as last committed, or null for a never-used disk. */
  load(): DurableState | null;
  /** Start journaling for this (freshly loaded or created) state. */
  attach(state: DurableState): void;
  /** Record an op that has just been applied to the attached state. */
  append(op: DurableOp): void;
  /** Write a full image now (clean shutdown). */
  checkpoint(): void;
  /** Stop writing (the incarnation ended). */
  detach(): void;
}

/** An in-memory disk: what was committed is what the next incarnation loads (deep-copied). */
export class MemoryDisk implements Disk {
  private image: ReturnType<typeof serializeState> | null = null;
  private live: DurableState | null = null;

  load(): DurableState | null {
    if (this.live) this.image = structuredClone(serializeState(this.live));
    return this.image ? deserializeState(structuredClone(this.image)) : null;
  }

  attach(state: DurableState): void {
    this.live = state;
  }

  append(_op: DurableOp): void {
    // The attached state already holds the op; load() copies it.
  }

  checkpoint(): void {
    if (this.live) this.image = structuredClone(serializeState(this.live));
  }

  detach(): void {
    if (this.live) this.image = structuredClone(serializeState(this.live));
    this.live = null;
  }
}

const SNAPSHOT = 'snapshot.json';
const SNAPSHOT_TMP = 'snapshot.json.tmp';
const JOURNAL = 'journal.jsonl';

export interface DirectoryDiskOptions {
  /** Write a snapshot after this many journaled ops (keeps restarts fast). */
  compactAfterOps?: number;
  /** fsync each journal write (survives power loss, not just process death). Default false. */
  fsyncEachCommit?: boolean;
}

export class DirectoryDisk implements Disk {
  private state: DurableState | null = null;
  private journalFd: number | null = null;
  private seq = 0;
  private opsSinceSnapshot = 0;
  private readonly compactAfterOps: number;
  private readonly fsyncEachCommit: boolean;

  constructor(
    readonly directory: string,
    options: DirectoryDiskOptions = {},
  ) {
    this.compactAfterOps = options.compactAfterOps ?? 20000;
    this.fsyncEachCommit = options.fsyncEachCommit ?? false;
    mkdirSync(directory, { recursive: true });
  }

  load(): DurableState | null {
    const snapshotPath = join(this.directory, SNAPSHOT);
    let state: DurableState | null = null;
    let snapshotSeq = 0;
    if (existsSync(snapshotPath)) {
      const image = JSON.parse(readFileSync(snapshotPath, 'utf8')) as { seq: number; state: unknown };
      state = deserializeState(image.state);
      snapshotSeq = image.seq;
    }
    this.seq = snapshotSeq;
    const journalPath = join(this.directory, JOURNAL);
    if (existsSync(journalPath)) {
      const text = readFileSync(journalPath, 'utf8');
      let goodLength = 0;
      let offset = 0;
      while (offset < text.length) {
        const end = text.indexOf('\n', offset);
        if (end < 0) break; // torn last line: never acknowledged
        const line = text.slice(offset, end);
        let record: { seq: number; op: DurableOp } | undefined;
        try {
          record = JSON.parse(line) as { seq: number; op: DurableOp };
        } catch {
          if (text.indexOf('\n', end + 1) >= 0) throw new Error(`${journalPath}: corrupt journal line at byte ${offset}`);
          break;
        }
        if (record.seq > snapshotSeq) {
          if (!state) throw new Error(`${journalPath}: journal without a snapshot`);
          applyOp(state, record.op);
          this.seq = record.seq;
          this.opsSinceSnapshot++;
        }
        offset = end + 1;
        goodLength += Buffer.byteLength(line) + 1;
      }
      // Cut a torn tail so new lines are not appended to it.
      const fd = openSync(journalPath, 'r+');
      ftruncateSync(fd, goodLength);
      closeSync(fd);
    }
    if (state) trimLog(state);
    return state;
  }

  attach(state: DurableState): void {
    this.state = state;
    if (!existsSync(join(this.directory, SNAPSHOT))) this.writeSnapshot();
    this.journalFd = openSync(join(this.directory, JOURNAL), 'a');
  }

  append(op: DurableOp): void {
    if (this.journalFd === null) throw new Error('disk not attached');
    this.seq++;
    writeSync(this.journalFd, `${JSON.stringify({ seq: this.seq, op })}\n`);
    if (this.fsyncEachCommit) fsyncSync(this.journalFd);
    if (++this.opsSinceSnapshot >= this.compactAfterOps) this.checkpoint();
  }

  checkpoint(): void {
    if (!this.state) return;
    this.writeSnapshot();
    if (this.journalFd !== null) ftruncateSync(this.journalFd, 0);
    this.opsSinceSnapshot = 0;
  }

  detach(): void {
    if (this.journalFd !== null) closeSync(this.journalFd);
    this.journalFd = null;
    this.state = null;
  }

  private writeSnapshot(): void {
    if (!this.state) return;
    const tmp = join(this.directory, SNAPSHOT_TMP);
    writeFileSync(tmp, JSON.stringify({ seq: this.seq, state: serializeState(this.state) }));
    const fd = openSync(tmp, 'r');
    fsyncSync(fd);
    closeSync(fd);
    renameSync(tmp, join(this.directory, SNAPSHOT));
    // The rename must reach the directory before the journal is cut.
    const dirFd = openSync(this.directory, 'r');
    fsyncSync(dirFd);
    closeSync(dirFd);
  }
}
