// go-env-path and go-env-goroot: does the tool find `go`, and is it the Go that GOROOT names?
import { delimiter } from 'node:path';
import { answer, whyNot } from '../drive.js';
import type { Facts } from '../facts.js';
import type { DoctorCheck, DoctorFact } from '../types.js';
import { fact, skipped, tilde, verdict, worse } from '../verdict.js';

function subjectName(facts: Facts): string {
  return facts.tool === null ? 'this process' : `${facts.subject.name ?? 'the process'} (pid ${facts.tool.pid})`;
}

function shellName(facts: Facts): string {
  return facts.subject.shell === null ? 'your shell' : `your shell (${facts.subject.shell.name}, pid ${facts.subject.shell.pid})`;
}

function envSource(facts: Facts): string {
  return facts.tool === null ? "this process's environment" : facts.tool.envSource;
}

/** The PATH entries one side has and the other lacks, in order. */
export function pathDiff(toolPath: string, shellPath: string): { onlyShell: string[]; onlyTool: string[] } {
  const tool = toolPath.split(delimiter);
  const shell = shellPath.split(delimiter);
  return { onlyShell: shell.filter((e) => e !== '' && !tool.includes(e)), onlyTool: tool.filter((e) => e !== '' && !shell.includes(e)) };
}

export function checkEnvPath(facts: Facts): DoctorCheck {
  if (facts.tool !== null && !facts.tool.env.ok)
    return skipped('go-env-path', `cannot read the environment of pid ${facts.tool.pid}: ${whyNot(facts.tool.env)}`);
  const toolPath = facts.toolEnv.PATH;
  const shellPath = facts.shellEnv?.PATH;
  const lookup = (name: string) => facts.lookups.find((l) => l.name === name);
  const go = answer(lookup('go')?.tool);
  const shellGo = answer(lookup('go')?.shell);
  const facts_: DoctorFact[] = [fact('tool PATH', toolPath ?? null, envSource(facts))];
  if (shellPath !== undefined) facts_.push(fact('shell PATH', shellPath, facts.shell?.envSource ?? 'the shell'));
  facts_.push(fact('go on the tool PATH', go?.path ?? null, 'PATH lookup (stat only, as exec.LookPath)'));
  if (facts.shellEnv !== null)
    facts_.push(fact('go on the shell PATH', shellGo?.path ?? null, 'PATH lookup (stat only, as exec.LookPath)'));
  const diff = toolPath !== undefined && shellPath !== undefined ? pathDiff(toolPath, shellPath) : null;
  if (diff !== null) {
    facts_.push(fact('PATH entries only the shell has', diff.onlyShell, 'PATH diff'));
    facts_.push(fact('PATH entries only the tool has', diff.onlyTool, 'PATH diff'));
  }
  const refs = ['microsoft/vscode#108003', 'golang/vscode-go#3688', 'microsoft/vscode-go#3159'];
  const home = facts.subject.home;
  if (go === null || go.path === null) {
    const where = `PATH=${toolPath ?? '(unset)'}`;
    const shellHas = shellGo?.path
      ? `; ${shellName(facts)} finds it at ${tilde(shellGo.path, home)}`
      : facts.shellEnv !== null
        ? `; ${shellName(facts)} does not find it either`
        : '';
    const missingDir = shellGo?.path && diff !== null ? diff.onlyShell.find((dir) => shellGo.path!.startsWith(`${dir}/`)) : undefined;
    const because = missingDir === undefined ? '' : ` (from ${tilde(missingDir, home)}, which the tool's PATH lacks)`;
    const fix = [
      {
        text: 'Start the editor from the shell that finds go (`code .` in a terminal), so the tool inherits its environment.',
        command: 'code .',
      },
      {
        text: 'Set PATH in ~/.profile (or ~/.zprofile), which login shells read; an editor started from a desktop icon or the Dock reads neither ~/.bashrc nor ~/.zshrc.',
      },
    ];
    if (shellGo?.path)
      fix.push({ text: 'Or tell the Go extension where go is.', setting: 'go.alternateTools', value: { go: shellGo.path } } as never);
    return verdict('go-env-path', 'error', `\`go\` is not on the PATH ${subjectName(facts)} got: ${where}${shellHas}${because}.`, {
      facts: facts_,
      fix,
      refs,
    });
  }
  let status: DoctorCheck['status'] = 'ok';
  const notes: string[] = [];
  if (shellGo?.realPath && go.realPath && shellGo.realPath !== go.realPath) {
    status = 'warning';
    notes.push(
      `the tool runs go at ${tilde(go.path, home)} (${tilde(go.realPath, home)}) but ${shellName(facts)} runs ${tilde(shellGo.realPath, home)}`,
    );
  }
  for (const name of ['gopls', 'dlv']) {
    const onTool = answer(lookup(name)?.tool)?.path;
    const onShell = answer(lookup(name)?.shell)?.path;
    if (!onTool && onShell && facts.subject.name !== name) {
      status = worse(status, 'warning');
      notes.push(`\`${name}\` is on ${shellName(facts)}'s PATH (${tilde(onShell, home)}) but not on the tool's`);
    }
  }
  const toolchain = answer(facts.toolchain);
  for (const key of ['GOROOT', 'GOPATH'] as const) {
    const set = facts.toolEnv[key];
    if (set === undefined || set === '') continue;
    const entry = facts.paths.find((p) => p.label === key);
    const exists = key === 'GOROOT' ? toolchain?.goroot.exists : answer(entry?.explanation)?.components.every((c) => c.exists);
    facts_.push(fact(`${key} (environment)`, set, envSource(facts)));
    if (exists === false) {
      status = worse(status, 'warning');
      notes.push(`${key}=${tilde(set, home)} points at nothing`);
    }
  }
  const message =
    notes.length === 0
      ? `\`go\` resolves to ${tilde(go.path, home)} on the PATH ${subjectName(facts)} got${shellGo?.path ? ', the same go as your shell' : ''}.`
      : `\`go\` resolves to ${tilde(go.path, home)}, but ${notes.join('; ')}.`;
  const fix =
    status === 'ok'
      ? []
      : [{ text: 'Start the editor from your shell (`code .`), or make the tool environment match the shell (PATH in ~/.profile).' }];
  return verdict('go-env-path', status, message, { facts: facts_, fix, refs });
}

