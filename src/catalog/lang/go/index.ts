export { goBinaryAnalyzer } from './binary.js';
export { goModAnalyzer } from './gomod.js';
