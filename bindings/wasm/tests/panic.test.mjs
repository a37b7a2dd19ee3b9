// A panic (the core promises none on any input) reaches JS as a
// RagulatorError naming the bug, never as `RuntimeError: unreachable`.
// In a file of its own: after a panic the module instance is not reused.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { ragulator } from './helpers.mjs';

test('a panic is a RagulatorError, not a WebAssembly trap', (t) => {
  // The hook also writes the message to console.error; keep the output clean.
  t.mock.method(console, 'error', () => {});
  let caught;
  try {
    ragulator.__panicForTests();
  } catch (e) {
    caught = e;
  }
  assert.ok(caught instanceof ragulator.RagulatorError, `got ${caught}`);
  assert.ok(!(caught instanceof WebAssembly.RuntimeError));
  assert.match(caught.message, /^internal error in ragulator \(a bug; please report it with the input\)/);
  assert.match(caught.message, /a deliberate panic to test the panic hook/);
  assert.equal(console.error.mock.calls.length, 1);
});
