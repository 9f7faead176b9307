import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { matchOsv, packageFromPurl, type OsvRecord } from './osv.js';

const record = (name: string): OsvRecord =>
  JSON.parse(readFileSync(new URL(`../../samples/advisories/osv/${name}.json`, import.meta.url), 'utf8')) as OsvRecord;

test('packageFromPurl names packages as OSV does', () => {
  assert.deepEqual(packageFromPurl('pkg:npm/%40babel/core@7.0.0'), { purl: 'pkg:npm/%40babel/core@7.0.0', ecosystem: 'npm', name: '@babel/core', version: '7.0.0' });
  assert.equal(packageFromPurl('pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1').name, 'org.apache.logging.log4j:log4j-core');
  assert.equal(packageFromPurl('pkg:golang/golang.org/x/net@v0.17.0').name, 'golang.org/x/net');
  assert.equal(packageFromPurl('pkg:pypi/Django_REST.framework@3.0').name, 'django-rest-framework');
  assert.throws(() => packageFromPurl('pkg:deb/debian/openssl@3.0.0'), /no OSV ecosystem/);
  assert.throws(() => packageFromPurl('pkg:npm/lodash'), /no version/);
});

test('matchOsv reports affected packages with CVSS severity and fixed versions, not fixed ones', () => {
  const records = [record('GHSA-p6mc-m468-83gw'), record('GHSA-35jh-r3h4-6jhm')];
  const matches = matchOsv([packageFromPurl('pkg:npm/lodash@4.17.19'), packageFromPurl('pkg:npm/lodash-es@4.17.21')], records);
  assert.deepEqual(matches.map((m) => [m.id, m.package.name, m.verdict, m.severity, m.score, m.fixed]), [
    ['GHSA-p6mc-m468-83gw', 'lodash', 'affected', 'HIGH', 7.4, ['4.17.20']],
    ['GHSA-35jh-r3h4-6jhm', 'lodash', 'affected', 'HIGH', 7.2, ['4.17.21']],
  ]);
});

test('matchOsv: boundaries, Go versions with v, multi-range records', () => {
  const go = record('GO-2023-2102');
  const at = (purl: string) => matchOsv([packageFromPurl(purl)], [go]).map((m) => m.verdict);
  assert.deepEqual(at('pkg:golang/stdlib@v1.21.2'), ['affected']);
  assert.deepEqual(at('pkg:golang/stdlib@v1.21.3'), []);
  assert.deepEqual(at('pkg:golang/stdlib@v1.20.10'), []);
  assert.deepEqual(at('pkg:golang/golang.org/x/net@v0.16.0'), ['affected']);
});

test('withdrawn records never match', () => {
  const withdrawn = { ...record('GHSA-p6mc-m468-83gw'), withdrawn: '2024-01-01T00:00:00Z' };
  assert.deepEqual(matchOsv([packageFromPurl('pkg:npm/lodash@4.17.0')], [withdrawn]), []);
});
