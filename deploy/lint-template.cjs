/**
 * `npm run lint:template -- --param="cluster=NAME" --param="asgNames=A,B" [more serverless
 * options]`: package the stack for that cluster into a scratch folder and run cfn-lint on the
 * CloudFormation template it builds. The options go to `serverless package` (an npm script cannot
 * put them in the middle of `serverless package && cfn-lint …`), so the template linted is the one
 * that cluster's parameters build; without `cluster` and `asgNames` packaging refuses, as it does
 * for a deploy.
 */
'use strict';

const { spawnSync } = require('node:child_process');
const { mkdtempSync } = require('node:fs');
const { tmpdir } = require('node:os');
const path = require('node:path');

function run(command, args) {
  const r = spawnSync(command, args, { stdio: 'inherit', cwd: path.join(__dirname, '..') });
  if (r.error !== undefined) {
    process.stderr.write(`lint:template: cannot run ${command}: ${r.error.message}\n`);
    return 1;
  }
  return r.status ?? 1;
}

function main(argv) {
  const out = mkdtempSync(path.join(tmpdir(), 'headroom-lint-'));
  const packaged = run(process.execPath, [require.resolve('osls/bin/serverless.js'), 'package', '--package', out, ...argv]);
  if (packaged !== 0) return packaged;
  return run('cfn-lint', [path.join(out, 'cloudformation-template-update-stack.json')]);
}

process.exitCode = main(process.argv.slice(2));
