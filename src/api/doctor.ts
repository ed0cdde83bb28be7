// The doctor's public face, lazy like src/index.ts: importing sysprobe loads no doctor module.
import type * as Doctor from '../probes/doctor/index.js';

export type {
  DoctorCheck,
  DoctorCheckId,
  DoctorFact,
  DoctorFix,
  DoctorOptions,
  DoctorProfile,
  DoctorReport,
  DoctorStatus,
  DoctorSubject,
} from '../probes/doctor/index.js';

let doctorModule: typeof Doctor | undefined;
const load = (): typeof Doctor => (doctorModule ??= require('../probes/doctor/index.js') as typeof Doctor);

/**
 * Why a Go language server (gopls, dlv) or a VS Code server fails here: the cause and the fix, checked from
 * facts (never by starting a process or a shell). Each check is `ok`, `warning`, `error` or `skipped` (with the
 * reason); a check that cannot run never throws. Checks: `go-env-path`, `go-env-goroot`, `go-env-file`,
 * `go-settings`, `go-bin-version`, `libc-compat`, `mem-as`, `mem-data`, `mem-cgroup`, `fs-reparse`, `go-cache`,
 * `vscode-server` (docs/doctor.md says what each reads and its thresholds).
 *
 * Options: `pid` (the tool, or the editor or shell that starts it; default this process), `shellPid` (the shell to
 * compare with; default the nearest shell above this process), `root` (a root filesystem for `libc-compat` and
 * `vscode-server`), `workspace`, `log`/`logText` (a gopls log or stderr whose known failure lines point at checks),
 * `for` (`'go'`, `'vscode-server'`), `binaries`, `home`, `timeoutMs` (per probe), `cacheSizeLimit`.
 * The result is frozen and matches `schema/doctor.schema.json` (`sysprobe/doctor.schema.json`).
 * @throws {@link SysprobeError} `ERR_SYSPROBE_INVALID_ARG` for a bad option; nothing else.
 * @example
 * const { checks } = await doctor({ pid: goplsPid, shellPid: terminal.processId });
 * for (const c of checks) if (c.status === 'error') console.log(c.id, c.message, c.fix);
 */
export const doctor: typeof Doctor.doctor = (options) => load().doctor(options);
/** As {@link doctor}, on the calling thread, without the per-probe time bound. */
export const doctorSync: typeof Doctor.doctorSync = (options) => load().doctorSync(options);
