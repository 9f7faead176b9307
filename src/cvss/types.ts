import type { CvssVersion } from './metrics.js';

export type { CvssVersion };

/** Qualitative rating, spelled as in the FIRST JSON schemas and the NVD API. */
export type Severity = 'NONE' | 'LOW' | 'MEDIUM' | 'HIGH' | 'CRITICAL';

/**
 * Output of `scoreVector`, one shape per version. `vector` echoes the input. A group's score (and
 * severity) is present only when the vector gives at least one metric of that group a value other
 * than Not Defined (X; ND in v2) — a vector and the same vector with `/E:X` added score identically.
 */
export type CvssResult = CvssV2Result | CvssV3Result | CvssV4Result;

/**
 * v2 defines no severity: `baseSeverity` uses NVD's v2 ranges (LOW 0.0-3.9, MEDIUM 4.0-6.9,
 * HIGH 7.0-10.0), and temporal/environmental scores carry none.
 */
export interface CvssV2Result {
  readonly vector: string;
  readonly version: '2.0';
  readonly baseScore: number;
  readonly baseSeverity: 'LOW' | 'MEDIUM' | 'HIGH';
  readonly temporalScore?: number;
  readonly environmentalScore?: number;
}

export interface CvssV3Result {
  readonly vector: string;
  readonly version: '3.0' | '3.1';
  readonly baseScore: number;
  readonly baseSeverity: Severity;
  readonly temporalScore?: number;
  readonly temporalSeverity?: Severity;
  readonly environmentalScore?: number;
  readonly environmentalSeverity?: Severity;
}

/**
 * v4.0 scores a whole vector at once (CVSS-B, -BT, -BE, -BTE). `baseScore` is the score of the base
 * metrics alone (CVSS-B); `threatScore` the base + threat metrics (CVSS-BT), present when E is
 * given; `environmentalScore` the whole vector (CVSS-BE or CVSS-BTE), present when an environmental
 * metric is given. `supplemental` echoes the supplemental metrics (abbreviation → value, spec
 * order, X omitted); they never change a score.
 */
export interface CvssV4Result {
  readonly vector: string;
  readonly version: '4.0';
  readonly baseScore: number;
  readonly baseSeverity: Severity;
  readonly threatScore?: number;
  readonly threatSeverity?: Severity;
  readonly environmentalScore?: number;
  readonly environmentalSeverity?: Severity;
  readonly supplemental?: Readonly<Record<string, string>>;
}
