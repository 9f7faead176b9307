import { CvssError, invalidVector } from './errors.js';
import { SPECS, type CvssVersion, type MetricDef, type MetricGroup, type VersionSpec } from './metrics.js';

/** Longer than any valid vector (a v4.0 one with every metric is about 200 characters). */
const MAX_LENGTH = 512;

type MetricIndex = ReadonlyMap<string, { readonly def: MetricDef; readonly index: number }>;
const indexOf = (spec: VersionSpec): MetricIndex => new Map(spec.metrics.map((def, index) => [def.name, { def, index }]));
const INDEX: Record<CvssVersion, MetricIndex> = {
  '2.0': indexOf(SPECS['2.0']), '3.0': indexOf(SPECS['3.0']), '3.1': indexOf(SPECS['3.1']), '4.0': indexOf(SPECS['4.0']),
};

export interface ParsedVector {
  readonly version: CvssVersion;
  /** The vector as scored: the input, minus the parentheses of NVD's `(AV:N/...)` v2 form. */
  readonly vector: string;
  /** Metric → value, in the order written. */
  readonly metrics: ReadonlyMap<string, string>;
  /** Groups with at least one metric whose value is not "Not Defined" (X, or ND in v2). */
  readonly definedGroups: ReadonlySet<MetricGroup>;
}

/**
 * Validates a vector strictly against its version's table: every metric known, every value allowed,
 * no metric twice, every base metric present, spec order where the version demands it. Throws
 * CvssError; never repairs input.
 */
export function parseVector(input: string): ParsedVector {
  if (typeof input !== 'string' || input.length === 0) throw invalidVector(String(input), 'empty vector');
  if (input.length > MAX_LENGTH) throw invalidVector(input.slice(0, 40) + '…', `longer than ${MAX_LENGTH} characters`);
  if (/\s/.test(input)) throw invalidVector(input, 'contains whitespace');
  const { spec, vector } = detectVersion(input);
  const body = vector.slice(spec.prefix.length);
  if (body.length === 0) throw invalidVector(input, 'no metrics');
  const byName = INDEX[spec.version];
  const metrics = new Map<string, string>();
  const definedGroups = new Set<MetricGroup>();
  let lastIndex = -1;
  for (const part of body.split('/')) {
    const { name, value } = splitMetric(input, part);
    const known = byName.get(name);
    if (known === undefined) throw invalidVector(input, `unknown metric "${name}" for CVSS ${spec.version}`);
    if (metrics.has(name)) throw invalidVector(input, `metric "${name}" appears more than once`);
    checkValue(input, known.def, value);
    if (spec.ordered && known.index < lastIndex) {
      throw invalidVector(input, `metric "${name}" is out of order (CVSS ${spec.version} fixes the order of metrics)`);
    }
    lastIndex = known.index;
    metrics.set(name, value);
    if (value !== spec.notDefined) definedGroups.add(known.def.group);
  }
  const missing = spec.metrics.filter((m) => m.group === 'base' && !metrics.has(m.name)).map((m) => m.name);
  if (missing.length > 0) throw invalidVector(input, `missing base metric(s) ${missing.join(', ')}`);
  return { version: spec.version, vector, metrics, definedGroups };
}

function detectVersion(input: string): { spec: VersionSpec; vector: string } {
  if (input.startsWith('CVSS:')) {
    const slash = input.indexOf('/');
    const label = slash < 0 ? input : input.slice(0, slash);
    for (const spec of [SPECS['3.0'], SPECS['3.1'], SPECS['4.0']]) {
      if (spec.prefix === label + '/') return { spec, vector: input };
    }
    const hint = label === 'CVSS:2.0' ? ' (CVSS v2 vectors carry no prefix)' : '';
    throw new CvssError('UNSUPPORTED_VERSION', `unsupported CVSS version label ${JSON.stringify(label)} in ${JSON.stringify(input)}${hint}`);
  }
  // NVD has long printed v2 vectors in parentheses: "(AV:N/AC:L/Au:N/C:P/I:P/A:P)".
  if (input.startsWith('(') && input.endsWith(')')) return { spec: SPECS['2.0'], vector: input.slice(1, -1) };
  return { spec: SPECS['2.0'], vector: input };
}

function splitMetric(input: string, part: string): { name: string; value: string } {
  if (part.length === 0) throw invalidVector(input, 'empty metric (doubled, leading or trailing "/")');
  const colon = part.indexOf(':');
  if (colon <= 0 || colon === part.length - 1 || part.indexOf(':', colon + 1) >= 0) {
    throw invalidVector(input, `"${part}" is not of the form METRIC:VALUE`);
  }
  return { name: part.slice(0, colon), value: part.slice(colon + 1) };
}

function checkValue(input: string, def: MetricDef, value: string): void {
  if (!def.values.includes(value)) {
    throw invalidVector(input, `value "${value}" is not allowed for metric ${def.name} (allowed: ${def.values.join(', ')})`);
  }
}
