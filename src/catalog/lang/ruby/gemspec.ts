import type { PackageDraft } from '../../../inventory/index.js';
import { CatalogError, type Analyzer, type AnalyzerFile, type AnalyzerResult } from '../../analyzer.js';
import { gemDraft } from './gem.js';
import { stringAt, stringsAt } from './ruby-literal.js';

/*
 * Installed gems: `<gem dir>/specifications/<name>-<version>[-<platform>].gemspec` (and
 * specifications/default/ for Ruby's default gems), the Ruby that `gem install` writes (the
 * `Gem::Specification#to_ruby` form: `s.name = "rack".freeze`, `s.version = "2.2.4"`,
 * `s.licenses = ["MIT".freeze]`). Read, never evaluated: the block variable's name, version,
 * platform and license(s) as literals; then rubygems' `# stub:` line; then the file name, marked
 * `stella:identity-source` = `filename` (low confidence).
 */

const FOUND_BY = 'gemspec';
const SPEC_DIR = '/specifications/';
const FIELDS = new Set(['name', 'version', 'platform', 'license', 'licenses']);

type Fields = Map<string, string[]>;

function blockVariable(text: string): string | undefined {
  const match = /Gem::Specification\.new\s*(?:do|\{)\s*\|\s*([a-z_]\w*)\s*\|/.exec(text);
  return match?.[1];
}

function readFields(text: string, variable: string): Fields {
  const fields: Fields = new Map();
  const prefix = `${variable}.`;
  for (const raw of text.split('\n')) {
    const line = raw.trimStart();
    if (!line.startsWith(prefix)) continue;
    const eq = line.indexOf('=', prefix.length);
    if (eq < 0 || line[eq + 1] === '=') continue;
    const field = line.slice(prefix.length, eq).trim();
    if (!FIELDS.has(field) || fields.has(field)) continue;
    const values = field === 'licenses' ? stringsAt(line, eq + 1) : [stringAt(line, eq + 1)?.value].filter((v) => v !== undefined);
    if (values !== undefined && values.length > 0) fields.set(field, values);
  }
  return fields;
}

/** rubygems' "# stub: <name> <version> <platform> <require paths>" comment. */
function stubLine(text: string): { name: string; version: string; platform?: string } | undefined {
  const match = /^# stub: (\S+) (\S+) (\S+)/m.exec(text);
  if (match === null) return undefined;
  return { name: match[1] ?? '', version: match[2] ?? '', ...(match[3] === 'ruby' ? {} : { platform: match[3] }) };
}

/** `name-version[-platform]`: the name is everything before the first segment that starts with a digit. */
export function splitFullName(fullName: string): { name: string; version: string; platform?: string } | undefined {
  const parts = fullName.split('-');
  const at = parts.findIndex((p, i) => i > 0 && /^\d/.test(p));
  if (at < 0) return undefined;
  const platform = parts.slice(at + 1).join('-');
  return { name: parts.slice(0, at).join('-'), version: parts[at] ?? '', ...(platform === '' ? {} : { platform }) };
}

export function parseGemspec(file: AnalyzerFile): AnalyzerResult {
  const text = file.content.toString('utf8');
  const variable = blockVariable(text);
  const fields = variable === undefined ? new Map<string, string[]>() : readFields(text, variable);
  const fileName = file.path.slice(file.path.lastIndexOf('/') + 1, -'.gemspec'.length);
  const fallback = stubLine(text) ?? splitFullName(fileName);
  const name = fields.get('name')?.[0] ?? fallback?.name;
  const version = fields.get('version')?.[0] ?? fallback?.version;
  if (name === undefined || name === '' || version === undefined || version === '') {
    throw new CatalogError('MALFORMED_FILE', `${file.path}: no gem name and version in the spec, its stub line or its file name`);
  }
  const fromFile = !fields.has('name') || !fields.has('version');
  const platform = fields.get('platform')?.[0] ?? (fromFile ? fallback?.platform : undefined);
  const draft: PackageDraft = gemDraft({
    name, version, path: file.path, foundBy: FOUND_BY, evidence: 'installed',
    licenses: fields.get('licenses') ?? fields.get('license') ?? [],
    extra: {
      'stella:platform': platform === undefined || platform === 'ruby' ? undefined : platform,
      'stella:identity-source': fromFile ? (stubLine(text) !== undefined ? 'stub' : 'filename') : undefined,
      'stella:default-gem': file.path.includes('/specifications/default/') ? 'true' : undefined,
    },
  });
  return { packages: [draft] };
}

export const gemspecAnalyzer: Analyzer = {
  name: FOUND_BY,
  version: 1,
  maxFileSize: 4 * 1024 * 1024,
  wants: (path: string): boolean => path.endsWith('.gemspec') && path.includes(SPEC_DIR),
  analyze: parseGemspec,
};
