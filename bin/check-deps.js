#!/usr/bin/env node
// Before `npm test`: a clone whose dependencies are not installed (or older than the lock) gets one line
// saying what to do, instead of "tsc: not found". Plain Node, no dependencies: it runs before they exist.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(process.argv[2] || path.join(__dirname, '..'));
const installed = path.join(root, 'node_modules', '.package-lock.json');
const lock = path.join(root, 'package-lock.json');
const mtime = (f) => (fs.existsSync(f) ? fs.statSync(f).mtimeMs : undefined);
const lockAt = mtime(lock);
const installedAt = mtime(installed);
if (installedAt === undefined || (lockAt !== undefined && lockAt > installedAt)) {
  process.stderr.write(
    `tsm-bridge: npm dependencies are ${installedAt === undefined ? 'not installed' : 'older than package-lock.json'}: run npm ci first\n`,
  );
  process.exit(1);
}
