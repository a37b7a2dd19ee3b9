// The shared golden corpus (tests/fixtures/): every case evaluated through
// the package gives exactly the Rust core's output.json (the CLI's JSON).
//
// Each case is run three ways: from the file's bytes (a Uint8Array: exactly
// what the CLI reads), from its text (a JS string; not for files that are
// not valid UTF-8, which a string cannot hold), and from row objects (CSV
// rows as objects of strings, JSON rows as parsed). A case whose data cannot
// be row objects with the same meaning (ragged CSV rows, JSON that is not an
// array, number literals a JS number cannot keep, such as 85.0 or 1e2) is
// compared through bytes and text only, and the test says so in its
// diagnostics: nothing is skipped silently. An expected error must be a
// RagulatorError with exactly the CLI's message.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

import { CI, FIXTURES, parseCsv, ragulator, read } from './helpers.mjs';

const { Scorecard, RagulatorError } = ragulator;

function cases() {
  if (!existsSync(FIXTURES)) return [];
  return readdirSync(FIXTURES)
    .map((name) => join(FIXTURES, name))
    .filter((dir) => statSync(dir).isDirectory() && existsSync(join(dir, 'output.json')))
    .sort();
}

function loadCase(dir) {
  const files = readdirSync(dir);
  const cards = files.filter((f) => f.startsWith('scorecard.'));
  assert.equal(cards.length, 1, `${dir}: expected one scorecard.*, found ${cards}`);
  const data = files.filter((f) => f === 'data.csv' || f === 'data.json');
  assert.equal(data.length, 1, `${dir}: expected data.csv or data.json`);
  const overrides = files.find((f) => f === 'overrides.csv' || f === 'overrides.json');
  return {
    scorecard: { name: cards[0], text: read(join(dir, cards[0])) },
    data: file(join(dir, data[0])),
    overrides: overrides && file(join(dir, overrides)),
    options: files.includes('options.json') ? JSON.parse(read(join(dir, 'options.json'))) : {},
    output: JSON.parse(read(join(dir, 'output.json'))),
  };
}

/** A file's bytes, and its text when it is valid UTF-8. */
function file(path) {
  const bytes = readFileSync(path);
  let text = null;
  try { text = new TextDecoder('utf-8', { fatal: true }).decode(bytes); } catch { /* not UTF-8 */ }
  return { name: path.split('/').pop(), bytes: new Uint8Array(bytes), text };
}

function loadScorecard({ name, text }) {
  if (name.endsWith('.toml')) return Scorecard.fromToml(text);
  if (name.endsWith('.json')) return Scorecard.fromJson(text);
  if (name.endsWith('.yaml') || name.endsWith('.yml')) return Scorecard.fromYaml(text);
  throw new Error(`unknown scorecard format: ${name}`);
}

const isJson = (file) => file.name.endsWith('.json');

/** The case's data as row objects, or the reason it cannot be. */
function rowsOf(file) {
  if (isJson(file)) {
    let doc;
    if (file.text === null) return 'the JSON is not valid UTF-8, which a JS string cannot hold';
    try { doc = JSON.parse(file.text); } catch { return 'the JSON is not valid'; }
    if (!Array.isArray(doc)) return 'the JSON is not an array of rows';
    // Literals such as 85.0, 1e2 or 0.10 are decimals the core keeps as
    // written (via serde_json), but a JS number cannot.
    const literal = /(?<![\w."])-?\d+(\.\d+)?([eE][+-]?\d+)?(?![\w."])/g;
    const noncanonical = [...stripStrings(file.text).matchAll(literal)]
      .map((m) => m[0])
      .find((s) => String(Number(s)) !== s);
    if (noncanonical) return `the number literal ${noncanonical} is not kept by a JS number`;
    return doc;
  }
  const text = file.text;
  if (text === null) return 'the CSV is not valid UTF-8, which a JS string cannot hold';
  const records = parseCsv(text);
  if (records.length === 0) return 'the CSV is empty: row objects cannot say which columns it had';
  const [header, ...body] = records;
  const ragged = body.findIndex((r) => r.length !== header.length);
  if (ragged >= 0) return `row ${ragged + 1} is ragged: an object cannot keep it`;
  if (body.length === 0) return 'the CSV has no rows: row objects cannot say which columns it had';
  // Keys follow the CSV header rule: trimmed, lower-case, first of duplicates.
  const keys = header.map((h) => h.trim().toLowerCase());
  return body.map((r) => {
    const row = {};
    keys.forEach((k, i) => { if (!(k in row)) row[k] = r[i]; });
    return row;
  });
}

function sortColumns(message) {
  return message.replace(/the columns are: (.*)$/, (_, list) => `the columns are: ${list.split(', ').sort().join(', ')}`);
}

function stripStrings(text) {
  return text.replace(/"(?:[^"\\]|\\.)*"/g, '""');
}

test('the corpus is there', (t) => {
  if (cases().length === 0) {
    const message = `no golden cases in ${FIXTURES}`;
    if (CI) assert.fail(message);
    t.skip(message);
  }
});

for (const dir of cases()) {
  const name = dir.split('/').pop();
  test(`golden: ${name}`, async (t) => {
    const c = loadCase(dir);
    const expectedError = c.output && typeof c.output === 'object' && 'error' in c.output && !('results' in c.output);
    const options = {
      period: c.options.period ?? undefined,
      entity: c.options.entity ?? undefined,
      overrides: c.overrides?.bytes,
      overridesFormat: c.overrides && isJson(c.overrides) ? 'json' : 'csv',
    };
    const format = isJson(c.data) ? 'json' : 'csv';
    const run = (data, fmt) => loadScorecard(c.scorecard).evaluate(data, { ...options, format: fmt });
    const check = (data, fmt) => {
      if (expectedError) {
        assert.throws(() => run(data, fmt), (e) => {
          assert.ok(e instanceof RagulatorError, `expected a RagulatorError, got ${e}`);
          // Row objects reach the core as JSON objects, whose keys serde_json
          // keeps sorted: a message listing the columns lists them sorted.
          const same = fmt === undefined ? sortColumns : (m) => m;
          assert.equal(same(e.message), same(c.output.error));
          return true;
        });
      } else {
        assert.deepStrictEqual(run(data, fmt), c.output);
      }
    };

    await t.test('from bytes', () => check(c.data.bytes, format));

    await t.test('from text', (tt) => {
      if (c.data.text === null) {
        tt.diagnostic(`${name}: not compared from text: the file is not valid UTF-8, which a JS string cannot hold`);
        return;
      }
      check(c.data.text, format);
    });

    await t.test('from row objects', (tt) => {
      const rows = rowsOf(c.data);
      if (typeof rows === 'string') {
        tt.diagnostic(`${name}: not compared from row objects: ${rows}`);
        return;
      }
      check(rows);
    });
  });
}
