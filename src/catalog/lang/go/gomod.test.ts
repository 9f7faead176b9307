import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireTool } from '../../../../test/support/tools.js';
import { CatalogError } from '../../analyzer.js';
import { analyzeGoMod, goModAnalyzer, parseGoMod } from './gomod.js';

const testdata = new URL('../testdata/go/', import.meta.url);
const fixture = (name: string): Buffer => readFileSync(new URL(`${name}/go.mod`, testdata));
const analyze = (name: string) => analyzeGoMod({ path: `/src/${name}/go.mod`, content: fixture(name) });
const id = (p: { namespace?: string; name: string; version: string }) => `${p.namespace === undefined ? '' : `${p.namespace}/`}${p.name}@${p.version}`;

interface GoModJson {
  Require?: { Path: string; Version: string; Indirect?: boolean }[];
  Replace?: { Old: { Path: string; Version?: string }; New: { Path: string; Version?: string } }[];
}

/** What `go mod edit -json` (Go's own modfile parser) says the file requires, with replacements applied. */
function goModTruth(text: string): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'stella-gomod-'));
  try {
    writeFileSync(join(dir, 'go.mod'), text);
    const run = spawnSync('go', ['mod', 'edit', '-json'], { cwd: dir, encoding: 'utf8' });
    if (run.status !== 0) throw new Error(`go mod edit -json failed: ${run.stderr}`);
    const json = JSON.parse(run.stdout) as GoModJson;
    return (json.Require ?? []).map((r) => {
      const rep = (json.Replace ?? []).find((x) => x.Old.Path === r.Path && x.Old.Version === r.Version)
        ?? (json.Replace ?? []).find((x) => x.Old.Path === r.Path && x.Old.Version === undefined);
      const indirect = r.Indirect === true;
      if (rep === undefined) return `${r.Path}@${r.Version} indirect=${indirect}`;
      if (rep.New.Version === undefined) return `${r.Path}@(devel) indirect=${indirect}`;
      return `${rep.New.Path}@${rep.New.Version} indirect=${indirect}`;
    }).sort();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('go.mod', () => {
  it('reports each require as declared with direct/indirect, replacements applied, project = module path', () => {
    const result = analyze('gomod-replace-versions');
    assert.deepEqual(result.packages?.map((p) => `${id(p)} ${p.properties?.['stella:go-indirect']}`), [
      'github.com/myfork/errors@v0.9.2-fixed false',
      'golang.org/x/text@v0.3.8 true',
      'example.com/quoted@v1.0.0 false',
      'golang.org/x/crypto@v0.1.0 true',
      'golang.org/x/net@v0.7.0 false',
    ]);
    const errors = result.packages?.[0];
    assert.deepEqual(errors?.properties, {
      'stella:evidence': 'declared', 'stella:project': 'example.com/replacer', 'stella:go-indirect': 'false',
      'stella:go-replaced-path': 'github.com/pkg/errors', 'stella:go-replaced-version': 'v0.9.1',
    });
    assert.equal(errors?.foundBy, 'go-mod');
    assert.equal(errors?.location, '/src/gomod-replace-versions/go.mod');
  });

  it('reads a real Kubernetes go.mod: 40 direct, 51 indirect, directory replacements as (devel)', () => {
    const packages = analyze('gomod-k8s-kubectl').packages ?? [];
    assert.equal(packages.filter((p) => p.properties?.['stella:go-indirect'] === 'false').length, 40);
    assert.equal(packages.filter((p) => p.properties?.['stella:go-indirect'] === 'true').length, 51);
    const api = packages.find((p) => p.namespace === 'k8s.io' && p.name === 'api');
    assert.equal(api?.version, '(devel)');
    assert.equal(api?.properties?.['stella:go-replace-dir'], '../api');
    assert.equal(packages.find((p) => p.name === 'diskv')?.version, 'v2.0.1+incompatible');
  });

  it('equals `go mod edit -json` on the same files', (t) => {
    if (!requireTool(t, 'go', ['version'])) return;
    for (const name of ['gomod-replace-versions', 'gomod-k8s-kubectl']) {
      // Go 1.19's parser predates `godebug` and three-part `go` versions: those lines are
      // rewritten for it; neither affects requirements.
      const text = fixture(name).toString('utf8').replace(/^godebug .*$/m, '').replace(/^go 1\.\d+\.\d+$/m, 'go 1.19');
      const ours = (analyzeGoMod({ path: '/go.mod', content: Buffer.from(text) }).packages ?? [])
        .map((p) => `${id(p)} indirect=${p.properties?.['stella:go-indirect']}`).sort();
      assert.deepEqual(ours, goModTruth(text), name);
    }
  });

  it('reports a bad require line as an issue and keeps the rest', () => {
    const result = analyze('gomod-malformed-entry');
    assert.deepEqual(result.packages?.map(id), ['github.com/ok/one@v1.0.0', 'github.com/ok/two@v2.0.0+incompatible']);
    assert.equal(result.issues?.length, 1);
    assert.match(result.issues?.[0]?.message ?? '', /line 7: require needs/);
  });

  it('throws MALFORMED_FILE for an unclosed block, a missing module directive or binary content', () => {
    const malformed = (e: unknown) => e instanceof CatalogError && e.code === 'MALFORMED_FILE';
    assert.throws(() => analyze('gomod-unclosed-block'), malformed);
    assert.throws(() => analyzeGoMod({ path: '/go.mod', content: Buffer.from('require x v1.0.0\n') }), malformed);
    assert.throws(() => analyzeGoMod({ path: '/go.mod', content: Buffer.from('module x\u0000\n') }), malformed);
  });

  it('parses quoted tokens and // comments as modfile does', () => {
    const mod = parseGoMod('module "example.com/q" // the module\nrequire `example.com/raw` v1.2.3 // indirect\n');
    assert.equal(mod.module, 'example.com/q');
    assert.deepEqual(mod.requires, [{ path: 'example.com/raw', version: 'v1.2.3', indirect: true }]);
  });

  it('wants go.mod files outside module caches, vendor and testdata directories', () => {
    assert.equal(goModAnalyzer.wants('/src/app/go.mod'), true);
    assert.equal(goModAnalyzer.wants('/root/go/pkg/mod/github.com/x/y@v1.0.0/go.mod'), false);
    assert.equal(goModAnalyzer.wants('/src/app/vendor/github.com/x/y/go.mod'), false);
    assert.equal(goModAnalyzer.wants('/src/app/internal/testdata/go.mod'), false);
    assert.equal(goModAnalyzer.wants('/src/app/go.mod.orig'), false);
  });
});
