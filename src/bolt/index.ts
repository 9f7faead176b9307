export { BoltBucket, createBoltTree, type BoltBytes } from './tree.js';
export { writeBolt, writeBoltFile, type BoltWriteOptions, type BoltWriteResult } from './writer.js';
export { openBolt, type BoltReader, type BoltEntry } from './reader.js';
export { BoltError, type BoltErrorCode } from './errors.js';
export { inspectBolt, type BoltInspectOptions, type BoltInspection, type BoltFileSummary, type BoltBucketListing, type BoltValue } from './inspect.js';
