// The limits family: resource limits (rlimits.ts), inotify (inotify.ts) and cgroup memory (cgroup.ts).
export * from './rlimits.js';
export * from './inotify.js';
export * from './cgroup.js';
