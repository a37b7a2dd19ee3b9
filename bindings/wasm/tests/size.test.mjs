// The size of the optimised .wasm. The budget is 250 KB (250,000
// bytes, 244.1 KiB) gzipped
// and is NOT met yet (394.0 KiB by this measure, zlib level 9, down from
// 780: see bindings/wasm/README.md, "Size"; a build with stable Rust, which
// scripts/build-wasm falls back to outside CI, is about 455 KiB and fails
// here). Until the budget is met, this test guards against growth: it fails
// above the ceiling below, which comes down towards the budget and goes up
// only for a correctness fix, with the reason recorded in the README (399
// -> 387 KiB when the model was read with less generic code, 2026-11-28;
// 387 -> 392 KiB for that day's fixes from reviews against DESIGN.md: a
// panic on a huge TOML integer, bad values in lists no longer hiding other
// problems, flat SPC baselines, one kind of period per chart, JSON row
// keys, every unknown name in an expression, JS options checked by type;
// 392 -> 394 KiB for the afternoon's second review: messages that say what
// would be valid, validation that goes on past a bad target entry, new
// load errors for settings that could never act, SPC warnings; 394 -> 395
// KiB, 2026-11-28 night, for a JSON key given twice, an empty override key
// and JSON numbers with an exponent read exactly, which left 19 bytes).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';

import { PKG } from './helpers.mjs';

const BUDGET = 250_000;
const CEILING = 395 * 1024;

test('the optimised .wasm does not grow past its current size', (t) => {
  const wasm = readFileSync(join(PKG, 'ragulator_bg.wasm'));
  const gz = gzipSync(wasm, { level: 9 }).length;
  t.diagnostic(`ragulator_bg.wasm: ${wasm.length} bytes raw, ${gz} bytes gzipped`);
  if (gz >= BUDGET) {
    t.diagnostic(`over the 250 KB gzipped budget by ${((gz - BUDGET) / 1024).toFixed(1)} KiB`);
  }
  assert.ok(gz < CEILING, `${(gz / 1024).toFixed(1)} KiB gzipped is over the ${CEILING / 1024} KiB ceiling`);
});
