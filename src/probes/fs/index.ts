// The fs family: the space and inodes left on a filesystem (space.ts) and the size of a tree (dirsize.ts).
export * from './space.js';
export * from './dirsize.js';
