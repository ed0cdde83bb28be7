// What the doctor gathered, once, before any check looks at it. Every probe's answer is kept as an
// Outcome, so a check can say exactly which fact it lacked when it has to skip.
import type { ProcessNode } from '../env/processes.js';
import type { RlimitsInfo } from '../limits/rlimits.js';
import type { CgroupMemory } from '../limits/cgroup.js';
import type { ToolLookup } from '../go/lookpath.js';
import type { GoToolchain } from '../go/toolchain.js';
import type { GoMod, GoWork } from '../go/gomod.js';
import type { GoBuildInfo } from '../go/buildinfo.js';
import type { VscodeSettings } from '../editor/vscode.js';
import type { PathExplanation } from '../reparse/explain.js';
import type { CompatReport } from '../compat/verdict-types.js';
import type { LibcInfo } from '../libc/types.js';
import type { DirSize, FsSpace } from '../fs/index.js';
import type { Outcome } from './drive.js';
import type { DoctorProfile, DoctorReport, DoctorSubject } from './types.js';

/** A process the doctor looked at: the tool, its parent, the shell. */
export interface ProcessFacts {
  pid: number;
  node: Outcome<ProcessNode>;
  /** name → value as the process got it (`/proc/PID/environ`), or this process's own environment. */
  env: Outcome<Record<string, string>>;
  envSource: string;
}

/** A Go tool (gopls, dlv, the subject itself, a go.alternateTools entry) and what it was built with. */
export interface ToolFacts {
  name: string;
  /** How it was found: on the tool's PATH, on the shell's, as the subject's executable, from a setting. */
  foundBy: 'tool-path' | 'shell-path' | 'subject' | 'setting' | 'option';
  path: string;
  buildInfo: Outcome<GoBuildInfo>;
}

export interface CacheFacts {
  label: 'gopls cache' | 'GOCACHE' | 'GOMODCACHE';
  path: string;
  source: string;
  space: Outcome<FsSpace>;
  size: Outcome<DirSize> | null;
}

export interface ServerFacts {
  /** The `node` of each installed VS Code server, with its compatibility verdict. */
  nodes: { path: string; compat: Outcome<CompatReport> }[];
  searched: string[];
  glibc: Outcome<LibcInfo>;
  /** The highest GLIBCXX_ version the target's libstdc++.so.6 defines, and where it was read. */
  glibcxx: { version: string | null; path: string | null; error: string | null };
  /** The kernel release (host only: a root's kernel is the host's). */
  kernel: string | null;
  skipMarkers: string[];
}

export interface Facts {
  profiles: DoctorProfile[];
  subject: DoctorSubject;
  tool: ProcessFacts | null;
  parent: ProcessFacts | null;
  shell: ProcessFacts | null;
  /** The environment the diagnosed tool runs with (the subject's, else this process's). */
  toolEnv: Record<string, string>;
  shellEnv: Record<string, string> | null;
  toolchain: Outcome<GoToolchain>;
  shellToolchain: Outcome<GoToolchain> | null;
  lookups: { name: string; tool: Outcome<ToolLookup>; shell: Outcome<ToolLookup> | null }[];
  tools: ToolFacts[];
  modules: Outcome<{ goMod: GoMod | null; goWork: GoWork }> | null;
  rlimits: Outcome<RlimitsInfo>;
  parentRlimits: Outcome<RlimitsInfo> | null;
  cgroup: Outcome<CgroupMemory>;
  settings: Outcome<VscodeSettings>;
  paths: { label: string; path: string; explanation: Outcome<PathExplanation> }[];
  compat: { label: string; path: string; report: Outcome<CompatReport> }[];
  server: ServerFacts | null;
  caches: CacheFacts[];
  log: DoctorReport['log'];
  logError: string | null;
  /** Go processes running now (gopls, dlv), for the hint when no pid was given. */
  running: ProcessNode[];
  cacheSizeLimit: bigint;
  /** Whether each path a setting names exists (stat, following links). */
  exists: Record<string, boolean>;
}
