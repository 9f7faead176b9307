import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { rmSync } from 'node:fs';
import { cp, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { canonicalJson } from '../../advisories/index.js';
import type { Store } from '../../store/index.js';
import { forEachDialect, withStore, type TargetFactory } from '../../../test/support/store-targets.js';
import {
  applyJsonDelta, exportJsonSnapshot, readManifest, verifyExportTree, type DeltaManifest,
} from './index.js';
import { copyOsv, GHSA_TESTDATA, ingest, NVD_TESTDATA, readTree, tempDir } from './testing.js';

/*
 * Full and delta exports of stores filled from real records, on SQLite and PostgreSQL: the same
 * store gives the same bytes; after real kinds of change (new records, a record updated upstream,
 * an advisory key that disappears when a record gains its CVE alias) a delta carries exactly the
 * changed files and removed paths, and base + delta is the new full export byte for byte.
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

const LATER = ['GO-2022-0969.json', 'RUSTSEC-2020-0071.json'];

/** PYSEC-2023-74 as first published: no CVE/GHSA aliases yet, an earlier `modified`. */
function beforeCveAssigned(name: string, text: string): string | undefined {
  if (name !== 'PYSEC-2023-74.yaml') return undefined;
  const edited = text
    .replace('aliases:\n- CVE-2023-32681\n- GHSA-j8r2-6x86-q33q\n', '')
    .replace('modified: "2023-06-05T01:13:00.534973Z"', 'modified: "2023-05-26T18:15:00Z"');
  assert.notEqual(edited, text, 'the PYSEC-2023-74 fixture still has the lines this test edits');
  return edited;
}

/** State A: every fixture except LATER, PYSEC-2023-74 before its CVE; GHSA and NVD too. */
async function fillFirst(store: Store, home: string): Promise<void> {
  const osv = join(home, 'osv-a');
  await copyOsv(osv, LATER, beforeCveAssigned);
  await ingest(store, { osv, ghsa: GHSA_TESTDATA, nvd: NVD_TESTDATA }, home);
}

/** State B: every OSV fixture as published today. */
async function fillSecond(store: Store, home: string): Promise<{ removed: number }> {
  const osv = join(home, 'osv-b');
  await copyOsv(osv, []);
  return ingest(store, { osv }, home);
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

async function rejects(promise: Promise<unknown>, code: string): Promise<void> {
  await assert.rejects(promise, (error: { code?: string; message?: string }) => {
    assert.equal(error.code, code, error.message);
    return true;
  });
}

function exportSuite(name: string, factory: TargetFactory): void {
  describe(`JSON export on ${name}`, () => {
    test('the same store exports byte-identical, self-consistent trees', async () => {
      await withStore(factory, async (store) => {
        const home = scratch('home');
        await fillFirst(store, home);
        const [one, two] = [join(scratch('a'), 'out'), join(scratch('b'), 'out')];
        const summary = await exportJsonSnapshot(store, { out: one });
        await exportJsonSnapshot(store, { out: two });
        const first = await readTree(one);
        assert.deepEqual(await readTree(two), first, 'two exports of one store are byte-identical');
        assert.deepEqual(await verifyExportTree(one), []);

        const manifest = await readManifest(one);
        assert.equal(manifest.kind, 'full');
        assert.equal(manifest.generatedAt, await store.lastMergeAt(), 'the export clock is the last merge');
        assert.equal(summary.manifestSha256, sha256(first.get('manifest.json') as Buffer));
        assert.deepEqual(manifest.files.map((f) => f.path), [...first.keys()].filter((p) => p !== 'manifest.json'));
        for (const [path, bytes] of first) {
          const text = bytes.toString('utf8');
          assert.equal(canonicalJson(JSON.parse(text)), text, `${path} is canonical JSON`);
        }

        // Every canonical advisory is its stored bytes at its path; every mapped record has a file.
        const stored = await store.listAdvisories(null, 10_000);
        const records = await store.listMappedRecords(null, 10_000);
        assert.deepEqual(manifest.counts, { ...manifest.counts, advisories: stored.length, records: records.length });
        assert.equal(manifest.files.length, stored.length + records.length + 1);
        const index = JSON.parse((first.get('index.json') as Buffer).toString('utf8')) as {
          advisories: { key: string; path: string; aliases: string[]; withdrawn: string | null }[];
          records: { source: string; id: string; path: string }[];
        };
        for (const row of stored) {
          const entry = index.advisories.find((a) => a.key === row.key);
          assert.ok(entry !== undefined, `${row.key} is in the index`);
          assert.equal(first.get(entry.path)?.toString('utf8'), row.json);
          assert.equal(sha256(first.get(entry.path) as Buffer), row.sha256);
        }
        const lodash = index.advisories.find((a) => a.key === 'CVE-2020-8203');
        assert.equal(lodash?.path, 'advisories/2020/CVE-2020-8203.json');
        assert.deepEqual(lodash?.aliases, ['GHSA-p6mc-m468-83gw']);
        assert.notEqual(index.advisories.find((a) => a.key === 'CVE-2020-24980')?.withdrawn, null, 'NVD rejected CVE: withdrawn');
        assert.equal(index.records.length, records.length);
        const ghsaRecord = JSON.parse(first.get('sources/ghsa/GHSA/p6/GHSA-p6mc-m468-83gw.json')?.toString('utf8') ?? 'null') as {
          source: string; recordId: string; document: { sha256: string }; advisory: { id: string };
        };
        assert.equal(ghsaRecord.recordId, 'GHSA-p6mc-m468-83gw');
        assert.equal(ghsaRecord.advisory.id, 'GHSA-p6mc-m468-83gw');
        assert.match(ghsaRecord.document.sha256, /^[0-9a-f]{64}$/);

        await rejects(exportJsonSnapshot(store, { out: one }), 'OUT_NOT_EMPTY');
      });
    });

    test('a delta carries only changed files and removed paths; base + delta = the new full export', async () => {
      await withStore(factory, async (store) => {
        const home = scratch('home');
        await fillFirst(store, home);
        const base = join(scratch('base'), 'out');
        await exportJsonSnapshot(store, { out: base });
        assert.ok((await fillSecond(store, home)).removed >= 1, 'PYSEC-2023-74 moved to CVE-2023-32681: its old key is removed');

        const full = join(scratch('full'), 'out');
        const deltaDir = join(scratch('delta'), 'out');
        const fullSummary = await exportJsonSnapshot(store, { out: full });
        const summary = await exportJsonSnapshot(store, { out: deltaDir, delta: { base } });
        const [oldTree, newTree, deltaTree] = [await readTree(base), await readTree(full), await readTree(deltaDir)];

        const changed = [...newTree].filter(([p, b]) => p !== 'manifest.json' && !oldTree.get(p)?.equals(b)).map(([p]) => p);
        const removed = [...oldTree.keys()].filter((p) => !newTree.has(p));
        const manifest = (await readManifest(deltaDir)) as DeltaManifest;
        assert.equal(manifest.kind, 'delta');
        assert.deepEqual(manifest.files.map((f) => f.path), changed);
        assert.deepEqual(manifest.removed, removed);
        assert.deepEqual([...deltaTree.keys()], [...changed, 'manifest.json'].sort());
        for (const path of changed) assert.ok(deltaTree.get(path)?.equals(newTree.get(path) as Buffer), path);
        assert.equal(manifest.base.manifestSha256, sha256(oldTree.get('manifest.json') as Buffer));
        assert.equal(manifest.full.manifestSha256, fullSummary.manifestSha256);
        assert.equal(summary.fullManifestSha256, fullSummary.manifestSha256);
        assert.deepEqual(await verifyExportTree(deltaDir), []);

        for (const path of [
          'index.json', 'sources/osv/PYSEC/2023/PYSEC-2023-74.json', 'sources/osv/GO/2022/GO-2022-0969.json',
          'sources/osv/RUSTSEC/2020/RUSTSEC-2020-0071.json', 'advisories/2023/CVE-2023-32681.json', 'advisories/2022/CVE-2022-27664.json',
        ]) assert.ok(changed.includes(path), `${path} is in the delta`);
        assert.ok(removed.some((p) => p.startsWith('advisories/') && !newTree.has(p)), `an advisory path is removed (${removed.join()})`);
        for (const path of ['advisories/2020/CVE-2020-8203.json', 'sources/nvd/2020/CVE-2020-8203.json', 'sources/osv/DSA/DSA-3029-1.json']) {
          assert.ok(!changed.includes(path), `${path} did not change`);
        }
        assert.ok(changed.length < newTree.size / 2, `${changed.length} of ${newTree.size} files changed`);

        const applied = join(scratch('applied'), 'out');
        await applyJsonDelta(base, deltaDir, applied);
        assert.deepEqual(await readTree(applied), newTree, 'base + delta is the full export, manifest included');
        assert.deepEqual(await verifyExportTree(applied), []);

        // The wrong base, a tampered base, a delta as base: typed refusals, nothing applied.
        await rejects(applyJsonDelta(full, deltaDir, join(scratch('wrong'), 'out')), 'BASE_MISMATCH');
        await rejects(applyJsonDelta(deltaDir, deltaDir, join(scratch('kind'), 'out')), 'WRONG_KIND');
        const tampered = join(scratch('tampered'), 'out');
        await cp(base, tampered, { recursive: true });
        const kept = join(tampered, 'sources', 'osv', 'DSA', 'DSA-3029-1.json');
        await writeFile(kept, (await readFile(kept, 'utf8')).replace('"DSA-3029-1"', '"DSA-3029-2"'));
        await rejects(applyJsonDelta(tampered, deltaDir, join(scratch('t-out'), 'out')), 'DIGEST_MISMATCH');
        await rejects(exportJsonSnapshot(store, { out: join(scratch('dd'), 'out'), delta: { base: deltaDir } }), 'WRONG_KIND');

        // Nothing changed since the full export: an empty delta whose result is that export.
        const none = join(scratch('none'), 'out');
        const empty = await exportJsonSnapshot(store, { out: none, delta: { base: full } });
        assert.deepEqual([empty.written, empty.removed], [0, 0]);
        assert.deepEqual([...(await readTree(none)).keys()], ['manifest.json']);
        const again = join(scratch('again'), 'out');
        await applyJsonDelta(full, none, again);
        assert.deepEqual(await readTree(again), newTree);
      });
    });
  });
}

await forEachDialect('JSON export', exportSuite);
