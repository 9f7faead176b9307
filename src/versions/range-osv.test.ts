import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import type { OsvAffected, OsvRange, OsvSchemes } from './osv-range.js';
import { evaluateOsvAffected, osvRangeToVers, schemeForOsvEcosystem } from './osv-range.js';
import type { RangeVerdict } from './range.js';
import { evaluate, formatVers } from './range.js';
import { parseGhsaConstraint } from './constraints/ghsa.js';
import type { SchemeName, VersionScheme } from './scheme.js';
import { cargo } from './cargo.js';
import { gem } from './gem.js';
import { go } from './go.js';
import { maven } from './maven.js';
import { npm } from './npm.js';
import { pep440 } from './pep440.js';
import { semver } from './semver.js';

const SCHEMES = { cargo, gem, go, maven, npm, pep440 } as Partial<Record<SchemeName, VersionScheme>>;
const read = (path: string): unknown => JSON.parse(readFileSync(new URL(`./testdata/osv/${path}`, import.meta.url), 'utf8'));

function schemesFor(ecosystem: string): OsvSchemes {
  const name = schemeForOsvEcosystem(ecosystem);
  const scheme = name === undefined ? undefined : SCHEMES[name];
  if (scheme === undefined) throw new Error(`no scheme for ${ecosystem}`);
  return { ecosystem: scheme, semver };
}

// IsVulnerable over every affected[] entry of the package; unknown only if none says affected.
function verdictFor(record: { affected: OsvAffected[] }, pkg: string, version: string): RangeVerdict {
  const verdicts = record.affected
    .filter((a) => a.package?.name === pkg)
    .map((a) => evaluateOsvAffected(a, version, schemesFor(a.package?.ecosystem ?? '')));
  return verdicts.includes('affected') ? 'affected' : verdicts.includes('unknown') ? 'unknown' : 'not-affected';
}

const rows = readFileSync(new URL('./testdata/range-osv.txt', import.meta.url), 'utf8')
  .split('\n')
  .filter((l) => l !== '' && !l.startsWith('#'))
  .map((l) => l.split('\t'));

