export { matchOsv, packageFromPurl, type OsvMatch, type OsvRecord, type PackageRef } from './osv.js';
