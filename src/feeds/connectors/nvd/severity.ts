import {
  severityFromLabel, severityFromScore,
  type Provenance, type Severity, type SeverityRating,
} from '../../../advisories/index.js';
import { CvssError, scoreVector, type CvssResult } from '../../../cvss/index.js';
import type { JsonValue } from '../../../store/index.js';
import type { Reader } from './reader.js';

/*
 * NVD `metrics` → SeverityRatings: every entry of every CVSS list (NVD's Primary and the CNAs'
 * Secondary alike), newest CVSS version first. The score is our own, computed from the vector;
 * NVD's baseScore is only used when the vector is absent or unreadable.
 */

type RatingType = SeverityRating['type'];

const METRIC_LISTS: readonly (readonly [string, RatingType])[] = [
  ['cvssMetricV40', 'CVSS_V4'],
  ['cvssMetricV31', 'CVSS_V3'],
  ['cvssMetricV30', 'CVSS_V3'],
  ['cvssMetricV2', 'CVSS_V2'],
];

export function mapSeverities(r: Reader, value: JsonValue | undefined, provenance: Provenance): SeverityRating[] {
  if (value === undefined || value === null) return [];
  const metrics = r.object(value, 'metrics');
  const out: SeverityRating[] = [];
  for (const [key, type] of METRIC_LISTS) {
    for (const [i, item] of r.array(metrics[key], `metrics.${key}`).entries()) {
      const rating = mapMetric(r, item, `metrics.${key}[${i}]`, type, provenance);
      if (rating !== undefined) out.push(rating);
    }
  }
  return out;
}

function mapMetric(r: Reader, value: JsonValue, path: string, listType: RatingType, provenance: Provenance): SeverityRating | undefined {
  const m = r.object(value, path);
  const data = r.object(m.cvssData, `${path}.cvssData`);
  const vector = r.optionalString(data.vectorString, `${path}.cvssData.vectorString`);
  const sourceScore = r.optionalNumber(data.baseScore, `${path}.cvssData.baseScore`);
  // v3.x and v4.0 put baseSeverity inside cvssData; v2 beside it.
  const label = r.optionalString(data.baseSeverity, `${path}.cvssData.baseSeverity`)
    ?? r.optionalString(m.baseSeverity, `${path}.baseSeverity`);
  if (vector === undefined && sourceScore === undefined && label === undefined) return undefined;
  const computed = vector === undefined ? undefined : tryScore(vector);
  const score = computed?.baseScore ?? sourceScore;
  const assigner = [r.optionalString(m.source, `${path}.source`), r.optionalString(m.type, `${path}.type`)]
    .filter((part): part is string => part !== undefined && part !== '')
    .join(' ');
  return {
    source: 'nvd',
    type: computed === undefined ? listType : typeOfVersion(computed.version),
    ...(vector === undefined ? {} : { vector }),
    ...(score === undefined ? {} : { score }),
    severity: computed?.baseSeverity ?? severityOf(label, score),
    ...(label === undefined ? {} : { label }),
    ...(assigner === '' ? {} : { assigner }),
    provenance,
  };
}

/** Our score for the vector; undefined when src/cvss cannot read it (the source's score then stands). */
function tryScore(vector: string): CvssResult | undefined {
  try {
    return scoreVector(vector);
  } catch (error) {
    if (error instanceof CvssError) return undefined;
    throw error;
  }
}

function typeOfVersion(version: CvssResult['version']): RatingType {
  if (version === '2.0') return 'CVSS_V2';
  if (version === '4.0') return 'CVSS_V4';
  return 'CVSS_V3';
}

function severityOf(label: string | undefined, score: number | undefined): Severity {
  const fromLabel = severityFromLabel(label);
  if (fromLabel !== 'UNKNOWN' || score === undefined) return fromLabel;
  return severityFromScore(score);
}
