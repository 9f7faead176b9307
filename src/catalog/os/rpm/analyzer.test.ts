import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import Database from 'better-sqlite3';
import type { PackageDraft } from '../../../inventory/index.js';
import { requireTool } from '../../../../test/support/tools.js';
import { CatalogError } from '../../analyzer.js';
import { analyzeRpmdb, detectRpmdbFormat, readRpmdb, rpmAnalyzer } from './analyzer.js';
import { parseHeader, RPMTAG } from './header.js';

const fixturePath = (name: string): string => fileURLToPath(new URL(`./testdata/${name}`, import.meta.url));
const fixture = (name: string): Buffer => {
  const bytes = readFileSync(fixturePath(name));
  return name.endsWith('.gz') ? gunzipSync(bytes) : bytes;
};
const analyze = (content: Buffer, path = '/var/lib/rpm/Packages') => analyzeRpmdb({ path, content });
const byName = (a: PackageDraft, b: PackageDraft): number => a.name.localeCompare(b.name);
const malformed = (e: unknown): boolean => e instanceof CatalogError && e.code === 'MALFORMED_FILE';

const GENERATED = {
  sqlite: 'generated/sqlite/rpmdb.sqlite.gz',
  'bdb-hash-le': 'generated/bdb-hash-le/Packages.gz',
  'bdb-hash-be': 'generated/bdb-hash-be/Packages.gz',
  'bdb-hash-512': 'generated/bdb-hash-512/Packages.gz',
  'bdb-hash-64k': 'generated/bdb-hash-64k/Packages.gz',
  'bdb-btree': 'generated/bdb-btree/Packages.gz',
} as const;

const LOCATION = '/var/lib/rpm/Packages';
const LABEL = 'demo:1.2:9040020240101:abcdef12';
/** What make-dbs.sh installs (the gpg-pubkey it imports is not a package). */
const EXPECTED_GENERATED: PackageDraft[] = [
  {
    type: 'rpm', name: 'demo', version: '2:1.2.3-4.el9', arch: 'noarch', location: LOCATION, foundBy: 'rpm',
    source: { name: 'demo' }, licenses: ['GPL-2.0-or-later'],
    properties: { 'stella:license-raw': 'GPLv2+', 'stella:modularitylabel': LABEL },
  },
  {
    type: 'rpm', name: 'libdemo', version: '2:1.2.3-4.el9', arch: 'noarch', location: LOCATION, foundBy: 'rpm',
    source: { name: 'demo' }, properties: { 'stella:license-raw': 'MIT and BSD', 'stella:modularitylabel': LABEL },
  },
  {
    type: 'rpm', name: 'plain', version: '0.9~rc1-1', arch: 'x86_64', location: LOCATION, foundBy: 'rpm',
    source: { name: 'plain' }, licenses: ['MIT AND (Apache-2.0 OR BSD-3-Clause)'],
  },
  {
    type: 'rpm', name: 'zeroepoch', version: '0:2.28-251.fc40', arch: 'noarch', location: LOCATION, foundBy: 'rpm',
    source: { name: 'zeroepoch' }, properties: { 'stella:license-raw': 'LGPLv2+ and LGPLv2+ with exceptions and GPLv2+' },
  },
];

describe('rpm analyzer on databases made by rpm and db5.3_load (testdata/make-dbs.sh)', () => {
  for (const [scenario, file] of Object.entries(GENERATED)) {
    it(`reads every package of ${scenario}`, () => {
      const result = analyze(fixture(file), LOCATION);
      assert.equal(result.issues, undefined);
      assert.deepEqual([...(result.packages ?? [])].sort(byName), EXPECTED_GENERATED);
    });
  }

  it('tells the format from the bytes, not the file name', () => {
    assert.equal(detectRpmdbFormat(fixture(GENERATED.sqlite)), 'sqlite');
    assert.equal(detectRpmdbFormat(fixture(GENERATED['bdb-hash-be'])), 'bdb');
    assert.equal(detectRpmdbFormat(fixture('go-rpmdb/sle15-bci/Packages.db.gz')), 'ndb');
    assert.equal(detectRpmdbFormat(Buffer.from('not a database at all')), undefined);
    const sqliteNamedPackages = analyze(fixture(GENERATED.sqlite), '/usr/lib/sysimage/rpm/Packages');
    assert.equal(sqliteNamedPackages.packages?.length, 4);
    assert.equal(sqliteNamedPackages.packages?.[0]?.location, '/usr/lib/sysimage/rpm/Packages');
  });

  it('wants the package stores of both rpm directories only', () => {
    for (const dir of ['/var/lib/rpm', '/usr/lib/sysimage/rpm']) {
      for (const file of ['rpmdb.sqlite', 'Packages', 'Packages.db']) assert.ok(rpmAnalyzer.wants(`${dir}/${file}`), `${dir}/${file}`);
    }
    for (const path of ['/var/lib/rpm/Index.db', '/var/lib/rpm/Name', '/var/lib/rpm/rpmdb.sqlite-wal', '/root/.rpmdb/rpmdb.sqlite', '/var/lib/rpm/Packages.bak']) {
      assert.ok(!rpmAnalyzer.wants(path), path);
    }
  });
});

