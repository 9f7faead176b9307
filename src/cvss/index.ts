export { scoreVector, severityOf } from './score.js';
export { parseVector, type ParsedVector } from './parse.js';
export { CvssError, type CvssErrorCode } from './errors.js';
export type { CvssVersion, MetricGroup } from './metrics.js';
export type { CvssResult, CvssV2Result, CvssV3Result, CvssV4Result, Severity } from './types.js';
