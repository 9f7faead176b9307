export { accessLogPart } from './hook.js';
export {
  ACCESS_LOG_RETENTION_JOB, accessLogRetentionJob, runAccessLogRetention,
  type AccessLogRetentionOptions, type AccessLogRetentionResult,
} from './retention.js';
