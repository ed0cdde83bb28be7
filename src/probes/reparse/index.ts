// The reparse family: one point (point.ts), a directory scan (scan.ts), a path explained (explain.ts).
export * from './point.js';
export * from './scan.js';
