/*
 * Go binaries against `go version -m` (the Go toolchain's own reader of the same build info):
 * tiny programs built offline with Debian's golang-go in test setup (module mode with a vendor
 * directory and a module replacement, module mode with directory replacements, GOPATH mode),
 * cross-compiled to ELF 32/64 in both byte orders, PE32/PE32+ and Mach-O (and a fat Mach-O made
 * from two slices), plus the Go binaries Debian ships on this machine (skopeo, the go command and
 * its tools). Then the same binaries and go.mod through a layered image scan.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ALL_ANALYZERS } from '../../src/catalog/index.js';
import { goBinaryAnalyzer } from '../../src/catalog/lang/go/binary.js';
import { goModAnalyzer } from '../../src/catalog/lang/go/gomod.js';
import { synthFat } from '../../src/catalog/lang/binary/synth.js';
import { scanImage } from '../../src/scan/index.js';
import { requireTool } from '../support/tools.js';
import { writeOciLayout } from '../support/image-builder.js';

const GOCODE = '/usr/share/gocode/src';
const HAVE_GO = spawnSync('go', ['version']).status === 0 && existsSync(`${GOCODE}/golang.org/x/mod/semver`);
const TARGETS = ['linux/amd64', 'linux/386', 'linux/arm64', 'linux/mips', 'linux/s390x', 'windows/386', 'windows/amd64', 'darwin/amd64', 'darwin/arm64'];

const GO_MOD_A = `module example.com/hello

go 1.19

require (
\tgolang.org/x/mod v0.7.0
\tgolang.org/x/sys v0.3.0 // indirect
)

replace golang.org/x/sys v0.3.0 => example.com/sysfork v0.3.1
`;
const MODULES_TXT = '# golang.org/x/mod v0.7.0\n## explicit; go 1.17\ngolang.org/x/mod/semver\n# golang.org/x/sys v0.3.0 => example.com/sysfork v0.3.1\n## explicit; go 1.17\ngolang.org/x/sys/cpu\n';
const MAIN_A = 'package main\n\nimport (\n\t"os"\n\n\t"golang.org/x/mod/semver"\n\t"golang.org/x/sys/cpu"\n)\n\nfunc main() {\n\tif semver.IsValid(os.Args[0]) && cpu.X86.HasAVX {\n\t\tos.Exit(1)\n\t}\n}\n';
const MAIN_MINI = 'package main\n\nimport (\n\t"os"\n\n\t"golang.org/x/mod/semver"\n)\n\nfunc main() {\n\tif semver.IsValid(os.Args[0]) {\n\t\tos.Exit(1)\n\t}\n}\n';
const GO_MOD_B = `module example.com/boltcli

go 1.19

require go.etcd.io/bbolt v1.3.6

require golang.org/x/sys v0.3.0 // indirect

replace (
\tgo.etcd.io/bbolt => ${GOCODE}/go.etcd.io/bbolt
\tgolang.org/x/sys => ${GOCODE}/golang.org/x/sys
)
`;
const MAIN_B = 'package main\n\nimport (\n\t"os"\n\n\tbolt "go.etcd.io/bbolt"\n)\n\nfunc main() {\n\tdb, err := bolt.Open(os.Args[1], 0o600, nil)\n\tif err != nil {\n\t\tos.Exit(1)\n\t}\n\t_ = db.Close()\n}\n';

function goBuild(dir: string, out: string, pkg: string, env: Record<string, string>): void {
  const run = spawnSync('go', ['build', '-o', out, pkg], { cwd: dir, encoding: 'utf8', env: { ...process.env, GOPROXY: 'off', CGO_ENABLED: '0', GOFLAGS: '', ...env } });
  if (run.status !== 0) throw new Error(`go build ${pkg} in ${dir} failed: ${run.stderr}`);
}

/** Builds the test programs; returns binary name → path. */
function buildPrograms(root: string): Map<string, string> {
  const bins = new Map<string, string>();
  const a = join(root, 'a');
  mkdirSync(join(a, 'vendor/golang.org/x/sys'), { recursive: true });
  mkdirSync(join(a, 'cmd/mini'), { recursive: true });
  cpSync(`${GOCODE}/golang.org/x/mod`, join(a, 'vendor/golang.org/x/mod'), { recursive: true });
  cpSync(`${GOCODE}/golang.org/x/sys/cpu`, join(a, 'vendor/golang.org/x/sys/cpu'), { recursive: true });
  writeFileSync(join(a, 'go.mod'), GO_MOD_A);
  writeFileSync(join(a, 'vendor/modules.txt'), MODULES_TXT);
  writeFileSync(join(a, 'main.go'), MAIN_A);
  writeFileSync(join(a, 'cmd/mini/main.go'), MAIN_MINI);
  for (const target of TARGETS) {
    const [goos, goarch] = target.split('/') as [string, string];
    const out = join(root, `hello-${goos}-${goarch}`);
    goBuild(a, out, '.', { GOOS: goos, GOARCH: goarch, GOFLAGS: '-mod=vendor' });
    bins.set(`hello-${goos}-${goarch}`, out);
  }
  goBuild(a, join(root, 'mini'), './cmd/mini', { GOFLAGS: '-mod=vendor' });
  bins.set('mini', join(root, 'mini'));
  const b = join(root, 'b');
  mkdirSync(b);
  writeFileSync(join(b, 'go.mod'), GO_MOD_B);
  writeFileSync(join(b, 'main.go'), MAIN_B);
  goBuild(b, join(root, 'boltcli'), '.', { GOFLAGS: '-mod=mod' });
  bins.set('boltcli', join(root, 'boltcli'));
  const c = join(root, 'gopath/src/example.com/semv');
  mkdirSync(c, { recursive: true });
  writeFileSync(join(c, 'main.go'), MAIN_MINI);
  goBuild(c, join(root, 'semv'), '.', { GO111MODULE: 'off', GOPATH: `${join(root, 'gopath')}:/usr/share/gocode` });
  bins.set('semv', join(root, 'semv'));
  return bins;
}

