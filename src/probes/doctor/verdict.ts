// The small vocabulary every check is written in: a verdict with its facts, fixes and references.
import type { CrashSignature } from './signatures.js';
import type { DoctorCheck, DoctorCheckId, DoctorFact, DoctorFix, DoctorStatus } from './types.js';
import type { Facts } from './facts.js';

export const TITLES: Record<DoctorCheckId, string> = {
  'go-env-path': 'go and the Go tools on the PATH the tool got',
  'go-env-goroot': 'GOROOT agrees with the go on PATH',
  'go-env-file': 'go env -w settings and the process environment',
  'go-bin-version': 'gopls/dlv built with a Go that can read the workspace',
  'mem-as': 'address-space limit (RLIMIT_AS, ulimit -v) for the Go runtime',
  'mem-data': 'data-segment limit (RLIMIT_DATA, ulimit -d) for the Go runtime',
  'mem-cgroup': 'cgroup memory limit of the tool',
  'fs-reparse': 'junctions and mount points on the Go paths',
  'libc-compat': 'the Go tools load with this C library',
  'vscode-server': "VS Code server's requirements",
  'go-settings': 'VS Code Go settings',
  'go-cache': 'gopls cache, GOCACHE and GOMODCACHE',
};

export interface VerdictParts {
  facts?: DoctorFact[];
  fix?: DoctorFix[];
  refs?: string[];
}

export function fact(name: string, value: DoctorFact['value'], source: string): DoctorFact {
  return { name, value, source };
}

export function verdict(id: DoctorCheckId, status: DoctorStatus, message: string, parts: VerdictParts = {}): DoctorCheck {
  return { id, status, title: TITLES[id], message, facts: parts.facts ?? [], fix: parts.fix ?? [], refs: parts.refs ?? [] };
}

export function skipped(id: DoctorCheckId, reason: string, facts: DoctorFact[] = []): DoctorCheck {
  return verdict(id, 'skipped', reason, { facts });
}

const RANK: Record<DoctorStatus, number> = { skipped: 0, ok: 1, warning: 2, error: 3 };

/** The worse of two statuses (error > warning > ok > skipped). */
export function worse(a: DoctorStatus, b: DoctorStatus): DoctorStatus {
  return RANK[b] > RANK[a] ? b : a;
}

/** The crash-log lines that point at a check. */
export function signaturesFor(facts: Facts, id: DoctorCheckId): CrashSignature[] {
  return facts.log?.signatures.filter((s) => s.check === id) ?? [];
}

/** Bytes in the unit a person reads them in: `694 MiB`, `1.2 GiB`. */
export function bytesText(value: bigint): string {
  const mib = Number(value) / 2 ** 20;
  if (mib >= 1024) return `${(mib / 1024).toFixed(mib % 1024 === 0 ? 0 : 1)} GiB`;
  if (mib >= 1) return `${Math.round(mib)} MiB`;
  return `${value} bytes`;
}

/** Home shown as `~`, as a user would type the path. */
export function tilde(path: string, home: string): string {
  return home !== '' && home !== '/' && (path === home || path.startsWith(`${home}/`)) ? `~${path.slice(home.length)}` : path;
}
