import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import nodeSemver from 'semver';
import { requireTool } from '../../test/support/tools.js';
import type { RangeVerdict } from './range.js';
import { checkRange } from './range-parse.js';
import type { SchemeName, VersionScheme } from './scheme.js';
import { apk } from './apk.js';
import { cargo } from './cargo.js';
import { composer } from './composer.js';
import { deb } from './deb.js';
import { gem } from './gem.js';
import { go } from './go.js';
import { maven } from './maven.js';
import { npm } from './npm.js';
import { nuget } from './nuget.js';
import { pep440 } from './pep440.js';
import { rpm } from './rpm.js';
import { semver } from './semver.js';

const SCHEMES = { apk, cargo, composer, deb, gem, go, maven, npm, nuget, pep440, rpm, semver } as Record<SchemeName, VersionScheme>;

interface Row {
  range: string;
  version: string;
  verdict: RangeVerdict;
  /** The reference tool's verdict where it differs from ours by policy (`# ref: …`). */
  reference: RangeVerdict;
  line: number;
}

// `range<TAB>version<TAB>verdict[<TAB># comment]`; a `# ref: <verdict>` comment names the tool's.
function loadRows(scheme: SchemeName): Row[] {
  const text = readFileSync(new URL(`./testdata/range-${scheme}.txt`, import.meta.url), 'utf8');
  return text.split('\n').flatMap((raw, index) => {
    if (raw === '' || raw.startsWith('#')) return [];
    const [range = '', version = '', verdict, comment = ''] = raw.split('\t');
    if (verdict !== 'affected' && verdict !== 'not-affected' && verdict !== 'unknown') throw new Error(`range-${scheme}.txt:${index + 1}: bad row`);
    const reference = (/^# ref: (\S+)/.exec(comment)?.[1] ?? verdict) as RangeVerdict;
    return [{ range, version, verdict, reference, line: index + 1 }];
  });
}

describe('range data files', () => {
  for (const name of Object.keys(SCHEMES) as SchemeName[]) {
    it(`range-${name}.txt`, () => {
      const rows = loadRows(name);
      assert.ok(rows.length > 0);
      const failures = rows
        .map((r) => ({ r, got: checkRange(SCHEMES[name], r.range, r.version) }))
        .filter(({ r, got }) => got !== r.verdict)
        .map(({ r, got }) => `line ${r.line}: ${r.range} ∋ ${r.version} = ${got}, want ${r.verdict}`);
      assert.deepEqual(failures, []);
    });
  }
});

// Runs one reference process over every row at once; `script` prints one verdict per input line.
function referenceVerdicts(command: string, args: string[], rows: Row[]): string[] {
  const input = rows.map((r) => `${r.range}\t${r.version}`).join('\n');
  const result = spawnSync(command, args, { input, encoding: 'utf8', maxBuffer: 1 << 26 });
  assert.equal(result.status, 0, result.stderr);
  return result.stdout.trim().split('\n');
}

function assertAgrees(rows: Row[], verdicts: string[]): void {
  const checked = rows.filter((r) => r.verdict !== 'unknown');
  const failures = checked
    .map((r, i) => ({ r, got: verdicts[i] }))
    .filter(({ r, got }) => got !== r.reference)
    .map(({ r, got }) => `line ${r.line}: reference says ${got}, file says ${r.reference}`);
  assert.deepEqual(failures, []);
}

describe('differential: reference tools agree with the data files', () => {
  it('node-semver satisfies (includePrerelease) on range-npm.txt and random ranges', () => {
    for (const r of loadRows('npm')) {
      const want = nodeSemver.satisfies(r.version, r.range, { includePrerelease: true }) ? 'affected' : 'not-affected';
      assert.equal(r.reference, want, `line ${r.line}`);
    }
    const versions = ['0.1.0', '1.0.0-0', '1.0.0', '1.2.3-rc.1', '1.2.3', '1.2.4', '1.10.0', '2.0.0-beta', '2.0.0', '2.1.0', '3.0.0-0', '3.5.1'];
    const pieces = ['^1.2', '~1.2.3', '>=1.0.0 <2.0.0', '1.x', '2.0.0 - 3.0.0', '<1.2.3', '>=2.0.0-beta', '*', '~2', '<=1.10'];
    for (const a of pieces) for (const b of pieces) {
      const range = `${a} || ${b}`;
      for (const v of versions) {
        const want = nodeSemver.satisfies(v, range, { includePrerelease: true }) ? 'affected' : 'not-affected';
        assert.equal(checkRange(npm, range, v), want, `${range} ${v}`);
      }
    }
  });

  it('Python packaging SpecifierSet on range-pep440.txt', (t) => {
    if (!requireTool(t, '/usr/bin/python3', ['-c', 'import packaging.specifiers'])) return;
    const rows = loadRows('pep440').filter((r) => r.verdict !== 'unknown');
    const script = [
      'import sys',
      'from packaging.specifiers import SpecifierSet',
      'for line in sys.stdin.read().split("\\n"):',
      '    r, v = line.split("\\t")',
      '    print("affected" if SpecifierSet("=" + r if r.startswith("= ") else r).contains(v, prereleases=True) else "not-affected")',
    ].join('\n');
    assertAgrees(rows, referenceVerdicts('/usr/bin/python3', ['-c', script], rows));
  });

  it('RubyGems Gem::Requirement on range-gem.txt', (t) => {
    if (!requireTool(t, 'ruby')) return;
    const rows = loadRows('gem').filter((r) => r.verdict !== 'unknown');
    const script = 'STDIN.read.split("\\n").each { |l| r, v = l.split("\\t"); puts(Gem::Requirement.new(*r.split(",")).satisfied_by?(Gem::Version.new(v)) ? "affected" : "not-affected") }';
    assertAgrees(rows, referenceVerdicts('ruby', ['-e', script], rows));
  });

  it('composer/semver Semver::satisfies on range-composer.txt', (t) => {
    if (!requireTool(t, 'php', ['-r', 'require "/usr/share/php/Composer/Semver/autoload.php";'])) return;
    const rows = loadRows('composer').filter((r) => r.verdict !== 'unknown');
    const script = 'require "/usr/share/php/Composer/Semver/autoload.php"; foreach (explode("\\n", stream_get_contents(STDIN)) as $l) { [$r, $v] = explode("\\t", $l); echo (Composer\\Semver\\Semver::satisfies($v, $r) ? "affected" : "not-affected"), "\\n"; }';
    assertAgrees(rows, referenceVerdicts('php', ['-r', script], rows));
  });
});
