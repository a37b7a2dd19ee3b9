// Case records through the package (issue 8): scorecard.records(...),
// .measure(...) and .failingRecords(...) on the children's social care
// example's synthetic records give exactly what the CLI gives
// (`ragulator evaluate --records ... --data ...` and `ragulator records`).
// The CLI is `$RAGULATOR_CLI` (scripts/test-wasm builds it), else
// `cargo run -q -p ragulator-cli --`.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

import { EXAMPLE, REPO, parseCsv, ragulator, read } from './helpers.mjs';

const { Scorecard, DataError } = ragulator;

const CARD = join(EXAMPLE, 'scorecard-measures.toml');
const RECORDS = join(EXAMPLE, 'records');
const COMPARATORS = join(RECORDS, 'comparators.csv');
const card = Scorecard.fromToml(read(CARD));
const SOURCES = card.sources.map((s) => s.name);
const csv = Object.fromEntries(SOURCES.map((s) => [s, read(join(RECORDS, `${s}.csv`))]));
const recordArgs = SOURCES.flatMap((s) => ['--records', `${s}=${join(RECORDS, `${s}.csv`)}`]);

function cli(args) {
  const [cmd, pre] = process.env.RAGULATOR_CLI
    ? [process.env.RAGULATOR_CLI, []]
    : ['cargo', ['run', '-q', '-p', 'ragulator-cli', '--']];
  const out = execFileSync(cmd, [...pre, ...args], {
    cwd: REPO, encoding: 'utf8', maxBuffer: 1 << 28, stdio: ['ignore', 'pipe', 'pipe'],
  });
  return JSON.parse(out);
}

/** CSV text as row objects (every cell a string, empty cells omitted). */
function rowsOf(text) {
  const [header, ...records] = parseCsv(text);
  return records.map((r) => Object.fromEntries(header.flatMap((h, i) => (r[i] === '' ? [] : [[h, r[i]]]))));
}

const records = card.records(csv);

test('sources: the scorecard declares its record tables and their typed columns', () => {
  assert.ok(SOURCES.length >= 5, `sources: ${SOURCES}`);
  const assessments = card.sources.find((s) => s.name === 'assessments');
  assert.deepEqual(assessments.columns, {
    child_id: 'id', completed_on: 'date', la: 'category', started_on: 'date', team: 'category',
  });
  assert.equal(assessments.entity, 'la');
});

test('records: every row is used or rejected with a reason, per source', () => {
  assert.deepEqual(records.sources, SOURCES);
  const rows = records.rows;
  let used = 0;
  for (const s of SOURCES) {
    const lines = parseCsv(csv[s]).length - 1;
    assert.equal(rows[s].input, lines, s);
    assert.equal(rows[s].used + rows[s].rejected, rows[s].input, s);
    used += rows[s].used;
  }
  assert.equal(records.length, used);
  const rejected = records.rejected;
  assert.equal(rejected.length, SOURCES.reduce((n, s) => n + rows[s].rejected, 0));
  for (const r of rejected) {
    assert.ok(SOURCES.includes(r.source) && r.row >= 1 && r.reason.length > 0, JSON.stringify(r));
  }
});

test('measure + evaluateObservations give the CLI\'s evaluate --records --data result', () => {
  const period = '2022-06';
  const expected = cli(['evaluate', '--scorecard', CARD, ...recordArgs, '--data', COMPARATORS,
    '--period', period, '--format', 'json']);
  const observations = card.measure(records, { data: read(COMPARATORS) });
  const got = card.evaluateObservations(observations, { period });
  assert.deepEqual(got, expected);
  assert.ok(got.results.some((r) => r.value !== null && r.explanation.includes(' of ')),
    'measured results explain their numerator and denominator');
});

test('measure without data: only the measured values, the same as the CLI without --data', () => {
  const expected = cli(['evaluate', '--scorecard', CARD, ...recordArgs, '--period', '2022-03', '--format', 'json']);
  assert.deepEqual(card.evaluateObservations(card.measure(records), { period: '2022-03' }), expected);
});

