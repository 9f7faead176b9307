import assert from 'node:assert/strict';
import { readdirSync, rmSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { forEachDialect, withStore, type TargetFactory } from '../../../test/support/store-targets.js';
import { exportJsonSnapshot, verifyExportTree } from './index.js';
import { ingest, OSV_TESTDATA, readTree, tempDir } from './testing.js';

/*
 * Ids are untrusted: OSV records (a real one, GHSA-vh95-rmgr-6w4m, under hostile ids) go through
 * the real pipeline and merge; their files stay inside the export, one per record, distinct even
 * with letter case ignored, and each is found again through index.json.
 */

const dirs: string[] = [];
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

const HOSTILE = [
  '../../x', '..', '/etc/passwd', 'C:\\Windows\\win.ini', 'a/../../../b', 'NUL', 'CON.json', '.hidden',
  `${'X'.repeat(400)}1`, `${'X'.repeat(400)}2`, 'GHSA-vh95-rmgr-6w4m', 'GHSA-VH95-RMGR-6W4M', 'ghsa-vh95-rmgr-6w4m',
  'cve-2021-99999', 'CVE-2021-99999', 'ünïcödé-ID', 'a\tb',
];

/** NUL cannot be stored in a PostgreSQL text column: SQLite alone gets an id carrying one. */
function hostileIds(dialect: string): string[] {
  return dialect === 'sqlite' ? [...HOSTILE, 'x\u0000y'] : HOSTILE;
}

async function writeHostileRecords(dir: string, ids: readonly string[]): Promise<void> {
  const real = JSON.parse(await readFile(join(OSV_TESTDATA, 'GHSA-vh95-rmgr-6w4m.json'), 'utf8')) as Record<string, unknown>;
  await mkdir(dir, { recursive: true });
  for (const [i, id] of ids.entries()) {
    await writeFile(join(dir, `record-${String(i).padStart(2, '0')}.json`), JSON.stringify({ ...real, id, aliases: [] }));
  }
}

function idsSuite(name: string, factory: TargetFactory): void {
  describe(`JSON export of hostile ids on ${name}`, () => {
    test('hostile record ids and advisory keys stay inside the export, distinct, found through the index', async () => {
      await withStore(factory, async (store) => {
        const home = tempDir('ids');
        dirs.push(home);
        const ids = hostileIds(name);
        await writeHostileRecords(join(home, 'osv'), ids);
        await ingest(store, { osv: join(home, 'osv') }, home);
        const mapped = await store.listMappedRecords(null, 1000);
        assert.deepEqual(mapped.map((r) => r.recordId).sort(), [...ids].sort(), 'every hostile record was mapped');

        const parent = join(home, 'export');
        const out = join(parent, 'out');
        await exportJsonSnapshot(store, { out });
        assert.deepEqual(readdirSync(parent), ['out'], 'nothing written beside the export');
        assert.deepEqual(await verifyExportTree(out), []);

        const tree = await readTree(out);
        const index = JSON.parse((tree.get('index.json') as Buffer).toString('utf8')) as {
          advisories: { key: string; path: string }[];
          records: { source: string; id: string; path: string }[];
        };
        assert.equal(index.records.length, ids.length);
        const folded = new Set<string>();
        for (const entry of [...index.records, ...index.advisories]) {
          assert.ok(tree.has(entry.path), `${entry.path} exists`);
          assert.ok(!folded.has(entry.path.toLowerCase()), `${entry.path} is distinct with case ignored`);
          folded.add(entry.path.toLowerCase());
          assert.ok(entry.path.split('/').every((s) => s !== '..' && s !== '.' && s !== ''), entry.path);
        }
        for (const entry of index.records) {
          const record = JSON.parse((tree.get(entry.path) as Buffer).toString('utf8')) as { recordId: string; advisory: { id: string } };
          assert.equal(record.recordId, entry.id);
          assert.equal(record.advisory.id, entry.id);
        }
        assert.equal(tree.size, index.records.length + index.advisories.length + 2);
        for (const path of tree.keys()) assert.ok(Buffer.byteLength(path.split('/').pop() ?? '') <= 140, path);
      });
    });
  });
}

await forEachDialect('JSON export of hostile ids', idsSuite);
