import assert from 'node:assert/strict';
import { existsSync, rmSync } from 'node:fs';
import { mkdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { forEachDialect, withStore, type TargetFactory } from '../../../test/support/store-targets.js';
import { exportJsonSnapshot, exportTime, readManifest, verifyExportTree } from './index.js';
import type { Store } from '../../store/index.js';
import { copyOsv, ingest, NVD_TESTDATA, readTree, tempDir } from './testing.js';

/*
 * The export clock (SOURCE_DATE_EPOCH, else the last merge, never the wall clock) and
 * verifyExportTree against every kind of damage: a changed byte, an extra file, a missing file, a
 * symlink, a manifest that is not one.
 */

// These tests set the export clock themselves; an inherited SOURCE_DATE_EPOCH would override it.
delete process.env.SOURCE_DATE_EPOCH;

const dirs: string[] = [];
function scratch(prefix: string): string {
  const dir = tempDir(prefix);
  dirs.push(dir);
  return dir;
}
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

async function rejects(promise: Promise<unknown>, code: string): Promise<void> {
  await assert.rejects(promise, (error: { code?: string; message?: string }) => {
    assert.equal(error.code, code, error.message);
    return true;
  });
}

test('exportTime: SOURCE_DATE_EPOCH, then the last merge, then the injected clock, then the epoch', () => {
  assert.equal(exportTime('1700000000', '2024-01-01T00:00:00.000Z'), '2023-11-14T22:13:20.000Z');
  assert.equal(exportTime(undefined, '2024-01-01T00:00:05Z', () => new Date(9e12)), '2024-01-01T00:00:05.000Z');
  assert.equal(exportTime('', null, () => new Date('2030-01-01T00:00:00Z')), '2030-01-01T00:00:00.000Z');
  assert.equal(exportTime(undefined, null), '1970-01-01T00:00:00.000Z');
  for (const bad of ['1.5', '-1', 'yesterday', '99999999999999999']) {
    assert.throws(() => exportTime(bad, null), (e: { code?: string }) => e.code === 'BAD_OPTION', bad);
  }
});

function verifySuite(name: string, factory: TargetFactory): void {
  describe(`JSON export clock and verification on ${name}`, () => {
    test('SOURCE_DATE_EPOCH (option or environment) sets generatedAt; no other byte depends on the clock', async () => {
      await withStore(factory, async (store) => {
        const home = scratch('home');
        await ingest(store, { nvd: NVD_TESTDATA }, home);
        const plain = join(scratch('plain'), 'out');
        const option = join(scratch('option'), 'out');
        const env = join(scratch('env'), 'out');
        await exportJsonSnapshot(store, { out: plain, now: () => new Date('2099-01-01T00:00:00Z') });
        await exportJsonSnapshot(store, { out: option, sourceDateEpoch: '1700000000' });
        const saved = process.env.SOURCE_DATE_EPOCH;
        process.env.SOURCE_DATE_EPOCH = '0';
        try {
          await exportJsonSnapshot(store, { out: env });
          await rejects(exportJsonSnapshot(store, { out: join(scratch('bad'), 'out'), sourceDateEpoch: 'soon' }), 'BAD_OPTION');
        } finally {
          if (saved === undefined) delete process.env.SOURCE_DATE_EPOCH;
          else process.env.SOURCE_DATE_EPOCH = saved;
        }
        assert.equal((await readManifest(plain)).generatedAt, await store.lastMergeAt(), 'the last merge, not the injected clock');
        assert.equal((await readManifest(option)).generatedAt, '2023-11-14T22:13:20.000Z');
        assert.equal((await readManifest(env)).generatedAt, '1970-01-01T00:00:00.000Z');
        const withoutManifest = async (dir: string) => [...(await readTree(dir))].filter(([p]) => p !== 'manifest.json');
        assert.deepEqual(await withoutManifest(option), await withoutManifest(plain));
        assert.deepEqual(await withoutManifest(env), await withoutManifest(plain));
      });
    });

    test('an empty store that never merged: the injected clock, else the Unix epoch', async () => {
      await withStore(factory, async (store) => {
        const clocked = join(scratch('clocked'), 'out');
        const bare = join(scratch('bare'), 'out');
        await exportJsonSnapshot(store, { out: clocked, now: () => new Date('2026-11-28T00:00:00Z'), sourceDateEpoch: '' });
        await exportJsonSnapshot(store, { out: bare, sourceDateEpoch: '' });
        assert.equal((await readManifest(clocked)).generatedAt, '2026-11-28T00:00:00.000Z');
        const manifest = await readManifest(bare);
        assert.equal(manifest.generatedAt, '1970-01-01T00:00:00.000Z');
        assert.deepEqual(manifest.files.map((f) => f.path), ['index.json']);
        assert.deepEqual(manifest.counts, { advisories: 0, withdrawn: 0, records: 0, sources: [] });
        assert.deepEqual(await verifyExportTree(bare), []);
      });
    });

    test('a merge during the export: STORE_CHANGED, and no manifest describes the mixed tree', async () => {
      await withStore(factory, async (store) => {
        const home = scratch('home');
        await ingest(store, { nvd: NVD_TESTDATA }, home);
        await copyOsv(join(home, 'osv'), []);
        let raced = false;
        const racing: Store = {
          ...store,
          listAdvisories: async (after, limit) => {
            if (!raced) {
              raced = true;
              await ingest(store, { osv: join(home, 'osv') }, home);
            }
            return store.listAdvisories(after, limit);
          },
        };
        const out = join(scratch('race'), 'out');
        await rejects(exportJsonSnapshot(racing, { out }), 'STORE_CHANGED');
        assert.ok(raced);
        assert.equal(existsSync(join(out, 'manifest.json')), false);
      });
    });

    test('verifyExportTree reports a changed byte, an extra file, a missing file, a symlink and a bad manifest', async () => {
      await withStore(factory, async (store) => {
        const home = scratch('home');
        await ingest(store, { nvd: NVD_TESTDATA }, home);
        const out = join(scratch('verify'), 'out');
        await exportJsonSnapshot(store, { out });
        assert.deepEqual(await verifyExportTree(out), []);

        const victim = join(out, 'advisories', '2020', 'CVE-2020-8203.json');
        const bytes = await readFile(victim);
        bytes[100] = (bytes[100] as number) ^ 0x01;
        await writeFile(victim, bytes);
        const changed = await verifyExportTree(out);
        assert.equal(changed.length, 1);
        assert.match(changed[0] as string, /^advisories\/2020\/CVE-2020-8203\.json: sha256 [0-9a-f]{64}, manifest says/);

        await writeFile(join(out, 'advisories', 'extra.json'), '{}');
        await mkdir(join(out, 'new-dir'));
        await writeFile(join(out, 'new-dir', '.hidden'), '');
        await rm(join(out, 'sources', 'nvd', '2024', 'CVE-2024-6523.json'));
        await symlink('/etc/hostname', join(out, 'link.json'));
        assert.deepEqual((await verifyExportTree(out)).map((p) => p.replace(/: .*/, ':')), [
          'advisories/2020/CVE-2020-8203.json:',
          'sources/nvd/2024/CVE-2024-6523.json:',
          'advisories/extra.json:',
          'new-dir/.hidden:',
          'link.json:',
        ]);

        await writeFile(join(out, 'manifest.json'), '{"format":"something-else"}');
        const bad = await verifyExportTree(out);
        assert.equal(bad.length, 1);
        assert.match(bad[0] as string, /^manifest\.json: .*format "something-else"/);
        const unsafe = { format: 'stella-json-export', formatVersion: 1, kind: 'full', generatedAt: '1970-01-01T00:00:00.000Z',
          counts: { advisories: 0, withdrawn: 0, records: 0, sources: [] },
          files: [{ path: '../outside.json', sha256: '0'.repeat(64), size: 0, mediaType: 'application/json' }] };
        await writeFile(join(out, 'manifest.json'), JSON.stringify(unsafe));
        await rejects(readManifest(out), 'BAD_MANIFEST');
      });
    });
  });
}

await forEachDialect('JSON export clock and verification', verifySuite);
