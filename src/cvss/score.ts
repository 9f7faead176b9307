import { Cvss3P0, Cvss3P1, Cvss4P0, defined } from './library.js';
import { SPECS } from './metrics.js';
import { parseVector, type ParsedVector } from './parse.js';
import type { CvssResult, CvssV3Result, CvssV4Result, Severity } from './types.js';
import { scoreV2 } from './v2.js';

/**
 * Scores one CVSS v2, v3.0, v3.1 or v4.0 vector (see CvssResult for the fields). Throws CvssError
 * for anything that is not a valid vector: our parser validates first, because the library accepts
 * garbage (duplicates, missing metrics, long value names) without complaint.
 */
export function scoreVector(vector: string): CvssResult {
  const parsed = parseVector(vector);
  switch (parsed.version) {
    case '2.0':
      return scoreV2(vector, parsed);
    case '3.0':
    case '3.1':
      return scoreV3(vector, parsed);
    case '4.0':
      return scoreV4(vector, parsed);
  }
}

/** The CVSS v3.x / v4.0 qualitative severity rating scale. */
export function severityOf(score: number): Severity {
  if (score === 0) return 'NONE';
  if (score < 4) return 'LOW';
  if (score < 7) return 'MEDIUM';
  if (score < 9) return 'HIGH';
  return 'CRITICAL';
}

function scoreV3(input: string, parsed: ParsedVector): CvssV3Result {
  const cvss = parsed.version === '3.0' ? new Cvss3P0(parsed.vector) : new Cvss3P1(parsed.vector);
  const scores = cvss.calculateScores();
  const version = parsed.version === '3.0' ? '3.0' : '3.1';
  const baseScore = defined(scores.base, 'base', parsed.vector);
  let result: CvssV3Result = { vector: input, version, baseScore, baseSeverity: severityOf(baseScore) };
  if (parsed.definedGroups.has('temporal')) {
    const temporalScore = defined(scores.temporal, 'temporal', parsed.vector);
    result = { ...result, temporalScore, temporalSeverity: severityOf(temporalScore) };
  }
  if (parsed.definedGroups.has('environmental')) {
    const environmentalScore = defined(scores.environmental, 'environmental', parsed.vector);
    result = { ...result, environmentalScore, environmentalSeverity: severityOf(environmentalScore) };
  }
  return result;
}

// The library's V4ScoreResult: `baseMetricsOnly` is CVSS-B, `threat` is CVSS-BT (threat metrics
// without the environmental ones), `overall` is the whole vector; its `environmental` is CVSS-BE
// (threat metrics dropped), which is not what we report.
function scoreV4(input: string, parsed: ParsedVector): CvssV4Result {
  const scores = new Cvss4P0(parsed.vector).calculateScores();
  const baseScore = defined(scores.baseMetricsOnly, 'base', parsed.vector);
  let result: CvssV4Result = { vector: input, version: '4.0', baseScore, baseSeverity: severityOf(baseScore) };
  if (parsed.definedGroups.has('threat')) {
    const threatScore = defined(scores.threat, 'threat', parsed.vector);
    result = { ...result, threatScore, threatSeverity: severityOf(threatScore) };
  }
  if (parsed.definedGroups.has('environmental')) {
    const environmentalScore = defined(scores.overall, 'overall', parsed.vector);
    result = { ...result, environmentalScore, environmentalSeverity: severityOf(environmentalScore) };
  }
  const supplemental = supplementalOf(parsed);
  return supplemental === undefined ? result : { ...result, supplemental };
}

function supplementalOf(parsed: ParsedVector): Readonly<Record<string, string>> | undefined {
  if (!parsed.definedGroups.has('supplemental')) return undefined;
  const echoed: Record<string, string> = {};
  for (const def of SPECS['4.0'].metrics) {
    const value = parsed.metrics.get(def.name);
    if (def.group === 'supplemental' && value !== undefined && value !== 'X') echoed[def.name] = value;
  }
  return echoed;
}