test('failingRecords: the records `ragulator records` lists, for every measured indicator', () => {
  const ids = card.indicators.map((i) => i.id)
    .filter((id) => {
      try {
        card.failingRecords(records, { indicator: id, period: '2022-06' });
        return true;
      } catch (e) {
        assert.ok(e instanceof DataError, String(e));
        return false;
      }
    });
  assert.ok(ids.length >= 5, `measured indicators: ${ids}`);
  let listed = 0;
  for (const indicator of ids) {
    for (const entity of [undefined, 'southampton']) {
      const args = ['records', '--scorecard', CARD, ...recordArgs, '--indicator', indicator, '--period', '2022-06',
        ...(entity ? ['--entity', entity] : []), '--format', 'json'];
      const expected = cli(args).records;
      const got = card.failingRecords(records, { indicator, period: '2022-06', ...(entity ? { entity } : {}) });
      assert.deepEqual(got, expected, `${indicator} ${entity ?? ''}`);
      listed += got.length;
    }
  }
  assert.ok(listed > 0, 'some records are listed');
});

test('records from row objects or bytes read the same as CSV text', () => {
  const fromRows = card.records(Object.fromEntries(SOURCES.map((s) => [s, rowsOf(csv[s])])));
  const fromBytes = card.records(Object.fromEntries(SOURCES.map((s) => [s, readFileSync(join(RECORDS, `${s}.csv`))])));
  const one = { indicator: 'assessments_in_timescale', period: '2022-06', entity: 'southampton' };
  const expected = card.failingRecords(records, one);
  assert.ok(expected.length > 0);
  assert.deepEqual(card.failingRecords(fromBytes, one), expected);
  assert.deepEqual(fromBytes.rows, records.rows);
  // Row objects: the same records and statuses (rows are numbered alike).
  assert.deepEqual(card.failingRecords(fromRows, one), expected);
  assert.deepEqual(
    card.evaluateObservations(card.measure(fromRows), { period: '2022-06' }),
    card.evaluateObservations(card.measure(records), { period: '2022-06' }),
  );
});

test('bad records and options are DataErrors saying what would be valid', () => {
  assert.throws(() => card.records({ referals: csv.referrals }), (e) => e instanceof DataError
    && /unknown source 'referals'; the scorecard's sources are: .*referrals/.test(e.message));
  assert.throws(() => card.records({ assessments: 'child_id,la\nc1,x\n' }), (e) => e instanceof DataError
    && /the records of 'assessments' have no '\w+' column; the columns are: child_id, la/.test(e.message));
  assert.throws(() => card.records('assessments.csv'), (e) => e instanceof DataError && /object from source name/.test(e.message));
  assert.throws(() => card.records({ assessments: 42 }), (e) => e instanceof DataError
    && /the records of 'assessments' must be CSV text/.test(e.message));
  assert.throws(() => card.failingRecords(records, { indicator: 'assessments_in_timescale' }), (e) => e instanceof DataError
    && /period/.test(e.message));
  assert.throws(() => card.failingRecords(records, { indicator: 'assessments_in_timescale', period: '2022-06', entty: 'x' }),
    (e) => e instanceof DataError && /unknown failingRecords option 'entty'/.test(e.message));
  assert.throws(() => card.failingRecords(records, { indicator: 'nope', period: '2022-06' }), (e) => e instanceof DataError
    && /nope/.test(e.message));
  assert.throws(() => card.measure(records, { dat: 'x' }), (e) => e instanceof DataError
    && /unknown measure option 'dat'; the options are: data, format/.test(e.message));
  // A date that does not exist is a rejected row with its reason, never dropped.
  const bad = card.records({ assessments: 'child_id,la,team,started_on,completed_on\nc1,x,y,2022-02-30,2022-03-01\n' });
  assert.equal(bad.rows.assessments.rejected, 1);
  assert.equal(bad.rejected[0].row, 1);
  assert.match(bad.rejected[0].reason, /2022-02-30/);
});
