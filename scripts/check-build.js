#!/usr/bin/env node
/**
 * Is the jsii build (lib/ and .jsii) there, and newer than what it is built from (src/, package.json, README.md, which
 * .jsii embeds)? Node built-ins only, so it runs on a fresh clone before anything is compiled.
 *
 *   node scripts/check-build.js           exit 1 with a message when it is not: npm's `prepack`, so that `npm pack` or
 *                                         `npm publish` without a build fails instead of packing no lib/ and no .jsii
 *   node scripts/check-build.js --stale   exit 0 when it is not: the package tasks' condition to compile first
 */
'use strict';
const fs = require('fs');
const path = require('path');

const root = path.resolve(__dirname, '..');
const OUTPUTS = ['.jsii', 'lib/index.js', 'lib/index.d.ts'];
const INPUTS = ['src', 'package.json', 'README.md'];

function newestMtime(p) {
  const stat = fs.statSync(p, { throwIfNoEntry: false });
  if (!stat) return 0;
  if (!stat.isDirectory()) return stat.mtimeMs;
  return fs.readdirSync(p).reduce((max, name) => Math.max(max, newestMtime(path.join(p, name))), 0);
}

/** Why the build cannot be packed as it is, or undefined when it can. */
function problem() {
  const missing = OUTPUTS.filter(f => !fs.existsSync(path.join(root, f)));
  if (missing.length > 0) return `${missing.join(', ')} missing: nothing is compiled`;
  const built = Math.min(...OUTPUTS.map(f => fs.statSync(path.join(root, f)).mtimeMs));
  const changed = INPUTS.filter(f => newestMtime(path.join(root, f)) > built);
  if (changed.length > 0) return `${changed.join(', ')} changed after the last compile`;
  return undefined;
}

const why = problem();
if (process.argv.includes('--stale')) {
  if (why) process.stderr.write(`Compiling first: ${why}.\n`);
  process.exit(why ? 0 : 1);
}
if (why) {
  process.stderr.write(`cdk-scheduled-batch: refusing to pack: ${why}. Run 'npx projen compile' (or 'npx projen package-all', which compiles first) and pack again.\n`);
  process.exit(1);
}
