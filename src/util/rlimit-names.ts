/** The resource names of prlimit(1), the same on every platform. (Its own module: importing sysprobe stays cheap.) */
export const RLIMIT_NAMES = [
  'as',
  'core',
  'cpu',
  'data',
  'fsize',
  'locks',
  'memlock',
  'msgqueue',
  'nice',
  'nofile',
  'nproc',
  'rss',
  'rtprio',
  'rttime',
  'sigpending',
  'stack',
] as const;

/** A resource, by the name prlimit(1) gives it (`RLIMIT_AS` is `'as'`, `RLIMIT_NOFILE` is `'nofile'`). */
export type RlimitName = (typeof RLIMIT_NAMES)[number];