type Row = { name: string; epoch: string; version: string; release: string; arch: string; sourcerpm: string; license: string };

function expectedRows(file: string): Row[] {
  return readFileSync(fixturePath(file), 'utf8').split('\n').filter((l) => l !== '' && !l.startsWith('#')).map((line) => {
    const [name = '', epoch = '', version = '', release = '', arch = '', sourcerpm = '', license = ''] = line.split('\t');
    return { name, epoch, version, release, arch, sourcerpm, license };
  });
}

function headerRows(content: Buffer): Row[] {
  return readRpmdb(content).map((record) => {
    assert.ok('blob' in record, JSON.stringify(record));
    const h = parseHeader(record.blob);
    const s = (tag: number): string => h.string(tag) ?? '';
    return {
      name: s(RPMTAG.NAME), epoch: String(h.numbers(RPMTAG.EPOCH)?.[0] ?? '-'), version: s(RPMTAG.VERSION), release: s(RPMTAG.RELEASE),
      arch: s(RPMTAG.ARCH), sourcerpm: s(RPMTAG.SOURCERPM), license: s(RPMTAG.LICENSE),
    };
  });
}

describe('rpm analyzer on real databases (go-rpmdb fixtures; expectations from its tests and from rpm -qa)', () => {
  const cases = [
    ['SLE 15 BCI, ndb Packages.db', 'go-rpmdb/sle15-bci/Packages.db.gz', 'go-rpmdb/sle15-bci/expected.tsv'],
    ['CBL-Mariner 2.0, rpmdb.sqlite (trimmed)', 'go-rpmdb/cbl-mariner-2.0/rpmdb.sqlite.gz', 'go-rpmdb/cbl-mariner-2.0/expected.tsv'],
    ['RHEL 8 libuuid, BDB Packages with a 21-page overflow chain', 'go-rpmdb/libuuid/Packages.gz', 'go-rpmdb/libuuid/expected.tsv'],
  ] as const;
  for (const [scenario, db, expected] of cases) {
    it(`reads every header of ${scenario}, in store order`, () => {
      assert.deepEqual(headerRows(fixture(db)), expectedRows(expected));
    });
  }

  it('maps SUSE headers: source package from SOURCERPM, SPDX licenses as written', () => {
    const packages = analyze(fixture('go-rpmdb/sle15-bci/Packages.db.gz'), '/usr/lib/sysimage/rpm/Packages.db').packages ?? [];
    assert.equal(packages.length, 35);
    assert.deepEqual(packages.find((p) => p.name === 'libreadline7'), {
      type: 'rpm', name: 'libreadline7', version: '7.0-19.6.1', arch: 'x86_64', location: '/usr/lib/sysimage/rpm/Packages.db', foundBy: 'rpm',
      source: { name: 'bash', version: '4.4-19.6.1' }, licenses: ['GPL-3.0-or-later'],
    });
    assert.deepEqual(packages.find((p) => p.name === 'libcap2')?.licenses, ['BSD-3-Clause OR GPL-2.0']);
  });

  it('keeps the epoch of a Mariner package in its version and its source version', () => {
    const packages = analyze(fixture('go-rpmdb/cbl-mariner-2.0/rpmdb.sqlite.gz'), '/var/lib/rpm/rpmdb.sqlite').packages ?? [];
    const ca = packages.find((p) => p.name === 'ca-certificates-tools');
    assert.equal(ca?.version, '1:2.0.0-1.cm2');
    assert.deepEqual(ca?.source, { name: 'ca-certificates' });
    assert.deepEqual(ca?.licenses, ['MPL-2.0']);
    assert.deepEqual(packages.find((p) => p.name === 'curl-libs')?.source, { name: 'curl' }, 'same version as its source');
  });
});

const QUERY = '%{NAME} %{EVR} %{ARCH} %{SOURCERPM} %{MODULARITYLABEL}\\n';

