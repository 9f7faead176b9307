import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { CatalogError, type Analyzer } from '../../analyzer.js';
import { pythonPdmLockAnalyzer } from './pdm.js';
import { pythonPipfileLockAnalyzer } from './pipfile.js';
import { pythonPoetryLockAnalyzer } from './poetry.js';
import { pythonUvLockAnalyzer } from './uv.js';

const fixture = (scenario: string, file: string): Buffer =>
  readFileSync(fileURLToPath(new URL(`../testdata/python/locks/${scenario}/${file}`, import.meta.url)));
const run = (analyzer: Analyzer, file: string, content: Buffer | string) =>
  analyzer.analyze({ path: `/app/${file}`, content: typeof content === 'string' ? Buffer.from(content) : content });
/** name@version:dev for each package ("-" when the lock does not say). */
const devs = (analyzer: Analyzer, file: string, content: Buffer | string) =>
  (run(analyzer, file, content).packages ?? []).map((p) => `${p.name}@${p.version}:${p.properties?.['stella:dev'] ?? '-'}`);
const malformed = (e: unknown) => e instanceof CatalogError && e.code === 'MALFORMED_FILE';

describe('poetry.lock', () => {
  const poetry = (scenario: string) => devs(pythonPoetryLockAnalyzer, 'poetry.lock', fixture(scenario, 'poetry.lock'));

  it('reads lock-version 1.0: category, hashes from [metadata.files]', () => {
    const result = run(pythonPoetryLockAnalyzer, 'poetry.lock', fixture('poetry-1.0-category-metadata-files', 'poetry.lock'));
    assert.equal(result.packages?.length, 9);
    assert.deepEqual(result.packages?.find((p) => p.name === 'certifi'), {
      type: 'pypi', name: 'certifi', version: '2020.6.20', location: '/app/poetry.lock', foundBy: 'python-poetry-lock',
      properties: {
        'stella:evidence': 'declared', 'stella:project': '', 'stella:dev': 'false', 'stella:lockfile': '/app/poetry.lock',
        'stella:integrity': 'sha256:5930595817496dd21bb8dc35dad090f1c2cd0adfaf21204bf6732ca5d8ee34d3 sha256:8fc0819f1f30ba15bdb34cceffb9ef04d99f420f68eb75d901e9560b8749fc41',
      },
    });
  });

  it('marks category "dev" packages dev', () => {
    assert.ok(poetry('poetry-2.0-category-dev').every((p) => p.endsWith(':true')));
  });

  it('gives no dev flag where lock-version 2.0 does not say', () => {
    assert.deepEqual(poetry('poetry-2.0-no-dev-flag').slice(0, 3), ['certifi@2020.12.5:-', 'chardet@4.0.0:-', 'docker@4.3.1:-']);
  });

  it('reads lock-version 2.1 groups: outside "main" is dev', () => {
    const rows = poetry('poetry-2.1-groups-dev');
    assert.equal(rows.length, 8);
    assert.ok(rows.includes('pytest@3.5.1:true'));
  });

  it('records a git source as resolved', () => {
    const [demo, pendulum] = run(pythonPoetryLockAnalyzer, 'poetry.lock', fixture('poetry-2.1-git-source', 'poetry.lock')).packages ?? [];
    assert.equal(demo?.properties?.['stella:resolved'], 'git+https://github.com/demo/demo.git@123456');
    assert.equal(demo?.properties?.['stella:dev'], 'false');
    assert.equal(pendulum?.properties?.['stella:resolved'], undefined);
  });

  it('skips an entry without a version with an issue; rejects a file that is not TOML or not a lock', () => {
    const result = run(pythonPoetryLockAnalyzer, 'poetry.lock', '[[package]]\nname = "a"\n\n[[package]]\nname = "B_c"\nversion = "1.0"\n');
    assert.deepEqual(result.packages?.map((p) => p.name), ['b-c']);
    assert.equal(result.issues?.[0]?.code, 'MALFORMED_RECORD');
    assert.throws(() => run(pythonPoetryLockAnalyzer, 'poetry.lock', '[[package]\nname = '), malformed);
    assert.throws(() => run(pythonPoetryLockAnalyzer, 'poetry.lock', 'title = "x"\n'), malformed);
  });
});

describe('Pipfile.lock', () => {
  it('marks develop packages dev and default ones not, with every hash', () => {
    const content = fixture('pipfile-default-develop', 'Pipfile.lock');
    assert.deepEqual(devs(pythonPipfileLockAnalyzer, 'Pipfile.lock', content), [
      'certifi@2023.5.7:false', 'charset-normalizer@3.1.0:false', 'idna@3.4:false', 'requests@2.31.0:false', 'urllib3@2.0.2:false',
      'py@1.11.0:true', 'pytest@3.2.2:true', 'setuptools@67.8.0:true',
    ]);
    const charset = run(pythonPipfileLockAnalyzer, 'Pipfile.lock', content).packages?.find((p) => p.name === 'charset-normalizer');
    assert.equal(charset?.properties?.['stella:integrity']?.split(' ').length, 75);
  });

  it('reports a package in both sections once, as production; a git entry as an issue', () => {
    const lock = JSON.stringify({
      _meta: { 'pipfile-spec': 6 },
      develop: { Six: { version: '==1.16.0' }, tool: { git: 'https://github.com/x/tool.git', ref: 'abc' } },
      default: { six: { version: '==1.16.0', hashes: ['sha256:1e61'] } },
    });
    const result = run(pythonPipfileLockAnalyzer, 'Pipfile.lock', lock);
    assert.deepEqual(result.packages?.map((p) => [p.name, p.properties?.['stella:dev']]), [['six', 'false']]);
    assert.deepEqual(result.issues?.map((i) => i.message), ['develop.tool skipped: a git, path or URL entry']);
  });

  it('rejects invalid JSON and JSON that is not a Pipfile.lock', () => {
    assert.throws(() => run(pythonPipfileLockAnalyzer, 'Pipfile.lock', '{"default": '), malformed);
    assert.throws(() => run(pythonPipfileLockAnalyzer, 'Pipfile.lock', '[1, 2]'), malformed);
  });
});

