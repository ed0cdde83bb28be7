// The doctor's public shapes. The JSON form of DoctorReport is described by schema/doctor.schema.json;
// a field added here is added there (test/doctor-schema.test.mjs validates every report against it).
import type { CrashSignature } from './signatures.js';
import type { DoctorCheckId } from './check-ids.js';

export { DOCTOR_CHECK_IDS, type DoctorCheckId } from './check-ids.js';

export type DoctorStatus = 'ok' | 'warning' | 'error' | 'skipped';
export type DoctorProfile = 'go' | 'vscode-server';

/** One fact a verdict rests on, with where it was read (`/proc/4242/environ`, `readGoBuildInfo(/usr/bin/gopls)`, …). */
export interface DoctorFact {
  name: string;
  value: string | number | boolean | null | string[];
  source: string;
}

/** One way out: words, and where it is a command to run or a setting to change, that too. */
export interface DoctorFix {
  text: string;
  command?: string;
  /** A VS Code setting key (`go.alternateTools`), with the value to give it where one is known. */
  setting?: string;
  value?: unknown;
}

export interface DoctorCheck {
  id: DoctorCheckId;
  status: DoctorStatus;
  title: string;
  /** The finding in words; for `skipped`, why the check could not run. */
  message: string;
  facts: DoctorFact[];
  fix: DoctorFix[];
  /** Where the behaviour is documented or reported (`golang/go#66553`, a URL). */
  refs: string[];
  /** Crash-log lines that point at this check. */
  signatures?: CrashSignature[];
}

export interface DoctorSubject {
  /** The process diagnosed (the tool, or the editor/shell that will start it); `null`: this process. */
  pid: number | null;
  name: string | null;
  exe: string | null;
  argv: string[];
  /** The shell compared with: `shellPid`, else the nearest shell above this process. */
  shell: { pid: number; name: string; foundBy: 'option' | 'ancestor' } | null;
  root: string | null;
  workspace: string | null;
  workspaceSource: 'option' | 'process-cwd' | 'cwd' | null;
  home: string;
  platform: NodeJS.Platform;
  arch: string;
}

export interface DoctorReport {
  schemaVersion: 1;
  subject: DoctorSubject;
  profiles: DoctorProfile[];
  summary: Record<DoctorStatus, number>;
  checks: DoctorCheck[];
  /** What `log`/`logText` matched, line by line (each also listed under the check it points to). */
  log: { path: string | null; bytes: number; truncated: boolean; signatures: CrashSignature[] } | null;
}

export interface DoctorOptions {
  /** The tool process (gopls, dlv) or the editor/shell that starts it. Default: this process. */
  pid?: number;
  /** The user's shell to compare with (an integrated terminal's `processId`). Default: the nearest shell above this process. */
  shellPid?: number;
  /** A root filesystem for `libc-compat` and `vscode-server` (the target, not the host). */
  root?: string;
  /** The workspace folder (its go.mod/go.work, its path). Default: the process's cwd. */
  workspace?: string;
  /** A gopls log or stderr file whose known failure lines point at checks. */
  log?: string;
  /** The same, as text. */
  logText?: string;
  /** Which checks: `'go'`, `'vscode-server'`, or both (default). */
  for?: DoctorProfile | DoctorProfile[];
  /** More binaries for `libc-compat` (an extension's `.node` file, a tool not on PATH). */
  binaries?: string[];
  /** The user's home (settings, extensions, Go's defaults). Default: the process's HOME, else this user's. */
  home?: string;
  /** Per-probe time bound of the async doctor, in ms (default 5000); a probe over it makes its check `skipped`. */
  timeoutMs?: number;
  /** The size over which a cache folder (GOCACHE, GOMODCACHE, gopls's) is reported (bytes; default 20 GiB). */
  cacheSizeLimit?: bigint | number;
}
