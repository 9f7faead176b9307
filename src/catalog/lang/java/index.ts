export { javaArchiveAnalyzer, JAVA_ARCHIVE_LIMITS } from './archive.js';
export { gradleLockfileAnalyzer } from './gradle-lockfile.js';
export { mavenPomAnalyzer } from './pom.js';
