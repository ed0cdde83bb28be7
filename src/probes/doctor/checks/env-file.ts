// go-env-file and go-settings: the settings files a user wrote (go env -w, VS Code's settings.json)
// against the environment the tool actually got.
import { isAbsolute } from 'node:path';
import { expandSettingPath } from '../../editor/vscode.js';
import { parseGoVersion } from '../../go/version.js';
import { answer, whyNot } from '../drive.js';
import type { Facts } from '../facts.js';
import type { DoctorCheck, DoctorFact, DoctorFix } from '../types.js';
import { fact, skipped, tilde, verdict, worse } from '../verdict.js';

/** Go versions compared as the go command does (`1.22` < `1.22.0` treated equal here; `go1.21.5`, `1.21rc2`). */
export function compareGoVersions(a: string, b: string): number | null {
  const x = parseGoVersion(a.startsWith('go') ? a : `go${a}`);
  const y = parseGoVersion(b.startsWith('go') ? b : `go${b}`);
  if (x === null || y === null) return null;
  return x.major - y.major || x.minor - y.minor || x.patch - y.patch;
}

export function checkEnvFile(facts: Facts): DoctorCheck {
  if (!facts.toolchain.ok) return skipped('go-env-file', `the Go toolchain facts could not be read: ${whyNot(facts.toolchain)}`);
  const toolchain = facts.toolchain.value;
  const home = facts.subject.home;
  const file = toolchain.goEnvFile;
  const facts_: DoctorFact[] = [
    fact(
      'go env -w file',
      file.path,
      file.source === 'GOENV' ? 'GOENV' : file.source === 'off' ? 'GOENV=off' : 'os.UserConfigDir()/go/env',
    ),
  ];
  facts_.push(
    fact(
      'its settings',
      Object.entries(file.values).map(([k, v]) => `${k}=${v}`),
      file.path ?? 'none',
    ),
  );
  let status: DoctorCheck['status'] = 'ok';
  const notes: string[] = [];
  const fix: DoctorFix[] = [];
  for (const [key, written] of Object.entries(file.values)) {
    const resolved = toolchain.values[key];
    if (resolved === undefined || resolved.source !== 'env' || resolved.value === written) continue;
    status = 'warning';
    notes.push(
      `\`${key}=${written}\` from go env -w (${tilde(file.path ?? '', home)}) is overridden by the process environment (${key}=${resolved.value})`,
    );
    fix.push({
      text: `Keep one: unset ${key} in the environment the tool is started with, or drop it from the file.`,
      command: `go env -u ${key}`,
    });
  }
  const gotoolchain = toolchain.values.GOTOOLCHAIN;
  const goMod = answer(facts.modules)?.goMod ?? null;
  const localGo = toolchain.derivedVersion ?? toolchain.goroot.version;
  if (gotoolchain !== undefined)
    facts_.push(
      fact('GOTOOLCHAIN', gotoolchain.value, gotoolchain.source === 'env' ? 'the environment' : (gotoolchain.file ?? gotoolchain.source)),
    );
  if (goMod !== null) facts_.push(fact('go.mod go line', goMod.go, goMod.path));
  if (gotoolchain?.value === 'local' && goMod?.go && localGo !== null) {
    const cmp = compareGoVersions(goMod.go, localGo);
    if (cmp !== null && cmp > 0) {
      status = worse(status, 'warning');
      notes.push(
        `GOTOOLCHAIN=local (${gotoolchain.source === 'env' ? 'environment' : tilde(gotoolchain.file ?? gotoolchain.source, home)}) while ${tilde(goMod.path, home)} says \`go ${goMod.go}\`, newer than the local ${localGo}: go refuses to build it ("go.mod requires go >= ${goMod.go}") and gopls cannot load the module`,
      );
      fix.push({ text: 'Let go fetch the toolchain the module asks for, or install that Go.', command: 'go env -w GOTOOLCHAIN=auto' });
    }
  }
  const message =
    notes.length > 0
      ? `${notes.join('; ')}.`
      : file.exists
        ? `No go env -w setting in ${tilde(file.path ?? '', home)} is overridden, and GOTOOLCHAIN does not block the module.`
        : `No go env -w file (${tilde(file.path ?? 'GOENV=off', home)}); nothing to override.`;
  return verdict('go-env-file', status, message, {
    facts: facts_,
    fix,
    refs: ['golang/go:src/cmd/go/testdata/script/env_write.txt', 'golang/vscode-go#3430'],
  });
}

function expand(facts: Facts, value: string): string {
  return expandSettingPath(value, {
    home: facts.subject.home,
    ...(facts.subject.workspace === null ? {} : { workspace: facts.subject.workspace }),
    env: facts.toolEnv,
  });
}

