import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { shuffle } from '../../test/support/shuffle.js';
import type { Finding } from '../match/index.js';
import { REPORT_JSON_SCHEMA_VERSION, writeReport } from './index.js';
import { antFinding, syntheticFindings, syntheticInput, syntheticInventory } from './testing.js';

// Inputs are SYNTHETIC findings built from real GHSA, NVD and Debian records (see testing.ts).

interface JsonReport {
  schemaVersion: number; target: string; created: string; tool: { name: string; version: string };
  image?: { configDigest: string }; distro?: { id: string; version: string };
  summary: { packages: number; findings: number; suppressed: number; bySeverity: Record<string, number> };
  findings: Finding[]; suppressed: Array<{ finding: Finding; reason: string; justification?: string; statement?: string; vexStatus?: string }>;
  issues: unknown[];
}

function keysSorted(value: unknown, path = '$'): void {
  if (Array.isArray(value)) return value.forEach((v, i) => keysSorted(v, `${path}[${i}]`));
  if (value === null || typeof value !== 'object') return;
  const keys = Object.keys(value);
  assert.deepEqual(keys, [...keys].sort(), `keys of ${path} are sorted`);
  for (const k of keys) keysSorted((value as Record<string, unknown>)[k], `${path}.${k}`);
}

describe('json report', () => {
  test('carries the schema version, target, clock, tool, image and distro', () => {
    const report = JSON.parse(writeReport('json', syntheticInput())) as JsonReport;
    assert.equal(report.schemaVersion, 1);
    assert.equal(REPORT_JSON_SCHEMA_VERSION, 1);
    assert.equal(report.target, 'docker-archive:app.tar');
    assert.equal(report.created, '2024-06-01T12:00:00Z');
    assert.deepEqual(report.tool, { name: 'stella', version: '0.1.0' });
    assert.equal(report.image?.configDigest, syntheticInventory().image?.configDigest);
    assert.deepEqual({ id: report.distro?.id, version: report.distro?.version }, { id: 'debian', version: '11' });
    assert.deepEqual(report.issues, []);
  });

  test('summary counts and findings in report order with every Finding field', () => {
    const report = JSON.parse(writeReport('json', syntheticInput())) as JsonReport;
    assert.deepEqual(report.summary, {
      packages: 6, findings: 4, suppressed: 1, bySeverity: { CRITICAL: 1, HIGH: 2, MEDIUM: 0, LOW: 1, NONE: 0, UNKNOWN: 0 },
    });
    assert.deepEqual(report.findings.map((f) => `${f.severity} ${f.package.name} ${f.id}`), [
      'CRITICAL zlib1g CVE-2023-45853', 'HIGH lodash CVE-2020-8203', 'HIGH lodash-es CVE-2020-8203', 'LOW putty CVE-2021-36367',
    ]);
    const lodash = syntheticFindings().find((f) => f.package.name === 'lodash');
    assert.deepEqual(report.findings[1], JSON.parse(JSON.stringify(lodash)));
  });

  test('suppressed findings keep the VEX justification and statement', () => {
    const report = JSON.parse(writeReport('json', syntheticInput())) as JsonReport;
    assert.equal(report.suppressed.length, 1);
    const [s] = report.suppressed;
    assert.equal(s?.reason, 'vex');
    assert.equal(s?.vexStatus, 'not_affected');
    assert.equal(s?.justification, 'vulnerable_code_not_in_execute_path');
    assert.equal(s?.statement, 'The ant CLI is only run at build time (synthetic statement)');
    assert.deepEqual(s?.finding, JSON.parse(JSON.stringify(antFinding())));
  });

  test('2-space JSON with sorted keys, one trailing newline', () => {
    const text = writeReport('json', syntheticInput());
    assert.ok(text.startsWith('{\n  "created": '));
    assert.ok(text.endsWith('}\n') && !text.endsWith('\n\n'));
    keysSorted(JSON.parse(text));
  });

  test('the same input in any order gives the same bytes', () => {
    const expected = writeReport('json', syntheticInput());
    for (const seed of [4, 5, 6]) {
      assert.equal(writeReport('json', syntheticInput({ findings: shuffle(syntheticFindings(), seed) })), expected);
    }
  });
});
