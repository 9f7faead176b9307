/*
 * The module information of a Go build (runtime/debug.ParseBuildInfo's input): one fact per
 * newline-terminated line, columns separated by tabs —
 *   path\t<main package>            mod\t<path>\t<version>[\t<sum>]
 *   dep\t<path>\t<version>[\t<sum>]  =>\t<path>\t<version>\t<sum>   (replaces the line above)
 *   build\t<key>=<value>
 * Unknown line kinds are ignored, as Go does; a malformed line is reported, the rest kept.
 */

export interface GoModule {
  readonly path: string;
  readonly version: string;
  readonly sum: string;
  readonly replace?: GoModule;
}

export interface GoBuildInfo {
  readonly path: string;
  readonly main?: GoModule;
  readonly deps: readonly GoModule[];
  /** Lines that could not be read, with their 1-based number and the reason. */
  readonly errors: readonly string[];
}

function moduleLine(columns: string[]): GoModule | string {
  if (columns.length !== 2 && columns.length !== 3) return `expected 2 or 3 columns; got ${columns.length}`;
  return { path: columns[0] as string, version: columns[1] as string, sum: columns[2] ?? '' };
}

interface Draft {
  path: string;
  main?: GoModule;
  deps: GoModule[];
  errors: string[];
  /** Index of the module a following "=>" line replaces: -1 main, ≥ 0 a dep, undefined none. */
  last?: number;
}

function applyReplace(draft: Draft, columns: string[]): string | undefined {
  if (columns.length !== 3) return `expected 3 columns for replacement; got ${columns.length}`;
  if (draft.last === undefined) return 'replacement with no module on previous line';
  const replace: GoModule = { path: columns[0] as string, version: columns[1] as string, sum: columns[2] as string };
  if (draft.last === -1 && draft.main !== undefined) draft.main = { ...draft.main, replace };
  const dep = draft.deps[draft.last];
  if (draft.last >= 0 && dep !== undefined) draft.deps[draft.last] = { ...dep, replace };
  draft.last = undefined;
  return undefined;
}

function readLine(draft: Draft, line: string): string | undefined {
  const tab = line.indexOf('\t');
  if (tab < 0) return undefined;
  const kind = line.slice(0, tab);
  const rest = line.slice(tab + 1);
  if (kind === 'path') draft.path = rest;
  else if (kind === 'mod' || kind === 'dep') {
    const mod = moduleLine(rest.split('\t'));
    if (typeof mod === 'string') {
      draft.last = undefined;
      return mod;
    }
    if (kind === 'mod') {
      draft.main = mod;
      draft.last = -1;
    } else {
      draft.deps.push(mod);
      draft.last = draft.deps.length - 1;
    }
  } else if (kind === '=>') return applyReplace(draft, rest.split('\t'));
  return undefined;
}

/** Parses module info as runtime/debug.ParseBuildInfo does (a last line without "\n" is ignored, as there). */
export function parseModinfo(text: string): GoBuildInfo {
  const draft: Draft = { path: '', deps: [], errors: [] };
  const lines = text.split('\n');
  // The element after the last "\n" is not a complete line.
  for (let i = 0; i < lines.length - 1; i++) {
    const error = readLine(draft, lines[i] as string);
    if (error !== undefined) draft.errors.push(`line ${i + 1}: ${error}`);
  }
  return draft.main === undefined
    ? { path: draft.path, deps: draft.deps, errors: draft.errors }
    : { path: draft.path, main: draft.main, deps: draft.deps, errors: draft.errors };
}
