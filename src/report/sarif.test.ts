import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { shuffle } from '../../test/support/shuffle.js';
import type { Finding } from '../match/index.js';
import { writeReport } from './index.js';
import { puttyFinding, syntheticFindings, syntheticInput, validateSarif } from './testing.js';

// Inputs are SYNTHETIC findings built from real GHSA, NVD and Debian records (see testing.ts).

interface Rule {
  id: string; shortDescription: { text: string }; fullDescription: { text: string }; helpUri: string;
  help: { text: string; markdown: string }; defaultConfiguration: { level: string };
  properties: { tags: string[]; 'security-severity': string };
}
interface Result {
  ruleId: string; ruleIndex: number; level: string; message: { text: string };
  locations: Array<{ physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number } } }>;
  partialFingerprints: Record<string, string>;
}
interface Log { version: string; $schema: string; runs: Array<{ tool: { driver: { name: string; version: string; informationUri: string; rules: Rule[] } }; results: Result[] }> }

function sarif(input = syntheticInput()): { log: Log; text: string } {
  const text = writeReport('sarif', input);
  return { log: JSON.parse(text) as Log, text };
}

describe('sarif report', () => {
  test('validates against the SARIF 2.1.0 schema', () => {
    assert.deepEqual(validateSarif(sarif().log), []);
    assert.deepEqual(validateSarif(sarif(syntheticInput({ findings: [], suppressed: [] })).log), []);
  });

  test('one run; the driver names stella and has one rule per vulnerability id', () => {
    const { log } = sarif();
    assert.equal(log.version, '2.1.0');
    assert.equal(log.runs.length, 1);
    const driver = log.runs[0]?.tool.driver;
    assert.deepEqual([driver?.name, driver?.version, driver?.informationUri], ['stella', '0.1.0', 'https://stella-ops.org']);
    assert.deepEqual(driver?.rules.map((r) => r.id), ['CVE-2020-8203', 'CVE-2021-36367', 'CVE-2023-45853']);
    const lodash = driver?.rules[0];
    assert.equal(lodash?.shortDescription.text, 'Prototype Pollution in lodash');
    assert.match(lodash?.fullDescription.text ?? '', /^Versions of lodash prior to 4\.17\.19/);
    assert.equal(lodash?.helpUri, 'https://github.com/advisories/GHSA-p6mc-m468-83gw');
    assert.match(lodash?.help.markdown ?? '', /\| lodash \| 4\.17\.15 \| 4\.17\.20 \| HIGH \|\n\| lodash-es \| 4\.17\.15 \| 4\.17\.20 \| HIGH \|/);
    assert.match(lodash?.help.text ?? '', /Package: lodash-es 4\.17\.15 \(fixed: 4\.17\.20\)/);
    assert.deepEqual(lodash?.properties, { tags: ['security', 'vulnerability'], 'security-severity': '7.4' });
  });

  test('security-severity is the score behind the shown severity, else a score inside its band', () => {
    const rules = sarif().log.runs[0]?.tool.driver.rules ?? [];
    assert.equal(rules.find((r) => r.id === 'CVE-2023-45853')?.properties['security-severity'], '9.8');
    assert.equal(rules.find((r) => r.id === 'CVE-2021-36367')?.properties['security-severity'], '2.0', 'a Debian label has no score');
  });

  test('results: level by severity, ruleIndex, message, location and fingerprint', () => {
    const { log } = sarif();
    const run = log.runs[0];
    const results = run?.results ?? [];
    assert.deepEqual(results.map((r) => [r.ruleId, r.level]), [
      ['CVE-2023-45853', 'error'], ['CVE-2020-8203', 'error'], ['CVE-2020-8203', 'error'], ['CVE-2021-36367', 'note'],
    ]);
    for (const r of results) {
      assert.equal(run?.tool.driver.rules[r.ruleIndex]?.id, r.ruleId);
      assert.equal(r.locations.length, 1);
      assert.equal(r.locations[0]?.physicalLocation.region.startLine, 1);
      assert.doesNotMatch(r.locations[0]?.physicalLocation.artifactLocation.uri ?? '/', /^\//);
    }
    assert.deepEqual(results.map((r) => r.locations[0]?.physicalLocation.artifactLocation.uri), [
      'var/lib/dpkg/status', 'app/package-lock.json', 'app/package-lock.json', 'var/lib/dpkg/status',
    ]);
    assert.equal(results[1]?.message.text, 'Package: lodash\nInstalled Version: 4.17.15\nVulnerability: CVE-2020-8203\nSeverity: HIGH\nStatus: fixed\nFixed Version: 4.17.20');
    const prints = results.map((r) => r.partialFingerprints['stellaFinding/v1']);
    assert.equal(new Set(prints).size, results.length);
    for (const p of prints) assert.match(p ?? '', /^[0-9a-f]{64}$/);
  });

  test('MEDIUM is a warning; suppressed findings are left out', () => {
    const medium: Finding = { ...puttyFinding(), severity: 'MEDIUM' };
    const { log } = sarif(syntheticInput({ findings: [medium] }));
    assert.deepEqual(log.runs[0]?.results.map((r) => r.level), ['warning']);
    assert.ok(!JSON.stringify(log).includes('CVE-2021-36373'), 'the VEX-suppressed ant finding is not reported');
  });

  test('a path needing escapes stays a valid relative URI reference', () => {
    const odd: Finding = { ...puttyFinding(), package: { ...puttyFinding().package, location: '/opt/my app/#1/status' } };
    const { log } = sarif(syntheticInput({ findings: [odd] }));
    assert.equal(log.runs[0]?.results[0]?.locations[0]?.physicalLocation.artifactLocation.uri, 'opt/my%20app/%231/status');
    assert.deepEqual(validateSarif(log), []);
  });

  test('the same findings in any order give the same bytes', () => {
    const expected = sarif().text;
    for (const seed of [8, 9]) assert.equal(sarif(syntheticInput({ findings: shuffle(syntheticFindings(), seed) })).text, expected);
  });
});
