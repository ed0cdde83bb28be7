// fs-reparse and go-cache: the folders Go walks and writes.
import { goBuildSetting } from '../../go/buildinfo.js';
import { answer, whyNot } from '../drive.js';
import type { Facts } from '../facts.js';
import type { DoctorCheck, DoctorFact, DoctorFix, DoctorStatus } from '../types.js';
import { bytesText, fact, skipped, tilde, verdict, worse } from '../verdict.js';
import { compareGoVersions } from './env-file.js';

/** A cache folder with less free than this cannot take one module download or build: error. */
export const CACHE_FULL_BYTES = 64n << 20n;
export const CACHE_FULL_INODES = 1024n;
/** Less free than this: warning. */
export const CACHE_LOW_BYTES = 1n << 30n;

/** `winsymlink` as the tool will run with it: GODEBUG in its environment beats the binary's DefaultGODEBUG, which beats its Go's default. */
export function winsymlink(facts: Facts): { value: '0' | '1'; source: string; goVersion: string | null } {
  const tool =
    facts.tools.find((t) => t.foundBy === 'subject' && t.buildInfo.ok) ??
    facts.tools.find((t) => t.name === 'gopls' && t.buildInfo.ok) ??
    facts.tools.find((t) => t.buildInfo.ok);
  const info = tool?.buildInfo.ok ? tool.buildInfo.value : null;
  const older = info !== null && (compareGoVersions(info.goVersion, '1.23') ?? 1) < 0;
  if (older)
    return {
      value: '0',
      source: `${info.goVersion} predates winsymlink (Go 1.23): it reads junctions as symlinks, whatever GODEBUG says`,
      goVersion: info.goVersion,
    };
  const fromEnv = /(?:^|,)winsymlink=([01])(?:,|$)/.exec(facts.toolEnv.GODEBUG ?? '');
  if (fromEnv !== null)
    return { value: fromEnv[1] as '0' | '1', source: 'GODEBUG in the tool environment', goVersion: info?.goVersion ?? null };
  const baked = /(?:^|,)winsymlink=([01])(?:,|$)/.exec(info === null ? '' : (goBuildSetting(info, 'DefaultGODEBUG') ?? ''));
  if (baked !== null) return { value: baked[1] as '0' | '1', source: `DefaultGODEBUG of ${tool!.path}`, goVersion: info!.goVersion };
  if (info === null) return { value: '1', source: 'no Go tool found: assumed a current Go (>= 1.23)', goVersion: null };
  return { value: '1', source: `${info.goVersion}'s default (winsymlink=1 from Go 1.23)`, goVersion: info.goVersion };
}

export function checkReparse(facts: Facts): DoctorCheck {
  if (facts.paths.length === 0) return skipped('fs-reparse', 'no Go path (GOROOT, GOPATH, GOMODCACHE, workspace, tools) is known');
  const mode = winsymlink(facts);
  const view = mode.value === '1' ? 'go123' : 'go122';
  const who = `${mode.goVersion ?? 'Go'} with winsymlink=${mode.value}`;
  const home = facts.subject.home;
  const facts_: DoctorFact[] = [fact('winsymlink', mode.value, mode.source)];
  let status: DoctorStatus = 'ok';
  const notes: string[] = [];
  const unread: string[] = [];
  for (const { label, path, explanation } of facts.paths) {
    if (!explanation.ok) {
      unread.push(`${label}: ${whyNot(explanation)}`);
      continue;
    }
    const comps = explanation.value.components;
    comps.forEach((c, index) => {
      if (c.reparse === null || c.runtimes === null) return;
      const mid = index < comps.length - 1 && comps.slice(index + 1).some((n) => n.exists);
      const runtime = c.runtimes[view];
      const other = c.runtimes[view === 'go123' ? 'go122' : 'go123'];
      facts_.push(
        fact(
          `${label}: ${c.path}`,
          `${c.reparse.tagName ?? c.reparse.tagHex} (${c.reparse.kind})${c.reparse.target ? ` → ${c.reparse.target.printName || c.reparse.target.substituteName}` : ''}`,
          `probeReparsePoint (${c.reparse.source})`,
        ),
      );
      if (mid && runtime.walk === 'fails') {
        status = 'error';
        notes.push(
          `${label} ${tilde(path, home)} crosses ${c.reparse.kind} ${tilde(c.path, home)}: ${who} sees it as ${runtime.lstat}, so filepath.EvalSymlinks fails with "not a directory" for every path below it`,
        );
      } else if (!mid && runtime.walk === 'fails') {
        status = worse(status, 'warning');
        notes.push(
          `${label} ${tilde(path, home)} is itself a ${c.reparse.kind}: ${who} sees it as ${runtime.lstat} and leaves it unresolved`,
        );
      } else if (other.walk === 'fails') {
        status = worse(status, 'warning');
        notes.push(
          `${label} ${tilde(path, home)} crosses ${c.reparse.kind} ${tilde(c.path, home)}: ${who} ${runtime.walk === 'follows' ? 'follows it' : 'enters it'}, but a Go ${view === 'go122' ? '>= 1.23 (winsymlink=1)' : '<= 1.22'} build of the tool fails there`,
        );
      }
    });
  }
  const fix: DoctorFix[] =
    status === 'ok'
      ? []
      : [
          { text: 'Replace the junction with a directory symbolic link (mklink /D), or point the setting at the target folder itself.' },
          {
            text: 'Or keep the Go <= 1.22 reading for the tools while you move it.',
            setting: 'go.toolsEnvVars',
            value: { GODEBUG: 'winsymlink=0' },
          },
        ];
  const refs = ['golang/go#63703', 'golang/go#61893', 'golangci/golangci-lint#5245', 'golang/go:doc/godebug.md'];
  if (notes.length === 0 && unread.length === facts.paths.length)
    return skipped('fs-reparse', `no path could be walked: ${unread.join('; ')}`, facts_);
  const message =
    notes.length > 0 ? `${notes.join('; ')}.` : `No junction or mount point on ${facts.paths.map((p) => p.label).join(', ')}.`;
  return verdict('fs-reparse', status, message, { facts: facts_, fix, refs });
}

