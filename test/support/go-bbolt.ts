// Builds a small Go program against real bbolt, offline: Debian's golang-github-coreos-bbolt-dev
// (bbolt 1.3.6) and golang-golang-x-sys-dev sources under /usr/share/gocode/src, no module proxy.
// Used by the bbolt tests and bench (src/bolt/testing.ts) and the Trivy DB export tests.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const GOCODE = '/usr/share/gocode/src';

/** Why a bbolt Go program cannot be built here, or undefined when it can. */
export function goMissing(): string | undefined {
  const probe = spawnSync('go', ['version'], { stdio: 'ignore' });
  if (probe.error !== undefined || probe.status !== 0) return 'the "go" command is not installed';
  for (const dir of ['go.etcd.io/bbolt', 'golang.org/x/sys/unix']) {
    if (!existsSync(join(GOCODE, dir))) return `${join(GOCODE, dir)} is missing (apt-get install golang-github-coreos-bbolt-dev)`;
  }
  return undefined;
}

const built = new Map<string, string>();

/** Path of the binary built from `mainGo` (once per process, in a temporary directory removed at exit). */
export function buildBboltProgram(name: string, mainGo: string): string {
  const cached = built.get(mainGo);
  if (cached !== undefined) return cached;
  const dir = mkdtempSync(join(tmpdir(), `stella-${name}-`));
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  const src = join(dir, 'src');
  mkdirSync(src);
  copyFileSync(mainGo, join(src, 'main.go'));
  writeFileSync(join(src, 'go.mod'), `module example.com/${name}

go 1.19

require go.etcd.io/bbolt v1.3.6

require golang.org/x/sys v0.0.0-20200923182605-d9f96fdee20d // indirect

replace (
\tgo.etcd.io/bbolt => ${GOCODE}/go.etcd.io/bbolt
\tgolang.org/x/sys => ${GOCODE}/golang.org/x/sys
)
`);
  const env = {
    ...process.env, GOPROXY: 'off', GOFLAGS: '-mod=mod', GO111MODULE: 'on', CGO_ENABLED: '0',
    GOCACHE: join(dir, 'gocache'), GOPATH: join(dir, 'gopath'), GOTOOLCHAIN: 'local',
  };
  const out = join(dir, name);
  const run = spawnSync('go', ['build', '-o', out, '.'], { cwd: src, env, encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`go build of ${mainGo} failed: ${run.stderr}${run.error?.message ?? ''}`);
  built.set(mainGo, out);
  return out;
}
