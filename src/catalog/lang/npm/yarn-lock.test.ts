import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { PackageDraft } from '../../../inventory/index.js';
import { CatalogError } from '../../analyzer.js';
import { analyzeYarnLock, wantsYarnLock } from './yarn-lock.js';

const fixture = (scenario: string): Buffer => readFileSync(fileURLToPath(new URL(`../testdata/npm/${scenario}/yarn.lock`, import.meta.url)));
const analyze = (content: Buffer | string, path = '/app/yarn.lock') => analyzeYarnLock({ path, content: Buffer.from(content) });
const ids = (packages: readonly PackageDraft[] = []): string[] =>
  packages.map((p) => `${p.namespace === undefined ? '' : `@${p.namespace}/`}${p.name}@${p.version}`).sort();

const BASE = ['@sindresorhus/is@4.6.0', 'debug@2.6.9', 'ms@2.0.0', 'ms@2.1.2', 'ms@2.1.3'];

describe('yarn-lock', () => {
  it('wants yarn.lock of a project, not one shipped inside an installed package', () => {
    assert.equal(wantsYarnLock('/app/yarn.lock'), true);
    assert.equal(wantsYarnLock('/app/node_modules/x/yarn.lock'), false);
    assert.equal(wantsYarnLock('/app/yarn.lock.bak'), false);
  });

  it('reads a classic (v1) lock written by yarn 1.22: aliases resolve to the real package', () => {
    const result = analyze(fixture('yarn-classic'));
    assert.equal(result.issues, undefined);
    assert.deepEqual(ids(result.packages), BASE);
    const debug = result.packages?.find((p) => p.name === 'debug');
    assert.deepEqual(debug?.properties, {
      'stella:evidence': 'declared', 'stella:project': '/app',
      'stella:integrity': 'sha512-bC7ElrdJaJnPbAP+1EotYvqZsb3ecl5wi6Bfi6BJTUcNowp6cvspg0jXznRTKDjm/E7AdgFBVeAPVMNcKGsHMA==',
      'stella:resolved': 'https://registry.npmjs.org/debug/-/debug-2.6.9.tgz#5d128515df134ff327e90a4c93f4e077a536341f',
    });
  });

  it('reads a berry lock written by yarn 4: the workspace itself is skipped, no dev flag is claimed', () => {
    const result = analyze(fixture('yarn-berry'));
    assert.equal(result.issues, undefined);
    assert.deepEqual(ids(result.packages), BASE);
    assert.ok(result.packages?.every((p) => p.properties?.['stella:dev'] === undefined && p.foundBy === 'yarn-lock'));
  });

  it('classic: several specifiers per entry, CRLF, local file: entries skipped', () => {
    const text = [
      '# yarn lockfile v1', '',
      '"@babel/code-frame@^7.0.0", "@babel/code-frame@^7.10.4":', '  version "7.12.13"', '  dependencies:', '    "@babel/highlight" "^7.12.13"', '',
      '"local@file:../local":', '  version "1.0.0"', '',
    ].join('\r\n');
    assert.deepEqual(ids(analyze(text).packages), ['@babel/code-frame@7.12.13']);
  });

  it('berry: patched copies and links are skipped (the unpatched package is its own entry)', () => {
    const text = [
      '__metadata:', '  version: 6', '',
      '"resolve@npm:^1.22.1":', '  version: 1.22.1', '  resolution: "resolve@npm:1.22.1"', '  linkType: hard', '',
      '"resolve@patch:resolve@npm%3A^1.22.1#~builtin<compat/resolve>":', '  version: 1.22.1', '  resolution: "resolve@patch:resolve@npm%3A1.22.1#~builtin<compat/resolve>::version=1.22.1&hash=07638b"', '  linkType: hard', '',
      '"tool@link:./tool::locator=app%40workspace%3A.":', '  version: 0.0.0-use.local', '  resolution: "tool@link:./tool::locator=app%40workspace%3A."', '  linkType: soft', '',
    ].join('\n');
    assert.deepEqual(ids(analyze(text).packages), ['resolve@1.22.1']);
  });

  it('a bad entry is an issue; unreadable files are MALFORMED_FILE', () => {
    const result = analyze('# yarn lockfile v1\n\nok@^1:\n  version "1.0.0"\n\nnoversion@^2:\n  resolved "x"\n');
    assert.deepEqual(ids(result.packages), ['ok@1.0.0']);
    assert.equal(result.issues?.length, 1);
    assert.throws(() => analyze('__metadata:\n  version: 6\n  - [broken'), (e: unknown) => e instanceof CatalogError && e.code === 'MALFORMED_FILE');
    assert.throws(() => analyze('just some text\nwithout any entry'), (e: unknown) => e instanceof CatalogError && e.code === 'MALFORMED_FILE');
  });
});
