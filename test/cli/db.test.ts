import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { stella } from './harness.js';

/*
 * `stella db` and `stella advisory` on the real records the project ships (OSV records of several
 * ecosystems and distros, the GitHub advisory-database layout, NVD 2.0 records), read with --from
 * the way an air-gapped site would: every record ingests, merges, and comes back by any of its ids.
 */

const CONNECTORS = join(import.meta.dirname, '..', '..', 'src', 'feeds', 'connectors');
const OSV = join(CONNECTORS, 'osv', 'testdata');
const GHSA = join(CONNECTORS, 'ghsa', 'testdata', 'advisory-database');
const NVD = join(CONNECTORS, 'nvd', 'testdata', 'fkie');

let home: string;
const env = { ...process.env };

before(() => {
  home = mkdtempSync(join(tmpdir(), 'stella-db-cli-'));
  process.env.STELLA_HOME = home;
  delete process.env.STELLA_DATABASE_URL;
});

after(() => {
  process.env = env;
  rmSync(home, { recursive: true, force: true });
});

function osvIds(): string[] {
  return readdirSync(OSV)
    .filter((f) => /\.(json|ya?ml)$/.test(f))
    .map((f) => {
      const text = readFileSync(join(OSV, f), 'utf8');
      return (f.endsWith('.json') ? JSON.parse(text) : parseYaml(text)) as { id: string };
    })
    .map((r) => r.id)
    .sort();
}

