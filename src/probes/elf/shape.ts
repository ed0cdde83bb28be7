// The core's ELF text (native/core/elf_json.h: the ElfInfo as a JSON object, then its symbols as JSON
// arrays of at most 1024, each after a '\n') as ElfInfo objects. The async API turns it into objects
// slice by slice, within a time budget per event-loop turn shared by every call in flight: a library
// with 46,000 symbols (13 MB of text) took ~60 ms of JSON.parse at once, and 20 such calls settling
// together held the loop for over a second.
import type { ElfInfo, ElfSymbol, RawElf } from './types.js';
import { maxVersionsOf } from '../../util/versions.js';

/** What a backend hands over: the text as a string, or its UTF-8 bytes (the addon, for large results). */
export type ElfText = string | Uint8Array;

/** Main-thread time spent turning results into objects before the event loop gets its turn. */
const BUDGET_MS = 8;
/** A text this short (no symbols) takes well under a millisecond. */
const SMALL = 64 * 1024;

// process.hrtime, not performance.now(): the global `performance` loads perf_hooks on first use (~30 ms
// of compiling Node's own modules inside the first scan of a process).
function nowMs(): number {
  const [seconds, nanoseconds] = process.hrtime();
  return seconds * 1e3 + nanoseconds / 1e6;
}

const queue: Array<() => void> = [];
let queueHead = 0;
let scheduled = false;

function runQueue(): void {
  scheduled = false;
  const end = nowMs() + BUDGET_MS;
  while (queueHead < queue.length) {
    const job = queue[queueHead]!;
    queue[queueHead] = undefined as never;
    queueHead += 1;
    job();
    if (nowMs() >= end) break;
  }
  if (queueHead >= queue.length) {
    queue.length = 0;
    queueHead = 0;
  } else {
    schedule();
  }
}

function schedule(): void {
  if (scheduled) return;
  scheduled = true;
  setImmediate(runQueue);
}

// When this turn's spending began; reset once per turn (a small result is then shaped at once while
// the turn has budget left, without a hop through the queue).
let turnBegan = 0;
let turnOpen = false;

function budgetLeft(): boolean {
  const now = nowMs();
  if (!turnOpen) {
    turnOpen = true;
    turnBegan = now;
    setImmediate(() => {
      turnOpen = false;
    });
  }
  return now - turnBegan < BUDGET_MS;
}

/** Runs `work` in a later turn of the event loop, within the shared budget. */
export function inTurn<T>(work: () => T): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    queue.push(() => {
      try {
        resolve(work());
      } catch (error) {
        reject(error);
      }
    });
    schedule();
  });
}

/** The slices of a text: the head object, then each symbol array. */
function* slices(text: ElfText): Generator<string, void, void> {
  if (typeof text === 'string') {
    let start = 0;
    for (;;) {
      const end = text.indexOf('\n', start);
      if (end < 0) {
        yield start === 0 ? text : text.slice(start);
        return;
      }
      yield text.slice(start, end);
      start = end + 1;
    }
  }
  const bytes = Buffer.isBuffer(text) ? text : Buffer.from(text.buffer, text.byteOffset, text.byteLength);
  let start = 0;
  for (;;) {
    const end = bytes.indexOf(10, start);
    yield bytes.toString('utf8', start, end < 0 ? bytes.length : end);
    if (end < 0) return;
    start = end + 1;
  }
}

/** `path` replaces the core's copy, which went through UTF-8 (a name that is not valid UTF-8 would not survive that). */
function head(json: string, path: string | null): RawElf {
  const raw = JSON.parse(json) as RawElf;
  raw.path = path;
  const names: string[] = [];
  for (const need of raw.versionNeeds) for (const v of need.versions) names.push(v.name);
  raw.maxVersions = maxVersionsOf(names);
  return raw;
}

function addSymbols(raw: RawElf, json: string): void {
  const list = JSON.parse(json) as Array<ElfSymbol & { value: bigint | string }>;
  const into = raw.symbols!;
  for (const symbol of list) {
    symbol.value = BigInt(symbol.value);
    into.push(symbol);
  }
}

/** The text as an ElfInfo, at once (the sync API). */
export function shapeElf(text: ElfText, path: string | null): ElfInfo {
  const parts = slices(text);
  const raw = head(parts.next().value as string, path);
  for (const part of parts) addSymbols(raw, part);
  return raw as ElfInfo;
}

/** The text as an ElfInfo, one slice per job of the shared budget (the async API). */
export function shapeElfAsync(text: ElfText, path: string | null): Promise<ElfInfo> {
  const now = shapeNow(text, path);
  return now !== null ? Promise.resolve(now) : shapeInSlices(text, path);
}

/**
 * A small text (no symbols) shaped at once while this turn has budget left and nothing waits in the
 * queue (that keeps results in order), else null: most files of a scan, without a promise each.
 */
export function shapeNow(text: ElfText, path: string | null): ElfInfo | null {
  if (typeof text !== 'string' || text.length >= SMALL || queueHead < queue.length || text.includes('\n') || !budgetLeft()) return null;
  return head(text, path) as ElfInfo;
}

async function shapeInSlices(text: ElfText, path: string | null): Promise<ElfInfo> {
  const parts = slices(text);
  let next: IteratorResult<string, void> = { done: true, value: undefined };
  const raw = await inTurn(() => {
    const shaped = head(parts.next().value as string, path);
    next = parts.next();
    return shaped;
  });
  while (next.done !== true) {
    await inTurn(() => {
      addSymbols(raw, (next as IteratorYieldResult<string>).value);
      next = parts.next();
    });
  }
  return raw as ElfInfo;
}
