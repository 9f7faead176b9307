import parseSpdx from 'spdx-expression-parse';
import correctSpdx from 'spdx-correct';
import type { PackageDraft, ScanIssue } from '../../inventory/index.js';
import { CatalogError, type Analyzer, type AnalyzerFile, type AnalyzerResult } from '../analyzer.js';
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

type SpdxNode = ReturnType<typeof parseSpdx>;

function render(node: SpdxNode, parent?: 'and' | 'or'): string {
  if ('license' in node) {
    return `${node.license}${node.plus === true ? '+' : ''}${node.exception === undefined ? '' : ` WITH ${node.exception}`}`;
  }
  const text = `${render(node.left, node.conjunction)} ${node.conjunction.toUpperCase()} ${render(node.right, node.conjunction)}`;
  return parent !== undefined && parent !== node.conjunction ? `(${text})` : text;
}

function tryParse(expression: string): string | undefined {
  try {
    return render(parseSpdx(expression));
  } catch {
    return undefined;
  }
}

/**
 * spdx-correct for one identifier, refusing its guesses of a version the text does not give
 * ("GPL" → GPL-3.0-or-later, "BSD" → BSD-2-Clause); "GPL2" → GPL-2.0-only and "zlib" → Zlib pass.
 */
function correctId(id: string): string | undefined {
  const fixed = correctSpdx(id);
  if (fixed === null) return undefined;
  return /\d/.test(fixed) && !/\d/.test(id) ? undefined : fixed;
}

/** Corrects each license identifier of an expression (operators and parentheses kept) and parses it. */
function correctEach(raw: string): string | undefined {
  const tokens = raw.replace(/([()])/g, ' $1 ').split(/\s+/).filter((t) => t !== '');
  const fixed = tokens.map((t) => (/^(\(|\)|AND|OR|WITH)$/i.test(t) ? t.toUpperCase() : (correctId(t) ?? t)));
  return tryParse(fixed.join(' '));
}

/**
 * An apk `L:` value as one SPDX expression, or undefined when it is not one even after
 * spdx-correct of each identifier (e.g. Alpine's old space-separated lists "MIT BSD GPL2+", whose
 * meaning — all of them? any? — the text does not say, or "Public-Domain", or a bare "GPL").
 */
export function normalizeApkLicense(raw: string): string | undefined {
  const text = raw.trim();
  if (text === '') return undefined;
  return tryParse(text) ?? correctEach(text);
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
  const license = normalizeApkLicense(rawLicense);
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
