import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Package } from '../inventory/index.js';
import { reconcileDeclared } from './reconcile.js';

const pkg = (name: string, version: string, evidence: string | undefined, project = '/app', extra: Record<string, string> = {}): Package => ({
  type: 'npm', name, version, purl: `pkg:npm/${name}@${version}`, location: `/app/${name}`, foundBy: 'npm',
  properties: evidence === undefined ? extra : { 'stella:evidence': evidence, 'stella:project': project, ...extra },
});

test('a project with installed packages: the lock only enriches them, its other entries are dropped', () => {
  const out = reconcileDeclared([
    pkg('a', '1.0.0', 'installed'),
    pkg('a', '1.0.0', 'declared', '/app', { 'stella:dev': 'true', 'stella:integrity': 'sha512-x' }),
    pkg('gone', '2.0.0', 'declared', '/app', { 'stella:dev': 'false' }),
  ]);
  assert.deepEqual(out.map((p) => [p.name, p.properties]), [
    ['a', { 'stella:evidence': 'installed', 'stella:project': '/app', 'stella:dev': 'true', 'stella:integrity': 'sha512-x' }],
  ]);
});

test('a project with nothing installed: the lock is the inventory; other projects and OS packages untouched', () => {
  const out = reconcileDeclared([
    pkg('a', '1.0.0', 'installed', '/app'),
    pkg('b', '1.0.0', 'declared', '/src/tool'),
    pkg('os', '1.0', undefined),
  ]);
  assert.deepEqual(out.map((p) => `${p.name} ${p.properties?.['stella:evidence'] ?? '-'}`), ['a installed', 'b declared', 'os -']);
});

test('a project whose installed packages were all deleted by a later layer: its lock still only enriches', () => {
  const out = reconcileDeclared([pkg('gone', '2.0.0', 'declared')], new Set(['npm\u0000/app']));
  assert.deepEqual(out, []);
});