export function checkCache(facts: Facts): DoctorCheck {
  if (facts.caches.length === 0) return skipped('go-cache', 'no cache folder is known');
  const home = facts.subject.home;
  const facts_: DoctorFact[] = [];
  let status: DoctorStatus = 'skipped';
  const notes: string[] = [];
  const fix: DoctorFix[] = [];
  for (const cache of facts.caches) {
    const where = `${cache.label} ${tilde(cache.path, home)}`;
    if (!cache.space.ok) {
      notes.push(`${where} could not be examined: ${whyNot(cache.space)}`);
      continue;
    }
    const space = cache.space.value;
    status = worse(status, 'ok');
    facts_.push(fact(`${cache.label}`, cache.path, cache.source));
    facts_.push(
      fact(
        `${cache.label} free`,
        `${bytesText(space.bytesAvailable)} of ${bytesText(space.bytesTotal)}, ${space.filesFree} inodes free`,
        `statfs(${space.nearestExisting})`,
      ),
    );
    const size = answer(cache.size);
    if (size !== null)
      facts_.push(
        fact(
          `${cache.label} size`,
          `${bytesText(size.bytes)}${size.complete ? '' : ' or more (measurement stopped)'}`,
          `walk of ${size.files} files`,
        ),
      );
    const at = space.exists ? '' : ` (it does not exist yet; it would be made under ${tilde(space.nearestExisting, home)})`;
    if (space.readOnly === true || !space.writable) {
      status = 'error';
      notes.push(`${where} is not writable${at}: go and gopls fail to write to it ("permission denied" / "read-only file system")`);
      fix.push({
        text: `Make ${cache.label} writable, or point it at a writable folder.`,
        ...(cache.label === 'gopls cache' ? {} : { command: `go env -w ${cache.label}=<a writable folder>` }),
      });
    } else if (space.bytesAvailable < CACHE_FULL_BYTES || (space.files > 0n && space.filesFree < CACHE_FULL_INODES)) {
      status = 'error';
      const what = space.bytesAvailable < CACHE_FULL_BYTES ? `${bytesText(space.bytesAvailable)} free` : `${space.filesFree} inodes free`;
      notes.push(`${where} is on a file system with ${what}${at}: downloads and builds fail with "no space left on device"`);
      fix.push({
        text: 'Free space there (go clean -modcache, go clean -cache), or move the cache to a larger file system.',
        command: cache.label === 'GOMODCACHE' ? 'go clean -modcache' : 'go clean -cache',
      });
    } else if (space.bytesAvailable < CACHE_LOW_BYTES) {
      status = worse(status, 'warning');
      notes.push(`${where} has only ${bytesText(space.bytesAvailable)} free`);
    }
    if (size !== null && size.bytes > facts.cacheSizeLimit) {
      status = worse(status, 'warning');
      notes.push(`${where} has grown to ${bytesText(size.bytes)}, over ${bytesText(facts.cacheSizeLimit)}`);
      fix.push({
        text: `Trim ${cache.label}.`,
        command:
          cache.label === 'GOMODCACHE' ? 'go clean -modcache' : cache.label === 'GOCACHE' ? 'go clean -cache' : `rm -rf ${cache.path}`,
      });
    }
  }
  if (status === 'skipped') return skipped('go-cache', notes.join('; '), facts_);
  const message = notes.length > 0 ? `${notes.join('; ')}.` : `${facts.caches.map((c) => c.label).join(', ')}: writable, with room.`;
  return verdict('go-cache', status, message, { facts: facts_, fix, refs: ['golang/vscode-go:docs/troubleshooting.md'] });
}