export function checkSettings(facts: Facts): DoctorCheck {
  const exists = (path: string) => facts.exists[path] === true;
  if (!facts.settings.ok) return skipped('go-settings', `the VS Code settings could not be read: ${whyNot(facts.settings)}`);
  const settings = facts.settings.value;
  const home = facts.subject.home;
  const facts_: DoctorFact[] = settings.files.filter((f) => f.exists).map((f) => fact(`${f.scope} settings`, f.path, 'settings.json'));
  facts_.push(
    fact(
      'Go extension',
      settings.goExtension.dirs.map((d) => `${d.path}${d.version ? ` (${d.version})` : ''}`),
      'extensions folders',
    ),
  );
  let status: DoctorCheck['status'] = 'ok';
  const notes: string[] = [];
  const fix: DoctorFix[] = [];
  for (const file of settings.files) {
    if (file.error === undefined) continue;
    status = worse(status, 'warning');
    notes.push(`${tilde(file.path, home)} does not parse (${file.error.message}); VS Code ignores what follows the error`);
  }
  const setting = (key: string) => settings.effective[key];
  const goroot = setting('go.goroot');
  if (typeof goroot?.value === 'string' && goroot.value !== '') {
    const path = expand(facts, goroot.value);
    facts_.push(fact('go.goroot', path, goroot.file));
    const toolGoroot = answer(facts.toolchain)?.goroot.path ?? null;
    if (!isAbsolute(path) || !exists(path)) {
      status = 'error';
      notes.push(
        `go.goroot (${tilde(goroot.file, home)}) names ${path}, which does not exist: the Go extension puts its bin on the tools' PATH and sets GOROOT from it, so go and gopls are not found`,
      );
      fix.push({
        text: 'Point go.goroot at an existing Go root (the folder holding bin/go and VERSION), or remove it so the go on PATH decides.',
        setting: 'go.goroot',
        ...(toolGoroot === null ? {} : { value: toolGoroot }),
      });
    } else if (toolGoroot !== null && toolGoroot !== path) {
      status = worse(status, 'warning');
      notes.push(`go.goroot is ${tilde(path, home)} but the tool got GOROOT ${tilde(toolGoroot, home)}`);
    }
  }
  const gopath = setting('go.gopath');
  if (typeof gopath?.value === 'string' && gopath.value !== '') {
    const path = expand(facts, gopath.value);
    facts_.push(fact('go.gopath', path, gopath.file));
    if (!exists(path)) {
      status = worse(status, 'warning');
      notes.push(`go.gopath names ${path}, which does not exist`);
      fix.push({ text: 'Create the folder or remove the setting (Go defaults GOPATH to ~/go).', setting: 'go.gopath' });
    }
  }
  const alternates = setting('go.alternateTools')?.value;
  if (typeof alternates === 'object' && alternates !== null) {
    for (const [name, value] of Object.entries(alternates as Record<string, unknown>)) {
      if (typeof value !== 'string' || value === '') continue;
      const path = expand(facts, value);
      facts_.push(fact(`go.alternateTools.${name}`, path, setting('go.alternateTools')!.file));
      if (isAbsolute(path) && !exists(path)) {
        status = 'error';
        notes.push(`go.alternateTools.${name} names ${path}, which does not exist`);
        fix.push({ text: `Point go.alternateTools.${name} at the real binary, or remove the entry.`, setting: 'go.alternateTools' });
      }
    }
  }
  const goWork = answer(facts.modules)?.goWork;
  if (goWork !== undefined) {
    facts_.push(fact('go.work', goWork.path, goWork.source));
    if (goWork.source === 'GOWORK' && goWork.path !== null && !goWork.exists) {
      status = worse(status, 'warning');
      notes.push(`GOWORK names ${goWork.path}, which does not exist: go commands fail with "go: GOWORK=… does not exist"`);
      fix.push({ text: 'Unset GOWORK, or set it to off.', command: 'go env -w GOWORK=off' });
    } else if (goWork.source === 'found' && goWork.path !== null) {
      notes.push(`gopls will see the workspace file ${tilde(goWork.path, home)} (modules: ${goWork.use.join(', ') || 'none'})`);
    }
  }
  const message =
    notes.length === 0
      ? settings.files.some((f) => f.exists)
        ? 'The Go settings name paths that exist.'
        : 'No VS Code settings for Go were found.'
      : `${notes.join('; ')}.`;
  return verdict('go-settings', status, message, { facts: facts_, fix, refs: ['golang/vscode-go:docs/settings.md'] });
}
