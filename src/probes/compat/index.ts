// The compat family: dependency resolution and the ld.so.cache (deps.ts), and verdicts (check.ts).
export { readLdSoCache, readLdSoCacheSync, resolveDeps, resolveDepsSync } from './deps.js';
export type {
  DepsCandidate,
  DepsResult,
  DepsTreeNode,
  FoundVia,
  LdSoCache,
  LdSoCacheEntry,
  MissingLibrary,
  ResolveDepsOptions,
  ResolvedLibrary,
} from './deps.js';
export { checkCompat, checkCompatSync } from './check.js';
export type { CompatReport, CompatTarget, MissingVersion } from './verdict-types.js';
export { glibcTableFor } from './glibc-target.js';