describe('OSV affected[] evaluation', () => {
  it('answers range-osv.txt on real records', () => {
    for (const [where = '', version = '', want] of rows) {
      const [file = '', pkg = ''] = where.split('#');
      assert.equal(verdictFor(read(file) as { affected: OsvAffected[] }, pkg, version), want, `${where} ${version}`);
    }
  });

  it('agrees with osvRangeToVers on every ordered range of those records', () => {
    for (const [where = '', version = ''] of rows) {
      const [file = '', pkg = ''] = where.split('#');
      for (const affected of (read(file) as { affected: OsvAffected[] }).affected.filter((a) => a.package?.name === pkg)) {
        const schemes = schemesFor(affected.package?.ecosystem ?? '');
        for (const range of affected.ranges ?? []) {
          if (range.type === 'GIT') continue;
          const scheme = range.type === 'SEMVER' ? schemes.semver : schemes.ecosystem;
          const tested = range.type === 'SEMVER' && schemes.ecosystem.name === 'go' ? version.replace(/^v/, '') : version;
          let vers;
          try {
            vers = osvRangeToVers(range, scheme);
          } catch {
            continue; // an unparseable event: evaluateOsvAffected says unknown for it
          }
          const alone = evaluateOsvAffected({ ranges: [range] }, version, schemes);
          assert.equal(evaluate(vers, tested, scheme), alone, `${where} ${formatVers(vers)} ${version}`);
        }
      }
    }
  });

  it('follows the schema pseudocode: sorting, "0", last_affected, limit, versions', () => {
    const s: OsvSchemes = { ecosystem: npm, semver };
    const range = (...events: OsvRange['events']): OsvAffected => ({ ranges: [{ type: 'ECOSYSTEM', events }] });
    const unsorted = range({ introduced: '0' }, { introduced: '2.0.0' }, { fixed: '2.0.1' }, { fixed: '1.3.2' });
    assert.deepEqual(['1.3.1', '1.3.2', '2.0.0', '2.0.1'].map((v) => evaluateOsvAffected(unsorted, v, s)), ['affected', 'not-affected', 'affected', 'not-affected']);
    const last = range({ introduced: '1.0.0' }, { last_affected: '1.2.0' });
    assert.deepEqual(['0.9.0', '1.0.0', '1.2.0', '1.2.1'].map((v) => evaluateOsvAffected(last, v, s)), ['not-affected', 'affected', 'affected', 'not-affected']);
    const limited = range({ introduced: '0' }, { limit: '2.0.0' });
    assert.deepEqual(['1.9.9', '2.0.0'].map((v) => evaluateOsvAffected(limited, v, s)), ['affected', 'not-affected']);
    assert.equal(formatVers(osvRangeToVers(limited.ranges?.[0] as OsvRange, npm)), 'vers:npm/<2.0.0');
    assert.equal(formatVers(osvRangeToVers(last.ranges?.[0] as OsvRange, npm)), 'vers:npm/>=1.0.0|<=1.2.0');
    assert.equal(formatVers(osvRangeToVers({ type: 'ECOSYSTEM', events: [{ introduced: '0' }] }, npm)), 'vers:npm/*');
    const git: OsvAffected = { ranges: [{ type: 'GIT', repo: 'https://x', events: [{ introduced: '0' }, { fixed: 'abc' }] }], versions: ['1.0.0'] };
    assert.equal(evaluateOsvAffected(git, '1.0.0', s), 'affected');
    assert.equal(evaluateOsvAffected(git, '1.0.1', s), 'unknown');
    assert.throws(() => osvRangeToVers(git.ranges?.[0] as OsvRange, npm), { code: 'INVALID_RANGE' });
    assert.equal(evaluateOsvAffected({ ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '1.0.0', fixed: '2.0.0' }] }] }, '1.5.0', s), 'unknown');
  });

  it('maps OSV ecosystem names to schemes', () => {
    const cases: [string, SchemeName | undefined][] = [['Debian:12', 'deb'], ['PyPI', 'pep440'], ['Maven', 'maven'], ['npm', 'npm'], ['Go', 'go'],
      ['crates.io', 'cargo'], ['RubyGems', 'gem'], ['NuGet', 'nuget'], ['Packagist', 'composer'], ['Alpine:v3.19', 'apk'], ['Rocky Linux:9', 'rpm'],
      ['Ubuntu:22.04:LTS', 'deb'], ['Maven:https://maven.google.com', 'maven'], ['Hex', undefined], ['GIT', undefined]];
    for (const [ecosystem, want] of cases) assert.equal(schemeForOsvEcosystem(ecosystem), want, ecosystem);
  });
});

describe('GHSA ranges vs the OSV records osv-schema converts them to', () => {
  const ECOSYSTEMS: Record<string, SchemeName> = { NPM: 'npm', MAVEN: 'maven', RUBYGEMS: 'gem', PIP: 'pep440' };
  for (const name of ['equals_with_patch', 'full_ranges', 'maven_greater_than', 'multiple_ranges_in_package', 'npm_greater_than', 'withdrawn', 'pypi_normalize']) {
    it(`${name}: every version the GHSA range holds is affected in the OSV record`, () => {
      const ghsa = read(`ghsa-to-osv/${name}.json`) as { vulnerabilities: { nodes: { package: { ecosystem: string }; vulnerableVersionRange: string }[] } };
      const osv = read(`ghsa-to-osv/${name}.osv.json`) as { affected: OsvAffected[] };
      for (const node of ghsa.vulnerabilities.nodes) {
        const scheme = SCHEMES[ECOSYSTEMS[node.package.ecosystem] as SchemeName] as VersionScheme;
        const vers = parseGhsaConstraint(node.vulnerableVersionRange, scheme);
        const bounds = vers.constraints.map((c) => c.version);
        for (const version of bounds) {
          if (evaluate(vers, version, scheme) !== 'affected') continue;
          const osvVerdicts = osv.affected.map((a) => evaluateOsvAffected(a, version, schemesFor(a.package?.ecosystem ?? '')));
          assert.ok(osvVerdicts.includes('affected'), `${node.vulnerableVersionRange} holds ${version}`);
        }
      }
    });
  }
});