export function checkEnvGoroot(facts: Facts): DoctorCheck {
  if (!facts.toolchain.ok) return skipped('go-env-goroot', `the Go toolchain facts could not be read: ${whyNot(facts.toolchain)}`);
  const toolchain = facts.toolchain.value;
  const home = facts.subject.home;
  const goroot = toolchain.goroot;
  const facts_: DoctorFact[] = [
    fact('GOROOT', goroot.path, goroot.source === 'env' ? envSource(facts) : (goroot.source ?? 'unset')),
    fact('GOROOT VERSION', goroot.version, goroot.versionFile ?? 'no VERSION file'),
    fact('go on PATH', toolchain.go.path, 'PATH lookup'),
    fact('GOROOT derived from go on PATH', toolchain.derivedGoroot, 'realpath(go)/../..'),
    fact('VERSION there', toolchain.derivedVersion, toolchain.derivedGoroot === null ? 'none' : `${toolchain.derivedGoroot}/VERSION`),
  ];
  const refs = ['golang/go#18678', 'golang/vscode-go#776', 'go-nv/goenv#367'];
  if (goroot.path === null && toolchain.go.path === null)
    return skipped('go-env-goroot', 'neither GOROOT nor a go on PATH: nothing to compare', facts_);
  if (goroot.source !== 'env' && goroot.source !== 'go-env-file') {
    return verdict(
      'go-env-goroot',
      'ok',
      `GOROOT is not set; go derives it from its own path: ${tilde(toolchain.derivedGoroot ?? '?', home)} (${toolchain.derivedVersion ?? 'no VERSION'}).`,
      { facts: facts_, refs },
    );
  }
  const fix = [
    {
      text: `Unset GOROOT where it is exported (${goroot.source === 'env' ? 'the shell profile, or the environment the editor was started with' : `the go env -w file: go env -u GOROOT`}); go finds its own root.`,
      command: goroot.source === 'env' ? 'unset GOROOT' : 'go env -u GOROOT',
    },
    { text: 'Or point the Go extension at one Go for both.', setting: 'go.alternateTools' },
  ];
  if (!goroot.exists)
    return verdict(
      'go-env-goroot',
      'error',
      `GOROOT=${tilde(goroot.path ?? '', home)} does not exist; go and gopls fail with "cannot find GOROOT directory".`,
      { facts: facts_, fix, refs },
    );
  if (toolchain.derivedGoroot === null)
    return verdict(
      'go-env-goroot',
      'ok',
      `GOROOT=${tilde(goroot.path ?? '', home)} (${goroot.version ?? 'no VERSION'}); no go on PATH to compare with.`,
      { facts: facts_, refs },
    );
  if (goroot.version !== null && toolchain.derivedVersion !== null && goroot.version !== toolchain.derivedVersion) {
    return verdict(
      'go-env-goroot',
      'error',
      `GOROOT=${tilde(goroot.path ?? '', home)} is ${goroot.version}, but the go on PATH (${tilde(toolchain.go.path ?? '', home)}) is ${toolchain.derivedVersion}: that go builds with the other release's standard library ("compile: version … does not match go tool version"), and gopls type-checks against it.`,
      { facts: facts_, fix, refs },
    );
  }
  if (goroot.path !== toolchain.derivedGoroot) {
    return verdict(
      'go-env-goroot',
      'warning',
      `GOROOT=${tilde(goroot.path ?? '', home)} is not the root of the go on PATH (${tilde(toolchain.derivedGoroot, home)}), though both say ${goroot.version ?? 'the same version'}.`,
      { facts: facts_, fix, refs },
    );
  }
  return verdict(
    'go-env-goroot',
    'ok',
    `GOROOT=${tilde(goroot.path ?? '', home)} is the root of the go on PATH (${goroot.version ?? 'no VERSION'}).`,
    { facts: facts_, refs },
  );
}
