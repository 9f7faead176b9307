export { cargoAuditableAnalyzer } from './auditable.js';
export { cargoLockAnalyzer } from './cargo-lock.js';
