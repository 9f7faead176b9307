import assert from 'node:assert/strict';
import { test } from 'node:test';
import { declaredLicenses } from './write-licenses.js';

test('a single SPDX id is an id and its own expression', () => {
  assert.deepEqual(declaredLicenses(['MIT']), { terms: [{ kind: 'id', id: 'MIT' }], expression: 'MIT', licenseRefs: [] });
});

test('a compound expression stays as written', () => {
  const l = declaredLicenses(['(BSD-3-Clause OR GPL-2.0)']);
  assert.deepEqual(l.terms, [{ kind: 'expression', expression: '(BSD-3-Clause OR GPL-2.0)' }]);
  assert.equal(l.expression, '(BSD-3-Clause OR GPL-2.0)');
  assert.equal(declaredLicenses(['GPL-2.0+']).terms[0]?.kind, 'expression');
  assert.equal(declaredLicenses(['GPL-3.0-or-later WITH GCC-exception-3.1']).terms[0]?.kind, 'expression');
});

test('several licences are AND-joined, compound ones in parentheses, duplicates dropped', () => {
  assert.equal(declaredLicenses(['GPL-2.0-or-later', 'MIT OR Apache-2.0', 'GPL-2.0-or-later']).expression,
    'GPL-2.0-or-later AND (MIT OR Apache-2.0)');
});

test('text that is not SPDX is kept as text and yields no expression', () => {
  const l = declaredLicenses(['MIT', 'see COPYRIGHT']);
  assert.deepEqual(l.terms, [{ kind: 'id', id: 'MIT' }, { kind: 'text', text: 'see COPYRIGHT' }]);
  assert.equal(l.expression, undefined);
});

test('LicenseRef ids are collected for the SPDX 2 extracted-licensing section', () => {
  assert.deepEqual(declaredLicenses(['LicenseRef-acme OR MIT', 'LicenseRef-beta']).licenseRefs, ['LicenseRef-acme', 'LicenseRef-beta']);
});

test('no licences, or blank ones, give no terms', () => {
  assert.deepEqual(declaredLicenses(undefined), { terms: [], licenseRefs: [] });
  assert.deepEqual(declaredLicenses(['  ']), { terms: [], licenseRefs: [] });
});
