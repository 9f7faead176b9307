import type { PackageDraft, ScanIssue } from '../../../inventory/index.js';
import { CatalogError, type Analyzer, type AnalyzerFile, type AnalyzerResult } from '../../analyzer.js';
import { BDB_BTREE_MAGIC, BDB_HASH_MAGIC, readBdb } from './bdb.js';
import { RpmdbError, type RpmdbRecord } from './errors.js';
import { parseHeader } from './header.js';
import { NDB_MAGIC, readNdb } from './ndb.js';
import { headerToPackage } from './package.js';
import { readSqlite, SQLITE_MAGIC } from './sqlite.js';

/*
 * The rpm database in its three formats. Images keep it in /var/lib/rpm (RHEL, CentOS, Amazon)
 * or /usr/lib/sysimage/rpm (Fedora ≥ 36, SUSE), often one a symlink to the other; the layer walk
 * resolves symlinks, so both real paths are wanted. The format is told by magic bytes, not names.
 */

const DIRECTORIES = ['/var/lib/rpm', '/usr/lib/sysimage/rpm'];
const FILES = ['rpmdb.sqlite', 'Packages', 'Packages.db'];
const WANTED = new Set(DIRECTORIES.flatMap((dir) => FILES.map((file) => `${dir}/${file}`)));

export type RpmdbFormat = 'sqlite' | 'bdb' | 'ndb';

/** The store format from the first bytes, or undefined when it is none of rpm's. */
export function detectRpmdbFormat(file: Uint8Array): RpmdbFormat | undefined {
  if (file.length >= 16 && SQLITE_MAGIC.equals(file.subarray(0, 16))) return 'sqlite';
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  if (file.length >= 8 && view.getUint32(0, true) === NDB_MAGIC) return 'ndb';
  if (file.length >= 16) {
    const magics = [view.getUint32(12, true), view.getUint32(12, false)];
    if (magics.some((m) => m === BDB_HASH_MAGIC || m === BDB_BTREE_MAGIC)) return 'bdb';
  }
  return undefined;
}

/** The header blobs of an rpm database file, whatever its format. Throws RpmdbError. */
export function readRpmdb(file: Uint8Array): RpmdbRecord[] {
  switch (detectRpmdbFormat(file)) {
    case 'sqlite': return readSqlite(file);
    case 'bdb': return readBdb(file);
    case 'ndb': return readNdb(file);
    case undefined: throw new RpmdbError('MALFORMED_DATABASE', 'not an rpm database (no SQLite, Berkeley DB or ndb magic)');
  }
}

function recordToPackage(record: RpmdbRecord, path: string): PackageDraft | string | undefined {
  if ('error' in record) return record.error;
  try {
    return headerToPackage(parseHeader(record.blob), path);
  } catch (error) {
    if (error instanceof RpmdbError) return `package ${record.instance}: ${error.message}`;
    throw error;
  }
}

/** Lists the packages of one rpm database file; a damaged header becomes an issue, the rest is kept. */
export function analyzeRpmdb(file: AnalyzerFile): AnalyzerResult {
  let records: RpmdbRecord[];
  try {
    records = readRpmdb(file.content);
  } catch (error) {
    if (!(error instanceof RpmdbError)) throw error;
    throw new CatalogError('MALFORMED_FILE', `${file.path}: ${error.message}`, { cause: error });
  }
  const packages: PackageDraft[] = [];
  const issues: ScanIssue[] = [];
  for (const record of records) {
    const outcome = recordToPackage(record, file.path);
    if (typeof outcome === 'string') issues.push({ code: 'MALFORMED_RECORD', message: `rpm record skipped: ${outcome}`, path: file.path });
    else if (outcome !== undefined) packages.push(outcome);
  }
  if (records.length > 0 && packages.length === 0 && issues.length === records.length) {
    throw new CatalogError('MALFORMED_FILE', `${file.path}: no readable package header among ${records.length} records (first: ${issues[0]?.message ?? ''})`);
  }
  return issues.length > 0 ? { packages, issues } : { packages };
}

export const rpmAnalyzer: Analyzer = {
  name: 'rpm',
  version: 1,
  // RHEL 8 `Packages` files reach ~100 MB for large installs; a store is read whole into memory.
  maxFileSize: 256 * 1024 * 1024,
  wants: (path: string): boolean => WANTED.has(path),
  analyze: analyzeRpmdb,
};