describe('pdm.lock', () => {
  it('marks packages of the "default" group production and leaves other groups unflagged', () => {
    const rows = devs(pythonPdmLockAnalyzer, 'pdm.lock', fixture('pdm-groups', 'pdm.lock'));
    assert.equal(rows.length, 10);
    assert.ok(rows.includes('chardet@3.0.4:false'));
    assert.ok(rows.includes('idna@2.7:false'));
    assert.ok(rows.includes('pytest@3.2.5:-'));
    assert.ok(rows.includes('requests@2.27.1:-'));
  });

  it('reads hashes from files and from old [metadata.files] "name version" keys', () => {
    const old = '[[package]]\nname = "six"\nversion = "1.16.0"\n\n[metadata]\nlock_version = "3.1"\n\n[metadata.files]\n"six 1.16.0" = [\n  {url = "https://x/six.whl", hash = "sha256:8abb"},\n]\n';
    assert.equal(run(pythonPdmLockAnalyzer, 'pdm.lock', old).packages?.[0]?.properties?.['stella:integrity'], 'sha256:8abb');
  });
});

describe('uv.lock', () => {
  it('derives dev from the members\' dependency groups and leaves the editable project out', () => {
    assert.deepEqual(devs(pythonUvLockAnalyzer, 'uv.lock', fixture('uv-dev-dependencies', 'uv.lock')), [
      'anyio@4.6.2.post1:false', 'colorama@0.4.6:true', 'idna@3.10:false', 'iniconfig@2.0.0:true',
      'packaging@24.2:true', 'pluggy@1.5.0:true', 'pytest@8.3.3:true', 'sniffio@1.3.1:false',
    ]);
  });

  it('keeps several versions of one name and counts extras as production', () => {
    assert.deepEqual(devs(pythonUvLockAnalyzer, 'uv.lock', fixture('uv-virtual-multi-version', 'uv.lock')), [
      'anyio@1.3.1:false', 'anyio@4.8.0:false', 'async-generator@1.10:false', 'idna@1.0:false', 'idna@3.10:false',
      'sniffio@1.3.1:false', 'typing-extensions@4.12.2:false',
    ]);
  });

  it('records sdist and wheel hashes and a git source', () => {
    const lock = 'version = 1\n\n[[package]]\nname = "Foo"\nversion = "0.1"\nsource = { git = "https://github.com/x/foo?rev=main#abc123" }\n\n[[package]]\nname = "bar"\nversion = "2"\nsource = { registry = "https://pypi.org/simple" }\nsdist = { url = "https://x/bar-2.tar.gz", hash = "sha256:bb" }\nwheels = [{ url = "https://x/bar-2-py3-none-any.whl", hash = "sha256:aa" }]\n';
    const [foo, bar] = run(pythonUvLockAnalyzer, 'uv.lock', lock).packages ?? [];
    assert.equal(foo?.properties?.['stella:resolved'], 'git+https://github.com/x/foo?rev=main#abc123');
    assert.equal(foo?.properties?.['stella:dev'], undefined);
    assert.equal(bar?.properties?.['stella:integrity'], 'sha256:aa sha256:bb');
  });

  it('rejects the pre-release [[distribution]] layout and files that are not uv locks', () => {
    assert.throws(() => run(pythonUvLockAnalyzer, 'uv.lock', 'version = 1\n[[distribution]]\nname = "b"\n'), (e) => e instanceof CatalogError && e.code === 'UNSUPPORTED_FORMAT');
    assert.throws(() => run(pythonUvLockAnalyzer, 'uv.lock', 'x = 1\n'), malformed);
  });
});

describe('lock file wants', () => {
  it('wants each lock file by name, outside installed packages', () => {
    assert.ok(pythonPoetryLockAnalyzer.wants('/app/poetry.lock'));
    assert.ok(pythonPipfileLockAnalyzer.wants('/app/Pipfile.lock'));
    assert.ok(pythonPdmLockAnalyzer.wants('/app/pdm.lock'));
    assert.ok(pythonUvLockAnalyzer.wants('/app/uv.lock'));
    assert.ok(!pythonUvLockAnalyzer.wants('/app/scripts/tool.py.lock'));
    assert.ok(!pythonPoetryLockAnalyzer.wants('/usr/lib/python3/dist-packages/pkg/tests/poetry.lock'));
    assert.ok(!pythonPipfileLockAnalyzer.wants('/app/Pipfile'));
  });
});
