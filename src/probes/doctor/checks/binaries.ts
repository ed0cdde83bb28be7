// go-bin-version and libc-compat: what the Go tools were built with, and whether they load here.
import { compareVersions } from '../../../util/versions.js';
import { goBuildSetting } from '../../go/buildinfo.js';
import { answer, whyNot } from '../drive.js';
import type { Facts } from '../facts.js';
import type { DoctorCheck, DoctorFact, DoctorFix } from '../types.js';
import { fact, skipped, tilde, verdict, worse } from '../verdict.js';
import { compareGoVersions } from './env-file.js';

/** Node's platform and arch in Go's words (GOOS, GOARCH). */
const GOOS: Partial<Record<NodeJS.Platform, string>> = {
  linux: 'linux',
  darwin: 'darwin',
  win32: 'windows',
  freebsd: 'freebsd',
  openbsd: 'openbsd',
  sunos: 'solaris',
  aix: 'aix',
};
const GOARCH: Record<string, string> = {
  x64: 'amd64',
  arm64: 'arm64',
  ia32: '386',
  arm: 'arm',
  ppc64: 'ppc64le',
  s390x: 's390x',
  riscv64: 'riscv64',
  loong64: 'loong64',
  mips: 'mips',
  mipsel: 'mipsle',
};

export function checkBinVersion(facts: Facts): DoctorCheck {
  const built = facts.tools.filter((t) => t.buildInfo.ok);
  const home = facts.subject.home;
  const facts_: DoctorFact[] = facts.tools.map((t) =>
    fact(
      `${t.name} built with`,
      t.buildInfo.ok ? t.buildInfo.value.goVersion : null,
      t.buildInfo.ok ? `readGoBuildInfo(${t.path})` : `${t.path}: ${whyNot(t.buildInfo)}`,
    ),
  );
  if (built.length === 0) {
    return skipped(
      'go-bin-version',
      facts.tools.length === 0
        ? 'no gopls or dlv on the tool PATH or the shell PATH, and the subject is not a Go binary'
        : 'none of the tools found is a Go binary with build info',
      facts_,
    );
  }
  const goMod = answer(facts.modules)?.goMod ?? null;
  if (goMod !== null) facts_.push(fact('go.mod go line', goMod.go, goMod.path));
  const wantOs = GOOS[process.platform];
  const wantArch = GOARCH[process.arch];
  let status: DoctorCheck['status'] = 'ok';
  const notes: string[] = [];
  const fix: DoctorFix[] = [];
  const good: string[] = [];
  for (const tool of built) {
    if (!tool.buildInfo.ok) continue;
    const info = tool.buildInfo.value;
    const module = info.main === null ? '' : ` ${info.main.version}`;
    const os = goBuildSetting(info, 'GOOS');
    const arch = goBuildSetting(info, 'GOARCH');
    if (
      (os !== undefined && wantOs !== undefined && os !== wantOs) ||
      (arch !== undefined && wantArch !== undefined && arch !== wantArch)
    ) {
      status = 'error';
      notes.push(
        `${tool.name} (${tilde(tool.path, home)}) was built for ${os}/${arch}, this host is ${wantOs}/${wantArch}: exec fails ("exec format error")`,
      );
      fix.push({
        text: `Reinstall ${tool.name} for this platform.`,
        command: tool.name === 'dlv' ? 'go install github.com/go-delve/delve/cmd/dlv@latest' : 'go install golang.org/x/tools/gopls@latest',
      });
      continue;
    }
    const cmp = goMod?.go ? compareGoVersions(goMod.go, info.goVersion) : null;
    if (cmp !== null && cmp > 0) {
      status = 'error';
      notes.push(
        `${tool.name}${module} (${tilde(tool.path, home)}) was built with ${info.goVersion}; ${tilde(goMod!.path, home)} says \`go ${goMod!.go}\`, newer than ${tool.name}'s own Go, so it cannot load the module${tool.name === 'gopls' ? ` (gopls built with go1.19 reports "invalid go version '${goMod!.go}': must match format 1.23"; newer ones panic with "invalid Go version" or say "go.mod requires go >= ${goMod!.go}")` : ''}`,
      );
      fix.push({
        text: `Rebuild ${tool.name} with a Go at least ${goMod!.go} (the go that builds it decides).`,
        command: tool.name === 'dlv' ? 'go install github.com/go-delve/delve/cmd/dlv@latest' : 'go install golang.org/x/tools/gopls@latest',
      });
      continue;
    }
    good.push(`${tool.name}${module} built with ${info.goVersion}`);
  }
  const message =
    notes.length > 0
      ? `${notes.join('; ')}.`
      : `${good.join(', ')}${goMod?.go ? `: can read \`go ${goMod.go}\` (${tilde(goMod.path, home)})` : '; no go.mod in the workspace to compare with'}; built for this platform.`;
  return verdict('go-bin-version', status, message, { facts: facts_, fix, refs: ['golang/go#66553', 'golang/vscode-go#3430'] });
}

/** The highest GLIBC_ version among the missing ones: the lowest glibc on which the binary loads. */
function lowestGlibc(versions: string[]): string | null {
  let best: string | null = null;
  for (const v of versions) {
    const m = /^GLIBC_(\d+\.\d+(?:\.\d+)?)$/.exec(v);
    if (m !== null && (best === null || compareVersions(m[1]!, best) > 0)) best = m[1]!;
  }
  return best;
}

export function checkLibcCompat(facts: Facts): DoctorCheck {
  const target = facts.subject.root === null ? 'this host' : facts.subject.root;
  if (facts.compat.length === 0) return skipped('libc-compat', 'no gopls, dlv or given binary to check');
  const home = facts.subject.home;
  const facts_: DoctorFact[] = [];
  let status: DoctorCheck['status'] = 'skipped';
  const notes: string[] = [];
  const fix: DoctorFix[] = [];
  const good: string[] = [];
  for (const { label, path, report } of facts.compat) {
    if (!report.ok) {
      const code = (report.error as { code?: string }).code;
      facts_.push(fact(`${label} verdict`, null, `checkCompat(${path}): ${whyNot(report)}`));
      if (code !== 'ERR_SYSPROBE_NOT_ELF') notes.push(`${label} could not be checked: ${whyNot(report)}`);
      continue;
    }
    const r = report.value;
    facts_.push(
      fact(`${label} verdict`, r.ok ? 'loads' : 'does not load', `checkCompat(${path}, ${target === 'this host' ? "'host'" : '{ root }'})`),
    );
    if (r.ok) {
      status = worse(status, 'ok');
      good.push(label);
      continue;
    }
    status = 'error';
    const needed = r.missingVersions.filter((m) => !m.weak);
    const glibc = lowestGlibc(needed.map((m) => m.version));
    const symbols = needed.flatMap((m) => m.symbols.map((s) => `${s}@${m.version}`));
    facts_.push(
      fact(`${label} missing versions`, [...new Set(needed.map((m) => `${m.version} (${m.file})`))], 'the loader model (dl-version.c)'),
    );
    if (symbols.length > 0)
      facts_.push(fact(`${label} symbols that need them`, symbols.slice(0, 32), 'the dynamic symbol table (.gnu.version)'));
    for (const lib of r.missingLibraries) facts_.push(fact(`${label} missing library`, lib.name, `required by ${lib.requiredBy}`));
    const words = r.messages.slice(0, 3).join('; ');
    const raise =
      symbols.length === 0
        ? ''
        : `; the symbols that raise the floor: ${symbols.slice(0, 8).join(', ')}${symbols.length > 8 ? ` and ${symbols.length - 8} more` : ''}`;
    const lowest = glibc === null ? '' : `; the lowest glibc it loads on is ${glibc}`;
    notes.push(`${tilde(path, home)} does not load on ${target}: ${words}${raise}${lowest}`);
    const isGo = facts.tools.some((t) => t.path === path && t.buildInfo.ok);
    fix.push(
      isGo
        ? {
            text: `Rebuild ${label} here (\`go install\` links against this glibc), or with CGO_ENABLED=0 for a static binary that needs no glibc version.`,
          }
        : {
            text: `Install a ${label} built for this system (its distribution's package), or rebuild it against an older glibc (a manylinux-style image, or \`zig cc -target x86_64-linux-gnu.2.17\`).`,
          },
    );
  }
  if (status === 'skipped') return skipped('libc-compat', notes.join('; ') || 'none of the tools is an ELF file to check', facts_);
  const message =
    notes.length > 0
      ? `${notes.join('; ')}.`
      : `${good.join(', ')} load on ${target}: every library and symbol version they need is there.`;
  return verdict('libc-compat', status, message, { facts: facts_, fix, refs: ['charmoniumQ/PROBE#142', 'golang/go#46680'] });
}
