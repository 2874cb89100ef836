/**
 * Lets a plain `node` child process (the crash tests' worker) load the TypeScript sources directly,
 * compiled by swc with the same options jest uses: no build step before a test.
 */
const fs = require('node:fs');
const Module = require('node:module');
const path = require('node:path');
const { transformSync } = require(path.join(__dirname, '..', '..', 'node_modules', '@swc', 'core'));

function compileTs(module, filename) {
  const { code } = transformSync(fs.readFileSync(filename, 'utf8'), {
    filename,
    sourceMaps: 'inline',
    module: { type: 'commonjs' },
    jsc: { parser: { syntax: 'typescript', decorators: true }, transform: { legacyDecorator: true, decoratorMetadata: true }, target: 'es2022' },
  });
  module._compile(code, filename);
}

// '.ts' must be tried first: `require('./edoc.code-lists')` means the .ts module, not the .json beside it.
const others = { ...Module._extensions };
for (const ext of Object.keys(Module._extensions)) delete Module._extensions[ext];
Module._extensions['.ts'] = compileTs;
Object.assign(Module._extensions, others);
