import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { requireTool } from '../../../../test/support/tools.js';
import { CatalogError } from '../../analyzer.js';
import { parseRequirements, pythonRequirementsAnalyzer } from './requirements.js';

const fixturePath = (scenario: string, file = 'requirements.txt'): string =>
  fileURLToPath(new URL(`../testdata/python/requirements/${scenario}/${file}`, import.meta.url));
const parse = (path: string, content: Buffer | string) =>
  parseRequirements({ path, content: typeof content === 'string' ? Buffer.from(content) : content });
const summary = (path: string, content: Buffer | string) =>
  (parse(path, content).packages ?? []).map((p) => [p.name, p.version, p.properties?.['stella:integrity'] ?? '']);

// pip's own requirements-file parser, offline: the exact pins (one == or === specifier, no
// wildcard, no URL), names canonicalized, hashes as "algo:hex" sorted.
const PIP_PINS = `
import sys, json
from pip._internal.req.req_file import parse_requirements
from pip._internal.network.session import PipSession
from pip._vendor.packaging.requirements import Requirement
from pip._vendor.packaging.utils import canonicalize_name
out = []
for r in parse_requirements(sys.argv[1], session=PipSession()):
    if r.is_editable: continue
    try: req = Requirement(r.requirement)
    except Exception: continue
    specs = list(req.specifier)
    if req.url is None and len(specs) == 1 and specs[0].operator in ('==', '===') and '*' not in specs[0].version:
        hashes = sorted(f"{alg}:{h}" for alg, hs in (r.options or {}).get('hashes', {}).items() for h in hs)
        out.append([canonicalize_name(req.name), specs[0].version, ' '.join(hashes)])
print(json.dumps(out))
`;

describe('python-requirements on real files', () => {
  it('reads pip-compile output with hashes, extras and mixed-case names', () => {
    const rows = summary('/app/requirements/deploy.txt', readFileSync(fixturePath('warehouse-hashes')));
    assert.equal(rows.length, 13);
    assert.deepEqual(rows.find((r) => r[0] === 'twisted'), ['twisted', '17.5.0',
      'sha256:60cfb24a20a14d8113bbbdc15601da895f6c025189cb660b6dd1e73623675419 sha256:f198a494f0df2482f7c5f99d7f3eef33d22763ffc76641b36fec476b878002ea']);
    assert.ok(rows.some((r) => r[0] === 'zope-interface' && r[1] === '4.4.2'));
    assert.ok(rows.some((r) => r[0] === 'automat'));
  });

  it('marks every pin declared, image-wide, with no dev flag', () => {
    const [first] = parse('/app/requirements.txt', readFileSync(fixturePath('pip-compile-annotated'))).packages ?? [];
    assert.deepEqual(first, {
      type: 'pypi', name: 'wheel', version: '0.37.0', location: '/app/requirements.txt', foundBy: 'python-requirements',
      properties: {
        'stella:evidence': 'declared', 'stella:project': '',
        'stella:integrity': 'sha256:21014b2bd93c6d0034b6ba5d35e4eb284340e09d63c59aef6fc14b0f346146fd sha256:e2ef7239991699e3355d54f8e968a21bb940a1dbf34a4d226741e64462516fad',
      },
    });
  });

  it('keeps only exact pins and reports an include it would not read', () => {
    const result = parse('/app/requirements/requirements-dev.txt', readFileSync(fixturePath('edge-cases', 'requirements-dev.txt')));
    assert.deepEqual(result.packages?.map((p) => `${p.name}==${p.version}`), ['django==4.2.11', 'requests==2.31.0', 'zope-interface==6.2', 'pyyaml==6.0.1', 'idna==3.6']);
    assert.deepEqual(result.issues?.map((i) => [i.code, i.message]), [['INCLUDE_NOT_FOLLOWED', 'line 3: "-r ../shared/base.txt" is not read (each requirements file is read alone)']]);
  });

  it('rejects a binary file', () => {
    assert.throws(() => parse('/app/requirements.txt', Buffer.from([0x66, 0, 0x6f])), (e) => e instanceof CatalogError && e.code === 'MALFORMED_FILE');
    assert.deepEqual(parse('/app/requirements.txt', '').packages, []);
  });
});

describe('python-requirements against pip\'s own parser', () => {
  const cases: [string, string][] = [['warehouse-hashes', 'requirements.txt'], ['pip-compile-annotated', 'requirements.txt'], ['edge-cases', 'requirements-dev.txt']];
  for (const [scenario, file] of cases) {
    it(`finds the pins pip finds in ${scenario}`, (t) => {
      if (!requireTool(t, '/usr/bin/python3', ['-c', 'import pip._internal.req.req_file'])) return;
      // pip follows -r/-c and rejects an undefined ${VAR}: those lines are left out for it.
      const text = readFileSync(fixturePath(scenario, file), 'utf8').split('\n').filter((l) => !/^-[rc]\s|\$\{/.test(l)).join('\n');
      const dir = mkdtempSync(join(tmpdir(), 'stella-req-'));
      try {
        writeFileSync(join(dir, file), text);
        const run = spawnSync('/usr/bin/python3', ['-c', PIP_PINS, join(dir, file)], { encoding: 'utf8' });
        assert.equal(run.status, 0, run.stderr);
        assert.deepEqual(summary(`/app/${file}`, text), JSON.parse(run.stdout) as unknown);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }
});

describe('python-requirements wants', () => {
  const wants = (path: string) => pythonRequirementsAnalyzer.wants(path);
  it('wants requirements*.txt and txt files in a requirements directory', () => {
    assert.ok(wants('/app/requirements.txt'));
    assert.ok(wants('/app/requirements-dev.txt'));
    assert.ok(wants('/app/requirements_prod.txt'));
    assert.ok(wants('/app/requirements/base.txt'));
    assert.ok(wants('/app/dev-requirements.txt'));
  });
  it('ignores other text files and those inside installed packages', () => {
    assert.ok(!wants('/app/requirements.in'));
    assert.ok(!wants('/app/notes.txt'));
    assert.ok(!wants('/usr/lib/python3/dist-packages/foo/requirements.txt'));
    assert.ok(!wants('/usr/lib/python3/dist-packages/foo.egg-info/requires.txt'));
  });
});
