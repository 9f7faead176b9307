export { writeSbom, SBOM_WRITE_FORMATS, isSbomWriteFormat, DEFAULT_NAMESPACE_BASE } from './writer.js';
export type { SbomWriteFormat, WriteOptions } from './writer-format.js';
export { SbomWriteError, type SbomWriteErrorCode } from './write-errors.js';
export { readSbom, MAX_SBOM_BYTES, type ReadSbomOptions } from './read.js';
export { SbomError, type SbomReadErrorCode } from './read-errors.js';
export { SBOM_INPUT_FORMATS, isSbomInputFormat, type SbomInputFormat } from './read-detect.js';
export { diffSboms, formatDiffJson, formatDiffText, isEmptyDiff, type SbomDiff, type SbomDiffChange, type SbomDiffEntry } from './diff.js';
