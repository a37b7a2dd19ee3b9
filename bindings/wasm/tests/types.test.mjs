// The package's TypeScript declarations type-check a strict usage of the
// documented API (tests/types/usage.ts) with tsc from bindings/wasm/node_modules.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

import { CI, WASM } from './helpers.mjs';

test('the declarations type-check a strict use of the API', (t) => {
  const tsc = join(WASM, 'node_modules', '.bin', 'tsc');
  if (!existsSync(tsc)) {
    const why = 'typescript is not installed in bindings/wasm (npm ci)';
    if (CI) assert.fail(why);
    t.skip(why);
    return;
  }
  const run = spawnSync(tsc, ['-p', join(WASM, 'tests', 'types', 'tsconfig.json')], { encoding: 'utf8' });
  assert.equal(run.status, 0, `tsc failed:\n${run.stdout}${run.stderr}`);
});