/** Go binaries shipped by Debian packages here (and any other Go executables in a few known dirs). */
function shippedGoBinaries(): string[] {
  const candidates = ['/usr/bin/skopeo', '/usr/lib/go-1.19/bin/go', '/usr/lib/go-1.19/bin/gofmt'];
  for (const dir of ['/usr/lib/go-1.19/pkg/tool/linux_amd64', '/usr/lib/google-cloud-sdk/bin']) {
    if (existsSync(dir)) candidates.push(...readdirSync(dir).map((f) => join(dir, f)));
  }
  // go version -m exits 0 even for files it cannot read (it says so on stderr): keep the ones it reads.
  return candidates.filter((f) => existsSync(f) && statSync(f).isFile()
    && spawnSync('go', ['version', '-m', f], { encoding: 'utf8', maxBuffer: 1 << 26 }).stdout.startsWith(`${f}: go`));
}

function moduleId(path: string, version: string): string {
  return `${path}@${version}`;
}

/**
 * The packages `go version -m` output implies under the analyzer's documented mapping: main module,
 * deps (replacement reported; a directory replacement keeps the path, takes "(devel)"), stdlib.
 */
function expectedFromGoVersion(output: string): string[] {
  const lines = output.split('\n');
  const goVersion = (lines[0] ?? '').slice((lines[0] ?? '').indexOf(': ') + 2);
  const out: string[] = [];
  let pending: { path: string; version: string } | undefined;
  const flush = () => {
    if (pending !== undefined) out.push(moduleId(pending.path, pending.version));
    pending = undefined;
  };
  for (const line of lines.slice(1)) {
    const cols = line.replace(/^\t/, '').split('\t');
    if (cols[0] === 'mod' || cols[0] === 'dep') {
      flush();
      pending = { path: cols[1] ?? '', version: cols[2] ?? '' };
    } else if (cols[0] === '=>' && pending !== undefined) {
      const target = cols[1] ?? '';
      const dir = target.startsWith('.') || target.startsWith('/');
      pending = dir ? { path: pending.path, version: cols[2] ?? '' } : { path: target, version: cols[2] ?? '' };
      flush();
    }
  }
  flush();
  const m = /^go(\d+)\.(\d+)(?:\.(\d+))?(?:(rc|beta)(\d+))?(?: |$)/.exec(goVersion);
  out.push(moduleId('stdlib', m === null ? '(devel)' : `v${m[1]}.${m[2]}.${m[3] ?? '0'}${m[4] === undefined ? '' : `-${m[4]}.${m[5]}`}`));
  return out.sort();
}

function ours(file: string, content: Buffer = readFileSync(file)): string[] {
  const result = goBinaryAnalyzer.analyze({ path: file, content });
  assert.deepEqual(result.issues ?? [], [], file);
  return (result.packages ?? []).map((p) => moduleId(p.namespace === undefined ? p.name : `${p.namespace}/${p.name}`, p.version)).sort();
}

