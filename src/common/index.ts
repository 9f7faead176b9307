export { StellaError, isStellaError } from './errors.js';
