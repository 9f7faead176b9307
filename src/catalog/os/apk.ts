import type { PackageDraft, ScanIssue } from '../../inventory/index.js';
import { CatalogError, type Analyzer, type AnalyzerFile, type AnalyzerResult } from '../analyzer.js';
import { normalizeLicense } from '../license.js';
import { decodeText } from './stanza.js';

/*
 * apk's installed database, /lib/apk/db/installed: one record per package, records separated by
 * blank lines, one `X:value` line per fact (apk-tools' "v2 index" letters: P name, V version,
 * A arch, o origin, L license, m maintainer, t build time, c commit; F/R/a/M/Z describe files).
 */

const INSTALLED_DB = '/lib/apk/db/installed';
const LINE = /^([A-Za-z]):(.*)$/;

type ApkRecord = { readonly line: number; readonly fields: Map<string, string>; error?: string };

function splitRecords(text: string): ApkRecord[] {
  const records: ApkRecord[] = [];
  let current: ApkRecord | undefined;
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = (lines[i] ?? '').replace(/\r$/, '');
    if (line.trim() === '') {
      current = undefined;
      continue;
    }
    if (current === undefined) {
      current = { line: i + 1, fields: new Map() };
      records.push(current);
    }
    const match = LINE.exec(line);
    if (match === null) {
      current.error ??= `line ${i + 1}: expected "X:value", got ${JSON.stringify(line.slice(0, 60))}`;
      continue;
    }
    const key = match[1] ?? '';
    // File facts (F, R, Z, a, M…) repeat; the package facts we read appear once: keep the first.
    if (!current.fields.has(key)) current.fields.set(key, match[2] ?? '');
  }
  return records;
}

function toPackage(record: ApkRecord, path: string): PackageDraft | string {
  if (record.error !== undefined) return record.error;
  const name = record.fields.get('P');
  const version = record.fields.get('V');
  if (name === undefined || name === '') return 'missing P: (package name)';
  if (version === undefined || version === '') return `package ${name}: missing V: (version)`;
  const arch = record.fields.get('A');
  const origin = record.fields.get('o');
  const rawLicense = (record.fields.get('L') ?? '').trim();
  const license = normalizeLicense(rawLicense);
  // The raw text is kept whenever it is not what we report (spacing aside), so a correction stays visible.
  const sameText = license !== undefined && license.replace(/\s/g, '') === rawLicense.replace(/\s/g, '');
  const properties = rawLicense !== '' && !sameText ? { 'stella:license-raw': rawLicense } : undefined;
  return {
    type: 'apk', name, version, location: path, foundBy: 'apk',
    source: { name: origin !== undefined && origin !== '' ? origin : name },
    ...(arch !== undefined && arch !== '' ? { arch } : {}),
    ...(license !== undefined ? { licenses: [license] } : {}),
    ...(properties !== undefined ? { properties } : {}),
  };
}

/** Parses an apk installed database; broken records become issues, the rest is kept. */
export function parseApkInstalled(file: AnalyzerFile): AnalyzerResult {
  const text = decodeText(file.content);
  if (text === undefined) throw new CatalogError('MALFORMED_FILE', `${file.path} is binary, not an apk installed database`);
  const records = splitRecords(text);
  const packages: PackageDraft[] = [];
  const issues: ScanIssue[] = [];
  for (const record of records) {
    const outcome = toPackage(record, file.path);
    if (typeof outcome === 'string') {
      issues.push({ code: 'MALFORMED_RECORD', message: `apk record at line ${record.line} skipped: ${outcome}`, path: file.path });
    } else {
      packages.push(outcome);
    }
  }
  if (records.length > 0 && packages.length === 0) {
    throw new CatalogError('MALFORMED_FILE', `${file.path} has no readable package record: not an apk installed database`);
  }
  return issues.length > 0 ? { packages, issues } : { packages };
}

export const apkAnalyzer: Analyzer = {
  name: 'apk',
  version: 1,
  maxFileSize: 64 * 1024 * 1024,
  wants: (path: string): boolean => path === INSTALLED_DB,
  analyze: parseApkInstalled,
};