function rpmQuery(file: string, storeName: string, backend: string): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'stella-rpmdb-'));
  try {
    // rpm writes -shm/-wal files beside an sqlite database: query a private copy, never testdata/.
    writeFileSync(join(dir, storeName), fixture(file));
    const out = spawnSync('rpm', ['-qa', '--dbpath', dir, '--define', `_db_backend ${backend}`, '--qf', QUERY.replace('\\n', '\n')], { encoding: 'utf8' });
    assert.equal(out.status, 0, out.stderr);
    return out.stdout.split('\n').filter((l) => l !== '' && !l.startsWith('gpg-pubkey '))
      .map((l) => l.replace(/ (\S+)-[^-\s]+-[^-\s]+\.(?:no)?src\.rpm /, ' $1 ')).sort();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function ourQuery(file: string): string[] {
  return (analyze(fixture(file)).packages ?? [])
    .map((p) => `${p.name} ${p.version} ${p.arch ?? '(none)'} ${p.source?.name ?? '(none)'} ${p.properties?.['stella:modularitylabel'] ?? '(none)'}`).sort();
}

describe('rpm analyzer against rpm -qa on the same database', () => {
  const cases: [string, string, string][] = [
    ...Object.values(GENERATED).map((file): [string, string, string] => file.endsWith('.sqlite.gz') ? [file, 'rpmdb.sqlite', 'sqlite'] : [file, 'Packages', 'bdb_ro']),
    ['go-rpmdb/cbl-mariner-2.0/rpmdb.sqlite.gz', 'rpmdb.sqlite', 'sqlite'],
    ['go-rpmdb/libuuid/Packages.gz', 'Packages', 'bdb_ro'],
  ];
  for (const [file, storeName, backend] of cases) {
    it(`lists what rpm lists for ${file}`, (t) => {
      if (!requireTool(t, 'rpm')) return;
      assert.deepEqual(ourQuery(file), rpmQuery(file, storeName, backend));
    });
  }
});

function sqliteWith(change: (db: Database.Database) => void): Buffer {
  const bytes = Buffer.from(fixture(GENERATED.sqlite));
  bytes[18] = 1; // rollback mode, so SQLite deserializes it
  bytes[19] = 1;
  const db = new Database(bytes);
  try {
    db.pragma('foreign_keys = OFF'); // rpm's index tables reference Packages
    change(db);
    return db.serialize();
  } finally {
    db.close();
  }
}

describe('rpm analyzer on damaged databases', () => {
  it('skips an ndb blob whose checksum fails and keeps the other 34 packages', () => {
    const bytes = fixture('go-rpmdb/sle15-bci/Packages.db.gz');
    bytes[4096 + 100] = (bytes[4096 + 100] ?? 0) ^ 0xff; // inside the first blob (block 256)
    const result = analyze(bytes);
    assert.equal(result.packages?.length, 34);
    assert.equal(result.issues?.length, 1);
    assert.equal(result.issues?.[0]?.code, 'MALFORMED_RECORD');
    assert.match(result.issues?.[0]?.message ?? '', /checksum mismatch/);
  });

  it('skips a damaged sqlite header blob and keeps the rest', () => {
    const result = analyze(sqliteWith((db) => db.prepare("UPDATE Packages SET blob = x'0000000100000000' WHERE hnum = 1").run()));
    assert.equal(result.packages?.length, 3);
    assert.match(result.issues?.[0]?.message ?? '', /package 1: rpm header/);
  });

  it('skips a record whose BDB overflow chain is broken and keeps the rest', () => {
    const bytes = Buffer.from(fixture(GENERATED['bdb-hash-512']));
    const page = Array.from({ length: bytes.length / 512 }, (_, n) => n).find((n) => bytes[n * 512 + 25] === 7) ?? 0;
    bytes[page * 512 + 25] = 0;
    const result = analyze(bytes);
    assert.equal(result.issues?.length, 1);
    assert.match(result.issues?.[0]?.message ?? '', new RegExp(`page ${page} has type 0`));
    assert.ok((result.packages?.length ?? 0) >= 3);
  });

  it('reads an empty database as no packages', () => {
    assert.deepEqual(analyze(sqliteWith((db) => db.prepare('DELETE FROM Packages').run())), { packages: [] });
  });

  it('rejects files it cannot read at all with MALFORMED_FILE', () => {
    assert.throws(() => analyze(Buffer.from('garbage, not an rpm database')), malformed);
    assert.throws(() => analyze(Buffer.alloc(0)), malformed);
    assert.throws(() => analyze(sqliteWith((db) => db.exec('DROP TABLE Packages'))), malformed);
    assert.throws(() => analyze(fixture(GENERATED.sqlite).subarray(0, 5000)), malformed);
    const badPageSize = Buffer.from(fixture(GENERATED['bdb-hash-le']));
    badPageSize.writeUInt32LE(1000, 20);
    assert.throws(() => analyze(badPageSize), malformed);
    const ndbBadSlot = fixture('go-rpmdb/sle15-bci/Packages.db.gz');
    ndbBadSlot.write('XXXX', 32, 'latin1');
    assert.throws(() => analyze(ndbBadSlot), malformed);
    const allBad = sqliteWith((db) => db.prepare("UPDATE Packages SET blob = x'00'").run());
    assert.throws(() => analyze(allBad), (e: unknown) => malformed(e) && /no readable package header among 5 records/.test((e as Error).message));
  });

  it('never writes beside the database it reads', () => {
    const dir = mkdtempSync(join(tmpdir(), 'stella-rpmdb-'));
    try {
      writeFileSync(join(dir, 'rpmdb.sqlite'), fixture(GENERATED.sqlite));
      analyze(readFileSync(join(dir, 'rpmdb.sqlite')));
      assert.deepEqual(readdirSync(dir), ['rpmdb.sqlite']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
