export { StellaError, isStellaError } from './errors.js';
export { blockListOf, inBlockList, parseCidr, type Cidr } from './cidr.js';
