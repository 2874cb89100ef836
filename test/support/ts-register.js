/**
 * `node -r ./test/support/ts-register.js file.ts`: lets a child process load the TypeScript sources
 * directly, compiled by swc with jest's own options (decorator metadata for NestJS), so tests that
 * spawn the service need no build step.
 */
const fs = require('node:fs');
const path = require('node:path');
const { transformSync } = require('@swc/core');

const jestConfig = require(path.join(__dirname, '..', '..', 'jest.config.js'));
const [, swcOptions] = Object.values(jestConfig.transform).find((t) => Array.isArray(t) && t[0] === '@swc/jest');

function compileTs(module, filename) {
  const { code } = transformSync(fs.readFileSync(filename, 'utf8'), {
    ...swcOptions,
    filename,
    sourceMaps: 'inline',
    module: { type: 'commonjs' },
  });
  module._compile(code, filename);
}

// Node tries extensions in registration order: '.ts' must come before '.json', or `./edoc.code-lists`
// would load edoc.code-lists.json instead of edoc.code-lists.ts (jest and tsc output resolve the .ts/.js).
const jsonLoader = require.extensions['.json'];
delete require.extensions['.json'];
require.extensions['.ts'] = compileTs;
require.extensions['.json'] = jsonLoader;
