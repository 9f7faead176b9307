import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { validateSbom } from '../../test/support/sbom-schemas.js';
import { isReportFormat, REPORT_FORMATS, ReportError, writeReport, type ReportFormat } from './index.js';
import { syntheticInput, validateSarif } from './testing.js';

// Inputs are SYNTHETIC findings built from real GHSA, NVD and Debian records (see testing.ts).

const GOLDEN: Readonly<Record<ReportFormat, string>> = {
  table: 'app.table.txt', json: 'app.json', cyclonedx: 'app.cdx.json', sarif: 'app.sarif', 'trivy-json': 'app.trivy.json',
};

describe('writeReport', () => {
  for (const format of REPORT_FORMATS) {
    test(`${format}: matches its golden file (UPDATE_GOLDEN=1 regenerates) and ends in one newline`, async () => {
      const written = writeReport(format, syntheticInput());
      const golden = new URL(`./testdata/golden/${GOLDEN[format]}`, import.meta.url);
      if (process.env.UPDATE_GOLDEN === '1') writeFileSync(golden, written);
      assert.equal(written, readFileSync(golden, 'utf8'));
      assert.ok(written.endsWith('\n') && !written.endsWith('\n\n'));
      if (format === 'cyclonedx') assert.deepEqual((await validateSbom('cyclonedx-1.6', written)).errors, []);
      if (format === 'sarif') assert.deepEqual(validateSarif(JSON.parse(written)), []);
    });
  }

  test('the formats, and an unknown one rejected with a typed error', () => {
    assert.deepEqual(REPORT_FORMATS, ['table', 'json', 'cyclonedx', 'sarif', 'trivy-json']);
    assert.equal(isReportFormat('sarif'), true);
    assert.equal(isReportFormat('spdx-json'), false);
    assert.throws(() => writeReport('xml' as ReportFormat, syntheticInput()), (e: unknown) => e instanceof ReportError && e.code === 'unknown-format' && /known: table, json/.test(e.message));
    assert.throws(() => writeReport('toString' as ReportFormat, syntheticInput()), (e: unknown) => e instanceof ReportError && e.code === 'unknown-format');
  });

  test('an invalid clock is rejected, not written', () => {
    for (const format of ['json', 'trivy-json'] as const) {
      assert.throws(() => writeReport(format, syntheticInput({ created: new Date(Number.NaN) })), (e: unknown) => e instanceof ReportError && e.code === 'invalid-clock');
    }
  });

  test('the clock and tool version are the only inputs besides the data', () => {
    const a = writeReport('json', syntheticInput({ created: new Date('2025-01-01T00:00:00.999Z'), toolVersion: '9.9.9' }));
    assert.match(a, /"created": "2025-01-01T00:00:00Z"/);
    assert.match(a, /"version": "9.9.9"/);
    assert.equal(writeReport('json', syntheticInput({ created: new Date('2025-01-01T00:00:00.999Z'), toolVersion: '9.9.9' })), a);
  });
});
