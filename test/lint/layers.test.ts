import { describe, it } from 'node:test';
import path from 'node:path';
import { RuleTester } from 'eslint';
// @ts-expect-error -- plain JS module without type declarations
import { layersRule } from '../../eslint-rules/layers.js';

RuleTester.describe = describe;
RuleTester.it = it;
RuleTester.itOnly = it.only;

const src = (file: string) => path.resolve(process.cwd(), 'src', file);
const tester = new RuleTester({ languageOptions: { ecmaVersion: 2022, sourceType: 'module' } });

tester.run('stella/layers', layersRule, {
  valid: [
    { code: "import { x } from '../versions/index.js';", filename: src('match/matcher.ts') },
    { code: "import { x } from '../common/index.js';", filename: src('versions/scheme.ts') },
    { code: "import { x } from './scheme.js';", filename: src('versions/deb.ts') },
    { code: "import { x } from '../../versions/index.js';", filename: src('cli/commands/vercmp.ts') },
    { code: "import { readFile } from 'node:fs';", filename: src('cli/main.ts') },
  ],
  invalid: [
    { code: "import { run } from '../cli/index.js';", filename: src('versions/deb.ts'), errors: [{ messageId: 'upward' }] },
    { code: "import { x } from '../cvss/index.js';", filename: src('versions/deb.ts'), errors: [{ messageId: 'upward' }] },
    { code: "import { deb } from '../versions/deb.js';", filename: src('match/matcher.ts'), errors: [{ messageId: 'deep' }] },
    { code: "export * from '../report/index.js';", filename: src('match/index.ts'), errors: [{ messageId: 'upward' }] },
    { code: "import { x } from '../mystery/index.js';", filename: src('match/index.ts'), errors: [{ messageId: 'unknown' }] },
  ],
});