describe('Go binaries equal `go version -m`', () => {
  let root: string;
  let bins = new Map<string, string>();
  before(() => {
    root = mkdtempSync(join(tmpdir(), 'stella-go-'));
    if (HAVE_GO) bins = buildPrograms(root);
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  it('for programs built here: every target, module replacement, directory replacement, GOPATH mode', (t) => {
    if (!requireTool(t, 'go', ['version'])) return;
    assert.ok(bins.size >= TARGETS.length + 3);
    for (const [name, file] of bins) {
      const truth = spawnSync('go', ['version', '-m', file], { encoding: 'utf8' });
      assert.equal(truth.status, 0, truth.stderr);
      assert.deepEqual(ours(file), expectedFromGoVersion(truth.stdout), name);
    }
    assert.deepEqual(ours(bins.get('hello-windows-386')!), ['example.com/hello@(devel)', 'example.com/sysfork@v0.3.1', 'golang.org/x/mod@v0.7.0', 'stdlib@v1.19.8']);
    assert.deepEqual(ours(bins.get('boltcli')!), ['example.com/boltcli@(devel)', 'go.etcd.io/bbolt@(devel)', 'golang.org/x/sys@(devel)', 'stdlib@v1.19.8']);
    assert.deepEqual(ours(bins.get('semv')!), ['stdlib@v1.19.8']);
  });

  it('for a fat Mach-O (which go version -m cannot open): its first slice\'s build info', (t) => {
    if (!requireTool(t, 'go', ['version'])) return;
    const arm = bins.get('hello-darwin-arm64')!;
    const fat = synthFat([readFileSync(arm), readFileSync(bins.get('hello-darwin-amd64')!)]);
    const truth = spawnSync('go', ['version', '-m', arm], { encoding: 'utf8' }).stdout;
    assert.deepEqual(ours('/fat', fat), expectedFromGoVersion(truth));
  });

  it('for Go binaries shipped by Debian packages on this machine (skopeo, go, its tools)', (t) => {
    if (!requireTool(t, 'go', ['version']) || !requireTool(t, 'skopeo', ['--version'])) return;
    const shipped = shippedGoBinaries();
    assert.ok(shipped.includes('/usr/bin/skopeo'));
    for (const file of shipped) {
      const truth = spawnSync('go', ['version', '-m', file], { encoding: 'utf8', maxBuffer: 1 << 26 });
      assert.deepEqual(ours(file), expectedFromGoVersion(truth.stdout), file);
    }
    process.stderr.write(`go-real: ${shipped.length} shipped Go binaries equal go version -m\n`);
  });

  it('through an image scan: go.mod only enriches, a whited-out binary takes its modules along; dir: gives declared', async (t) => {
    if (!requireTool(t, 'go', ['version'])) return;
    const analyzers = [...ALL_ANALYZERS, goBinaryAnalyzer, goModAnalyzer];
    const oci = join(root, 'oci');
    await writeOciLayout(oci, [{ layers: [
      { entries: [
        { path: 'src/hello/go.mod', content: GO_MOD_A },
        { path: 'usr/local/bin/hello', content: readFileSync(bins.get('hello-linux-amd64')!), mode: 0o755 },
        { path: 'usr/local/bin/mini', content: readFileSync(bins.get('mini')!), mode: 0o755 },
        { path: 'usr/local/bin/hello.copy', content: readFileSync(bins.get('hello-linux-amd64')!), mode: 0o644 },
      ] },
      { entries: [{ path: 'usr/local/bin/.wh.hello', content: '' }] },
    ] }]);
    const inventory = await scanImage(`oci-dir:${oci}`, { cache: false, analyzers });
    const golang = inventory.packages.filter((p) => p.type === 'golang');
    // hello (the only binary with x/sys → sysfork) is deleted; go.mod still declares it, but the
    // project has installed packages (mini), so its declarations are not reported.
    assert.deepEqual(golang.map((p) => `${p.purl} ${p.location} ${p.properties?.['stella:evidence']}`), [
      'pkg:golang/stdlib@v1.19.8 /usr/local/bin/mini installed',
      'pkg:golang/example.com/hello@(devel) /usr/local/bin/mini installed',
      'pkg:golang/golang.org/x/mod@v0.7.0 /usr/local/bin/mini installed',
    ]);
    assert.ok(golang.every((p) => p.layer === inventory.image?.layers[0]?.diffId));

    const dir = join(root, 'tree');
    mkdirSync(join(dir, 'src/hello'), { recursive: true });
    writeFileSync(join(dir, 'src/hello/go.mod'), GO_MOD_A);
    const tree = await scanImage(`dir:${dir}`, { cache: false, analyzers });
    assert.deepEqual(tree.packages.map((p) => `${p.purl} ${p.properties?.['stella:evidence']} indirect=${p.properties?.['stella:go-indirect']}`), [
      'pkg:golang/example.com/sysfork@v0.3.1 declared indirect=true',
      'pkg:golang/golang.org/x/mod@v0.7.0 declared indirect=false',
    ]);
  });
});
