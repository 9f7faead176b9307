import type { PackageDraft, ScanIssue } from '../../../inventory/index.js';
import { CatalogError, type Analyzer, type AnalyzerFile, type AnalyzerResult } from '../../analyzer.js';
import { goDraft, isDirectoryPath } from './package.js';

/*
 * go.mod (https://go.dev/ref/mod#go-mod-file): line-oriented directives, single or in
 * "verb ( … )" blocks, // comments, "…" and `…` quoted tokens. Each `require` is a declared
 * package (stella:go-indirect from its "// indirect" comment), with the file's `replace`
 * directives applied as the go command does (a versioned replace beats an unversioned one); a
 * directory replacement keeps the module path with version "(devel)", like a build's info.
 * stella:project is the `module` path (what a binary built from it names as main module).
 * Not reported: the main module itself (no version), `go`/`toolchain` lines (a minimum, not
 * what ships). go.mod files in a module cache (…/pkg/mod/…), vendor/ or testdata/ are not wanted:
 * they describe dependencies' or test sources, not a project of the image.
 */

const NAME = 'go-mod';

interface Line {
  readonly tokens: string[];
  readonly comment: string;
  readonly number: number;
}

function unquote(token: string, number: number): string {
  if (token.startsWith('`')) return token.slice(1, -1);
  if (!token.startsWith('"')) return token;
  try {
    return JSON.parse(token) as string;
  } catch (cause) {
    throw new CatalogError('MALFORMED_FILE', `go.mod line ${number}: bad quoted string ${token}`, { cause });
  }
}

/** Splits one line into tokens and its trailing // comment. */
function tokenize(text: string, number: number): Line {
  const tokens: string[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i] as string;
    if (c === ' ' || c === '\t' || c === '\r') i++;
    else if (text.startsWith('//', i)) return { tokens, comment: text.slice(i + 2).trim(), number };
    else if (c === '"' || c === '`') {
      let end = i + 1;
      while (end < text.length && text[end] !== c) end += text[end] === '\\' && c === '"' ? 2 : 1;
      if (end >= text.length) throw new CatalogError('MALFORMED_FILE', `go.mod line ${number}: unterminated string`);
      tokens.push(unquote(text.slice(i, end + 1), number));
      i = end + 1;
    } else {
      let end = i;
      while (end < text.length && !' \t\r"`'.includes(text[end] as string) && !text.startsWith('//', end)) end++;
      tokens.push(text.slice(i, end));
      i = end;
    }
  }
  return { tokens, comment: '', number };
}

/** Every directive as (verb, line without the verb), block lines expanded. */
function directives(text: string): { verb: string; line: Line }[] {
  const out: { verb: string; line: Line }[] = [];
  let block: string | undefined;
  text.split('\n').forEach((raw, index) => {
    const line = tokenize(raw, index + 1);
    if (line.tokens.length === 0) return;
    if (block !== undefined) {
      if (line.tokens.length === 1 && line.tokens[0] === ')') block = undefined;
      else out.push({ verb: block, line });
      return;
    }
    const [verb, ...args] = line.tokens;
    if (args.length === 1 && args[0] === '(') block = verb;
    else out.push({ verb: verb as string, line: { ...line, tokens: args } });
  });
  if (block !== undefined) throw new CatalogError('MALFORMED_FILE', `go.mod: "${block} (" block is not closed`);
  return out;
}

interface Replacement {
  readonly path: string;
  readonly version: string;
}

interface GoMod {
  module?: string;
  readonly requires: { path: string; version: string; indirect: boolean }[];
  /** "path@version" or "path" (every version) → target. */
  readonly replaces: Map<string, Replacement>;
  readonly issues: string[];
}

function isIndirect(comment: string): boolean {
  return comment === 'indirect' || comment.startsWith('indirect;');
}

const KNOWN = new Set(['module', 'go', 'toolchain', 'godebug', 'require', 'replace', 'exclude', 'retract', 'tool', 'ignore']);

function addDirective(mod: GoMod, verb: string, line: Line): void {
  const t = line.tokens;
  if (!KNOWN.has(verb)) mod.issues.push(`line ${line.number}: unknown directive ${JSON.stringify(verb)}`);
  else if (verb === 'module') {
    if (t.length !== 1) mod.issues.push(`line ${line.number}: module directive needs one path`);
    else mod.module = t[0];
  } else if (verb === 'require') {
    if (t.length !== 2 || !(t[1] as string).startsWith('v')) mod.issues.push(`line ${line.number}: require needs "path vX.Y.Z", got ${JSON.stringify(t.join(' '))}`);
    else mod.requires.push({ path: t[0] as string, version: t[1] as string, indirect: isIndirect(line.comment) });
  } else if (verb === 'replace') {
    const arrow = t.indexOf('=>');
    const from = t.slice(0, arrow);
    const to = t.slice(arrow + 1);
    if (arrow < 1 || from.length > 2 || to.length < 1 || to.length > 2 || (to.length === 1 && !isDirectoryPath(to[0] as string))) {
      mod.issues.push(`line ${line.number}: replace needs "path [version] => path [version]", got ${JSON.stringify(t.join(' '))}`);
    } else {
      const key = from.length === 2 ? `${from[0] as string}@${from[1] as string}` : (from[0] as string);
      mod.replaces.set(key, { path: to[0] as string, version: to[1] ?? '' });
    }
  }
}

export function parseGoMod(text: string): GoMod {
  const mod: GoMod = { requires: [], replaces: new Map(), issues: [] };
  for (const { verb, line } of directives(text)) addDirective(mod, verb, line);
  return mod;
}

function requireDraft(req: GoMod['requires'][number], mod: GoMod, location: string, project: string): PackageDraft {
  const properties: Record<string, string> = {
    'stella:evidence': 'declared', 'stella:project': project, 'stella:go-indirect': String(req.indirect),
  };
  const target = mod.replaces.get(`${req.path}@${req.version}`) ?? mod.replaces.get(req.path);
  if (target === undefined) return goDraft(req.path, req.version, location, NAME, properties);
  properties['stella:go-replaced-path'] = req.path;
  properties['stella:go-replaced-version'] = req.version;
  if (isDirectoryPath(target.path)) {
    properties['stella:go-replace-dir'] = target.path;
    return goDraft(req.path, '(devel)', location, NAME, properties);
  }
  return goDraft(target.path, target.version, location, NAME, properties);
}

export function analyzeGoMod(file: AnalyzerFile): AnalyzerResult {
  const text = file.content.toString('utf8');
  if (text.includes('\u0000')) throw new CatalogError('MALFORMED_FILE', `${file.path} is binary, not a go.mod file`);
  const mod = parseGoMod(text);
  if (mod.module === undefined) throw new CatalogError('MALFORMED_FILE', `${file.path} has no module directive: not a go.mod file`);
  const project = mod.module;
  const packages = mod.requires.map((req) => requireDraft(req, mod, file.path, project));
  const issues: ScanIssue[] = mod.issues.map((m) => ({ code: 'MALFORMED_RECORD', message: `go.mod ${m}; skipped`, path: file.path }));
  return issues.length > 0 ? { packages, issues } : { packages };
}

function wantsGoMod(path: string): boolean {
  return path.endsWith('/go.mod') && !path.includes('/pkg/mod/') && !path.includes('/vendor/') && !path.includes('/testdata/');
}

export const goModAnalyzer: Analyzer = {
  name: NAME,
  version: 1,
  maxFileSize: 4 * 1024 * 1024,
  wants: wantsGoMod,
  analyze: analyzeGoMod,
};
