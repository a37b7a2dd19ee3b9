// The size budget of the issue: the optimised .wasm under 250 KiB gzipped.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';

import { PKG } from './helpers.mjs';

const BUDGET = 250 * 1024;

test('the optimised .wasm is under 250 KiB gzipped', (t) => {
  const wasm = readFileSync(join(PKG, 'ragulator_bg.wasm'));
  const gz = gzipSync(wasm, { level: 9 }).length;
  t.diagnostic(`ragulator_bg.wasm: ${wasm.length} bytes raw, ${gz} bytes gzipped`);
  assert.ok(gz < BUDGET, `${(gz / 1024).toFixed(1)} KiB gzipped is over the ${BUDGET / 1024} KiB budget`);
});
