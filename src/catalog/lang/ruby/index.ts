export { gemspecAnalyzer, parseGemspec, splitFullName } from './gemspec.js';
export { gemfileLockAnalyzer, parseGemfileLock } from './gemfile-lock.js';
export { RUBY_PROJECT } from './gem.js';
