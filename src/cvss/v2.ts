import { Cvss2, defined } from './library.js';
import type { ParsedVector } from './parse.js';
import type { CvssV2Result } from './types.js';

type Cvss2Vector = InstanceType<typeof Cvss2>;

export function scoreV2(input: string, parsed: ParsedVector): CvssV2Result {
  const cvss = new Cvss2(parsed.vector);
  const scores = cvss.calculateScores();
  const baseScore = defined(scores.base, 'base', parsed.vector);
  let result: CvssV2Result = { vector: input, version: '2.0', baseScore, baseSeverity: nvdV2Severity(baseScore) };
  if (parsed.definedGroups.has('temporal')) {
    result = { ...result, temporalScore: round1(baseScore * weight(cvss, 'E') * weight(cvss, 'RL') * weight(cvss, 'RC')) };
  }
  if (parsed.definedGroups.has('environmental')) {
    result = { ...result, environmentalScore: environmentalScore(cvss) };
  }
  return result;
}

/** NVD's v2 ranges; the v2 guide itself defines no qualitative rating. */
function nvdV2Severity(score: number): CvssV2Result['baseSeverity'] {
  return score < 4 ? 'LOW' : score < 7 ? 'MEDIUM' : 'HIGH';
}

/**
 * The v2 guide's environmental equation (section 3.2.3), on the library's metric weights. The
 * library's own v2 environmental score skips two of the guide's roundings (AdjustedBase and
 * AdjustedTemporal are each rounded to one decimal) and rounds Exploitability, which the guide does
 * not: about 8% of environmental vectors came out 0.1 off the reference (Red Hat `cvss`). Its
 * temporal score rounds binary products like 9.0 × 0.95 = 8.549999… down; the guide says 8.6.
 */
function environmentalScore(cvss: Cvss2Vector): number {
  const w = (metric: string): number => weight(cvss, metric);
  const adjustedImpact = Math.min(
    10,
    10.41 * (1 - (1 - w('C') * w('CR')) * (1 - w('I') * w('IR')) * (1 - w('A') * w('AR'))),
  );
  const exploitability = 20 * w('AV') * w('AC') * w('Au');
  const f = adjustedImpact === 0 ? 0 : 1.176;
  const adjustedBase = round1(((0.6 * adjustedImpact) + (0.4 * exploitability) - 1.5) * f);
  const adjustedTemporal = round1(adjustedBase * w('E') * w('RL') * w('RC'));
  return Math.max(0, round1((adjustedTemporal + (10 - adjustedTemporal) * w('CDP')) * w('TD')));
}

/**
 * round_to_1_decimal, half up. The guide's arithmetic is decimal; the tiny lift keeps a product that
 * is exactly x.x5 in decimal but a hair below in binary (e.g. 4.35 → 4.3499999999999996) rounding up.
 */
function round1(value: number): number {
  return Math.round(value * 10 + 1e-9) / 10;
}

function weight(cvss: Cvss2Vector, metric: string): number {
  const value = (cvss.getComponentByString(metric) as { value?: unknown }).value;
  if (typeof value !== 'number') throw new Error(`ae-cvss-calculator: no numeric weight for v2 metric ${metric}`);
  return value;
}
