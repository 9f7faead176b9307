import type { Analyzer } from '../../analyzer.js';
import { pythonInstalledAnalyzer } from './installed.js';
import { pythonPdmLockAnalyzer } from './pdm.js';
import { pythonPipfileLockAnalyzer } from './pipfile.js';
import { pythonPoetryLockAnalyzer } from './poetry.js';
import { pythonRequirementsAnalyzer } from './requirements.js';
import { pythonUvLockAnalyzer } from './uv.js';

export { normalizeName as normalizePypiName } from './common.js';
export { normalizePythonLicense } from './license.js';
export {
  pythonInstalledAnalyzer, pythonPdmLockAnalyzer, pythonPipfileLockAnalyzer, pythonPoetryLockAnalyzer, pythonRequirementsAnalyzer, pythonUvLockAnalyzer,
};

/** Every Python analyzer: installed distributions first, then the files that declare packages. */
export const PYTHON_ANALYZERS: readonly Analyzer[] = [
  pythonInstalledAnalyzer, pythonRequirementsAnalyzer, pythonPoetryLockAnalyzer, pythonPipfileLockAnalyzer, pythonPdmLockAnalyzer, pythonUvLockAnalyzer,
];
