// Go release names as a Go binary (runtime.Version), `go version` and go.mod's `go` line write them.

export interface GoVersion {
  major: number;
  minor: number;
  /** 0 when the name has none ('go1.22', 'go1.21rc2'). */
  patch: number;
  /** 'rc2', 'beta1', 'devel' (a development build), or null for a release. */
  pre: string | null;
}

const RELEASE = /^go(\d+)(?:\.(\d+))?(?:\.(\d+))?((?:rc|beta|alpha)\d+)?(?=$|[\s\-+])/;

/**
 * 'go1.22.3' → { major: 1, minor: 22, patch: 3, pre: null }; 'go1.21rc2' → pre 'rc2'; 'devel go1.23-abc… +0000'
 * → { 1, 23, 0, pre: 'devel' }; go.mod's '1.22' (without 'go') is read as well. A suffix after a space, '-' or
 * '+' (' X:boringcrypto', '-bigcorp') is ignored. null for anything else.
 */
export function parseGoVersion(name: string): GoVersion | null {
  if (typeof name !== 'string') return null;
  let text = name.trim();
  let devel = false;
  if (text.startsWith('devel ')) {
    devel = true;
    text = text.slice('devel '.length).trimStart();
  }
  if (/^\d/.test(text)) text = `go${text}`;
  const m = RELEASE.exec(text);
  if (m === null) return null;
  return {
    major: Number(m[1]),
    minor: m[2] === undefined ? 0 : Number(m[2]),
    patch: m[3] === undefined ? 0 : Number(m[3]),
    pre: devel ? 'devel' : (m[4] ?? null),
  };
}
