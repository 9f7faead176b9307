import { posix } from 'node:path';
import type { PackageDraft, ScanIssue } from '../../../inventory/index.js';
import type { Analyzer, AnalyzerFile, AnalyzerResult } from '../../analyzer.js';
import { basenameOf, insideSitePackages, integrityOf, pypiDraft, textOf } from './common.js';

/*
 * pip requirements files: `*requirements*.txt` anywhere (requirements-dev.txt,
 * test-requirements.txt) and `*.txt` in a `requirements/` directory (pip-tools layouts). Only
 * exact pins are packages — `name[extras]==version` or `===version`, environment markers
 * ignored — since a range does not say what gets installed. `--hash=` options become
 * stella:integrity. Options, editables, URLs and paths declare nothing we can version. Each file
 * is read alone: a `-r` include that the scan would not read by its own name is reported as an
 * issue, not followed. Requirements carry no dev flag: a file name is not evidence of one.
 */

const NAME = /^([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)\s*(?:\[[^\]]*\])?\s*(.*)$/;
const PIN = /^===?\s*([^\s,;*]+)$/;
const INCLUDE = /^(?:-r|--requirement)(?:\s+|=)(\S+)$/;

export function wantsRequirements(path: string): boolean {
  if (!path.endsWith('.txt') || insideSitePackages(path)) return false;
  const base = basenameOf(path);
  return base.includes('requirements') || path.endsWith('/requirements/' + base);
}

interface Line {
  readonly number: number;
  readonly text: string;
}

/** Logical lines: backslash continuations joined, comments (`#` at the start or after white space) removed. */
function logicalLines(text: string): Line[] {
  const out: Line[] = [];
  let pending = '';
  let startLine = 0;
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const raw = (lines[i] ?? '').replace(/\r$/, '');
    if (pending === '') startLine = i + 1;
    const code = raw.replace(/(^|\s)#.*$/, '');
    if (code.endsWith('\\')) {
      pending += `${code.slice(0, -1)} `;
      continue;
    }
    const joined = (pending + code).trim();
    pending = '';
    if (joined !== '') out.push({ number: startLine, text: joined });
  }
  if (pending.trim() !== '') out.push({ number: startLine, text: pending.trim() });
  return out;
}

/** The requirement part and the `--hash` values of one line (other per-requirement options dropped). */
function splitOptions(text: string): { requirement: string; hashes: string[] } {
  const hashes: string[] = [];
  const words = text.split(/\s+/);
  const kept: string[] = [];
  for (let i = 0; i < words.length; i++) {
    const word = words[i] ?? '';
    if (word.startsWith('--hash=')) hashes.push(word.slice('--hash='.length));
    else if (word === '--hash') hashes.push(words[++i] ?? '');
    else if (word.startsWith('--')) continue;
    else kept.push(word);
  }
  return { requirement: kept.join(' '), hashes };
}

function includeIssue(file: AnalyzerFile, line: Line, target: string): ScanIssue | undefined {
  const resolved = /^[a-z][a-z0-9+.-]*:\/\//i.test(target) ? target : posix.join(posix.dirname(file.path), target);
  if (resolved.startsWith('/') && wantsRequirements(resolved)) return undefined;
  return { code: 'INCLUDE_NOT_FOLLOWED', message: `line ${line.number}: "-r ${target}" is not read (each requirements file is read alone)`, path: file.path };
}

function pinned(file: AnalyzerFile, line: Line): PackageDraft | undefined {
  const { requirement, hashes } = splitOptions(line.text);
  const match = NAME.exec(requirement);
  if (match === null) return undefined;
  const specifier = (match[2] ?? '').split(';')[0]?.trim() ?? '';
  const pin = PIN.exec(specifier);
  if (pin === null || (pin[1] ?? '').includes('$')) return undefined;
  return pypiDraft({
    name: match[1] ?? '', version: pin[1] ?? '', path: file.path, foundBy: pythonRequirementsAnalyzer.name, evidence: 'declared',
    extra: { 'stella:integrity': integrityOf(hashes) },
  });
}

export function parseRequirements(file: AnalyzerFile): AnalyzerResult {
  const packages: PackageDraft[] = [];
  const issues: ScanIssue[] = [];
  for (const line of logicalLines(textOf(file.path, file.content, 'a requirements file'))) {
    if (line.text.startsWith('-')) {
      const include = INCLUDE.exec(line.text);
      const issue = include === null ? undefined : includeIssue(file, line, include[1] ?? '');
      if (issue !== undefined) issues.push(issue);
      continue;
    }
    const draft = pinned(file, line);
    if (draft !== undefined) packages.push(draft);
  }
  return issues.length > 0 ? { packages, issues } : { packages };
}

export const pythonRequirementsAnalyzer: Analyzer = {
  name: 'python-requirements',
  version: 1,
  maxFileSize: 16 * 1024 * 1024,
  wants: wantsRequirements,
  analyze: parseRequirements,
};
