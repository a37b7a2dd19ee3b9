// The 1,000,000-observation batch of the Rust evaluation bench
// (crates/ragulator/benches/common/mod.rs: 1,000 entities × 50 indicators ×
// 20 months; 40% target rule, 30% bands, 20% rule sets with expressions, 10%
// comparator), evaluated through the npm package in Node.
//
//   scripts/build-wasm && node --max-old-space-size=8192 benches/wasm/bench.mjs [runs]
//
// Prints the median of `runs` (default 5) for each step. Performance is shown
// here, never by timed tests.
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const { Scorecard } = await import(join(repo, 'bindings', 'wasm', 'pkg', 'node.js'));

const ENTITIES = 1_000;
const INDICATORS = 50;
const MONTHS = 20;
const runs = Number(process.argv[2] ?? 5);

/** The bench scorecard, exactly as common::scorecard_toml. */
function scorecardToml(indicators) {
  let s = 'ragulator = 1\nname = "Benchmark"\n[comparators]\nsn = "Statistical neighbours"\n\n'
    + '[[theme]]\nid = "a"\nname = "Theme A"\n[[theme]]\nid = "b"\nname = "Theme B"\nrollup = "majority"\n\n'
    + '[rules.target_and_sn]\nwhen = [\n  { status = "green", if = "gap >= 0 and at_least_as_good(value, sn)" },\n  '
    + '{ status = "amber", if = "gap >= -2 or better(value, previous)" },\n]\notherwise = "red"\n\n';
  for (let i = 0; i < indicators; i++) {
    const higher = i % 2 === 0;
    const polarity = higher ? 'higher_is_better' : 'lower_is_better';
    const theme = i % 3 === 0 ? 'b' : 'a';
    const k = i % 10;
    const rag = k <= 3 ? '{ rule = "target", amber = "5%" }'
      : k <= 6 ? (higher ? '{ rule = "bands", thresholds = [80, 70] }' : '{ rule = "bands", thresholds = [70, 80] }')
        : k <= 8 ? '"target_and_sn"'
          : '{ rule = "comparator", against = "sn", amber = 2 }';
    s += `[[indicator]]\nid = "ind${i}"\nname = "Indicator ${i}"\ntheme = "${theme}"\nunit = "percent"\n`
      + `polarity = "${polarity}"\ndecimals = 1\ntarget = 75\ncomparators = { sn = 74.5 }\nrag = ${rag}\n\n`;
  }
  return s;
}

const M64 = (1n << 64n) - 1n;
/** common::value: a deterministic 60.00..89.99 (u64 wrapping arithmetic). */
function value(e, i, m) {
  const x = ((BigInt(e) * 2_654_435_761n) & M64) ^ ((BigInt(i) * 40_503n) & M64) ^ ((BigInt(m) * 97n) & M64);
  const cents = 6000n + ((((x * 6_364_136_223_846_793_005n) & M64) >> 33n) % 3000n);
  return `${cents / 100n}.${String(cents % 100n).padStart(2, '0')}`;
}

/** The batch as CSV, exactly as common::data_csv. */
function dataCsv(entities, indicators, months) {
  const parts = ['entity,indicator,period,value\n'];
  for (let e = 0; e < entities; e++) {
    for (let i = 0; i < indicators; i++) {
      for (let m = 0; m < months; m++) {
        const year = 2021 + Math.floor((3 + m) / 12);
        const month = ((3 + m) % 12) + 1;
        parts.push(`e${e},ind${i},${year}-${String(month).padStart(2, '0')},${value(e, i, m)}\n`);
      }
    }
  }
  return parts.join('');
}

function time(label, n, fn) {
  const times = [];
  let out;
  for (let k = 0; k < n; k++) {
    const t0 = process.hrtime.bigint();
    out = fn();
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  times.sort((a, b) => a - b);
  const median = times[Math.floor(times.length / 2)];
  console.log(`${label.padEnd(58)} ${median.toFixed(0).padStart(6)} ms  (min ${times[0].toFixed(0)}, max ${times.at(-1).toFixed(0)}, ${n} runs)`);
  return out;
}

const card = Scorecard.fromToml(scorecardToml(INDICATORS));
const csv = dataCsv(ENTITIES, INDICATORS, MONTHS);
const bytes = new TextEncoder().encode(csv);
console.log(`batch: ${ENTITIES * INDICATORS * MONTHS} observations, ${(bytes.length / 1e6).toFixed(1)} MB of CSV; Node ${process.version}`);

const obs = time('observations(csv bytes): read, check, group', runs, () => {
  const o = card.observations(bytes);
  return o;
});
if (obs.length !== ENTITIES * INDICATORS * MONTHS || obs.rejected.length !== 0) throw new Error('the batch did not read cleanly');

const cols = time('evaluateStatuses(observations): columns', runs, () => card.evaluateStatuses(obs));
if (cols.results.status.length !== ENTITIES * INDICATORS * MONTHS) throw new Error('wrong number of results');

const quiet = time('evaluateObservations(..., { explain: false }): JS objects', Math.min(runs, 3),
  () => card.evaluateObservations(obs, { explain: false }).results.length);
if (quiet !== ENTITIES * INDICATORS * MONTHS) throw new Error('wrong number of results');

time('evaluate(csv bytes, { explain: false }): read + objects', Math.min(runs, 3),
  () => card.evaluate(bytes, { explain: false }).results.length);

const counts = {};
for (const s of cols.results.status) counts[cols.statuses[s]] = (counts[cols.statuses[s]] ?? 0) + 1;
console.log('statuses:', counts);