describe('stella db / stella advisory', () => {
  test('fetch --from, merge, status, get by any alias, search', async () => {
    for (const [source, from] of [['osv', OSV], ['ghsa', GHSA], ['nvd', NVD]] as const) {
      const result = await stella(['db', 'fetch', '--source', source, '--from', from, '--offline']);
      assert.equal(result.status, 0, result.stderr);
      const summary = JSON.parse(result.stdout) as { sources: { source: string; map: { records: number; failed: number } }[] };
      assert.equal(summary.sources[0]?.source, source);
      assert.ok((summary.sources[0]?.map.records ?? 0) > 0);
      assert.match(result.stderr, new RegExp(`${source}: mapped`));
    }
    const status = await stella(['db', 'status', '--json']);
    assert.equal(status.status, 0);
    const state = JSON.parse(status.stdout) as { sources: { source: string; records: { mapped: number; failed: number }; errors: number; lastSuccess: string | null }[] };
    for (const s of state.sources) {
      assert.equal(s.records.failed, 0, `${s.source} has no failed records`);
      assert.ok(s.lastSuccess !== null, `${s.source} ran`);
    }
    assert.equal(state.sources.find((s) => s.source === 'osv')?.records.mapped, osvIds().length);

    const merge = await stella(['db', 'merge']);
    assert.equal(merge.status, 0, merge.stderr);
    const merged = JSON.parse(merge.stdout) as { advisories: number; changed: number };
    assert.ok(merged.advisories > 10);
    assert.equal(merged.changed, merged.advisories);
    assert.equal(JSON.parse((await stella(['db', 'merge'])).stdout).changed, 0, 'a second merge changes nothing');

    // Round trip: every OSV record comes back by its own id.
    for (const id of osvIds()) {
      const got = await stella(['advisory', 'get', id]);
      assert.equal(got.status, 0, `${id}: ${got.stderr}`);
      const advisory = JSON.parse(got.stdout) as { key: string; aliases: string[]; sources: { id: string }[] };
      assert.ok(advisory.key === id || advisory.aliases.includes(id), `${id} is the key or an alias of ${advisory.key}`);
      assert.ok(advisory.sources.some((s) => s.id === id));
    }

    // The acceptance case: GHSA (advisory-database), its OSV form and NVD's CVE-2020-8203 are one.
    const lodash = JSON.parse((await stella(['advisory', 'get', 'ghsa-p6mc-m468-83gw'])).stdout) as {
      key: string; aliases: string[]; sources: { source: string; id: string }[];
      summary: { value: string; provenance: { source: string; documentSha256: string } };
      details: { provenance: { source: string } };
      severities: { source: string; type: string; provenance: { source: string } }[];
      cpeConfigurations: unknown[];
    };
    assert.equal(lodash.key, 'CVE-2020-8203');
    assert.deepEqual(lodash.aliases, ['GHSA-p6mc-m468-83gw']);
    assert.deepEqual(lodash.sources.map((s) => `${s.source}:${s.id}`), ['ghsa:GHSA-p6mc-m468-83gw', 'nvd:CVE-2020-8203', 'osv:GHSA-p6mc-m468-83gw']);
    assert.match(lodash.summary.provenance.documentSha256, /^[0-9a-f]{64}$/);
    assert.notEqual(lodash.details.provenance.source, 'nvd');
    assert.ok(lodash.severities.some((s) => s.source === 'nvd' && s.provenance.source === 'nvd'));
    assert.ok(lodash.cpeConfigurations.length > 0);
    assert.equal((await stella(['advisory', 'get', 'CVE-2020-8203'])).stdout, (await stella(['advisory', 'get', 'GHSA-p6mc-m468-83gw'])).stdout);

    const missing = await stella(['advisory', 'get', 'CVE-1999-0000']);
    assert.equal(missing.status, 1);
    assert.match(missing.stderr, /no advisory/);

    const search = await stella(['advisory', 'search', '--package', 'pkg:npm/lodash@4.17.15', '--json']);
    assert.equal(search.status, 0);
    const keys = search.stdout.trim().split('\n').map((l) => (JSON.parse(l) as { key: string }).key);
    assert.deepEqual(keys, ['CVE-2020-8203', 'CVE-2021-23337']);
    const pypi = await stella(['advisory', 'search', '--package', 'pkg:pypi/Jinja2', '--json']);
    assert.equal(pypi.status, 0);

    // The clone's unreviewed advisories only on request.
    const unreviewed = await stella(['db', 'fetch', '--source', 'ghsa', '--from', GHSA, '--include-unreviewed', '--offline']);
    assert.equal(unreviewed.status, 0, unreviewed.stderr);
    const added = JSON.parse(unreviewed.stdout) as { sources: { fetch: { inserted: number } }[] };
    assert.equal(added.sources[0]?.fetch.inserted, 1);

    const table = await stella(['db', 'status']);
    assert.match(table.stdout, /^SOURCE\s+LAST RUN/m);
    assert.match(table.stdout, /canonical advisories: \d+/);
  });

  test('usage errors: unknown source and stage', async () => {
    const source = await stella(['db', 'fetch', '--source', 'nope']);
    assert.equal(source.status, 2);
    assert.match(source.stderr, /unknown source "nope"/);
    const stage = await stella(['db', 'fetch', '--source', 'osv', '--stage', 'eat']);
    assert.equal(stage.status, 2);
  });

  test('--offline never reaches the network: the failure is recorded and backs the source off', async () => {
    const result = await stella(['db', 'fetch', '--source', 'nvd', '--offline']);
    assert.equal(result.status, 1);
    const out = JSON.parse(result.stdout) as { sources: { error: { code: string } }[] };
    assert.equal(out.sources[0]?.error.code, 'OFFLINE');
    const status = JSON.parse((await stella(['db', 'status', '--json'])).stdout) as { sources: { source: string; failureCount: number; backoffUntil: string | null }[] };
    const nvd = status.sources.find((s) => s.source === 'nvd');
    assert.equal(nvd?.failureCount, 1);
    assert.ok(nvd?.backoffUntil !== null);
    const skipped = await stella(['db', 'fetch', '--source', 'nvd', '--offline']);
    assert.match(skipped.stderr, /backing off/);
  });
});

test('the CLI help lists the same sources and stages as the feeds module', async () => {
  const { SOURCE_NAMES, STAGE_NAMES } = await import('../../src/cli/commands/db.js');
  const { CONNECTORS, STAGES } = await import('../../src/feeds/index.js');
  assert.deepEqual([...SOURCE_NAMES].sort(), [...CONNECTORS.keys()].sort());
  assert.deepEqual([...STAGE_NAMES], [...STAGES]);
});
