// The doctor gathers its facts once, in a generator that yields the probe calls it needs; a driver
// answers each call with the probe's sync or async twin. So doctor() and doctorSync() share every line
// of gathering, and every failure comes back as a value (a check that cannot run is skipped, never a throw).
import { getRlimits, getRlimitsSync } from '../limits/rlimits.js';
import { probeCgroupMemory, probeCgroupMemorySync } from '../limits/cgroup.js';
import { probeProcessEnv, probeProcessEnvSync } from '../env/index.js';
import { nearestShellAncestor, processNode } from '../env/processes.js';
import { findProcesses, findProcessesSync } from '../env/find.js';
import { lookPath, lookPathSync } from '../go/lookpath.js';
import { probeGoToolchain, probeGoToolchainSync } from '../go/toolchain.js';
import { findGoModules, findGoModulesSync } from '../go/gomod.js';
import { readGoBuildInfo, readGoBuildInfoSync } from '../go/buildinfo.js';
import { probeVscodeSettings, probeVscodeSettingsSync } from '../editor/vscode.js';
import { explainPath, explainPathSync } from '../reparse/explain.js';
import { checkCompat, checkCompatSync } from '../compat/check.js';
import { probeGlibc, probeGlibcSync } from '../libc/index.js';
import { readElf, readElfSync } from '../elf/index.js';
import { measureDirSize, measureDirSizeSync, probeFsSpace, probeFsSpaceSync } from '../fs/index.js';
import { readCrashLog, readCrashLogSync } from './signatures.js';
import { listDir, listDirSync, readElfInRoot, readElfInRootSync, readLink, readLinkSync, statPath, statPathSync } from './files.js';

// biome-ignore lint/suspicious/noExplicitAny: a table of functions of different signatures, typed at the call
type AnyFn = (...args: any[]) => any;

/** Each probe the doctor uses, as [sync twin, async twin]. */
const PROBES = {
  processNode: [processNode, async (pid: number) => processNode(pid)],
  findProcesses: [findProcessesSync, findProcesses],
  shellAncestor: [nearestShellAncestor, async (pid?: number) => nearestShellAncestor(pid)],
  processEnv: [probeProcessEnvSync, probeProcessEnv],
  rlimits: [getRlimitsSync, getRlimits],
  cgroup: [probeCgroupMemorySync, probeCgroupMemory],
  lookPath: [lookPathSync, lookPath],
  goToolchain: [probeGoToolchainSync, probeGoToolchain],
  goModules: [findGoModulesSync, findGoModules],
  goBuildInfo: [readGoBuildInfoSync, readGoBuildInfo],
  vscodeSettings: [probeVscodeSettingsSync, probeVscodeSettings],
  explainPath: [explainPathSync, explainPath],
  checkCompat: [checkCompatSync, checkCompat],
  glibc: [probeGlibcSync, probeGlibc],
  readElf: [readElfSync, readElf],
  readElfInRoot: [readElfInRootSync, readElfInRoot],
  fsSpace: [probeFsSpaceSync, probeFsSpace],
  dirSize: [measureDirSizeSync, measureDirSize],
  crashLog: [readCrashLogSync, readCrashLog],
  listDir: [listDirSync, listDir],
  stat: [statPathSync, statPath],
  readLink: [readLinkSync, readLink],
} as const satisfies Record<string, readonly [AnyFn, AnyFn]>;

type Probes = typeof PROBES;
export type ProbeName = keyof Probes;
type SyncOf<K extends ProbeName> = Probes[K][0];

/** A probe's answer, or why there is none. */
export type Outcome<T> = { ok: true; value: T } | { ok: false; error: Error; timedOut: boolean };

export interface ProbeCall {
  name: ProbeName;
  args: unknown[];
}

export type Gathering<T> = Generator<ProbeCall, T, Outcome<unknown>>;

/** Inside a gathering generator: `const env = yield* probe('processEnv', pid)`. */
export function* probe<K extends ProbeName>(name: K, ...args: Parameters<SyncOf<K>>): Gathering<Outcome<ReturnType<SyncOf<K>>>> {
  return (yield { name, args }) as Outcome<ReturnType<SyncOf<K>>>;
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}

export function runSync<T>(gathering: Gathering<T>): T {
  let step = gathering.next();
  while (!step.done) {
    const { name, args } = step.value;
    let outcome: Outcome<unknown>;
    try {
      outcome = { ok: true, value: (PROBES[name][0] as AnyFn)(...args) };
    } catch (error) {
      outcome = { ok: false, error: asError(error), timedOut: false };
    }
    step = gathering.next(outcome);
  }
  return step.value;
}

export async function runAsync<T>(gathering: Gathering<T>, timeoutMs: number): Promise<T> {
  let step = gathering.next();
  while (!step.done) {
    const { name, args } = step.value;
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<Outcome<unknown>>((resolve) => {
      timer = setTimeout(
        () => resolve({ ok: false, error: new Error(`${name} did not answer within ${timeoutMs} ms`), timedOut: true }),
        timeoutMs,
      );
      timer.unref();
    });
    const answered = (async (): Promise<Outcome<unknown>> => {
      try {
        return { ok: true, value: await (PROBES[name][1] as AnyFn)(...args) };
      } catch (error) {
        return { ok: false, error: asError(error), timedOut: false };
      }
    })();
    const outcome = await Promise.race([answered, late]);
    clearTimeout(timer);
    step = gathering.next(outcome);
  }
  return step.value;
}

/** The answer, or `null` when the probe failed. */
export function answer<T>(outcome: Outcome<T> | null | undefined): T | null {
  return outcome?.ok === true ? outcome.value : null;
}

/** Why a probe gave no answer, in a line: the error's code and message. */
export function whyNot(outcome: Outcome<unknown> | null | undefined): string {
  if (outcome === null || outcome === undefined) return 'not asked';
  if (outcome.ok) return 'answered';
  const code = (outcome.error as { code?: unknown }).code;
  return typeof code === 'string' && !outcome.error.message.includes(code) ? `${code}: ${outcome.error.message}` : outcome.error.message;
}
