// The limits family: resource limits (rlimits.ts) and inotify (inotify.ts).
export * from './rlimits.js';
export * from './inotify.js';
