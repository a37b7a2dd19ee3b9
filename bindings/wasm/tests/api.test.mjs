// The JS API: loading in three formats, validation, evaluation from text and
// from row objects, options, explanations, SPC, metadata, and typed errors.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import vm from 'node:vm';

import { EXAMPLE, example, ragulator, read } from './helpers.mjs';

const { Scorecard, RagulatorError, ScorecardError, DataError } = ragulator;

const CARD = `
ragulator = 1
name = "Test card"
[[theme]]
id = "t"
name = "Theme T"
[[indicator]]
id = "re_referrals"
name = "Re-referrals within 12 months"
theme = "t"
unit = "percent"
polarity = "lower_is_better"
decimals = 1
target = 20
rag = { rule = "target", amber = 2 }
[[indicator]]
id = "contacts"
name = "Contacts"
unit = "count"
polarity = "none"
`;

const CARD_JSON = {
  ragulator: 1,
  name: 'Test card',
  theme: [{ id: 't', name: 'Theme T' }],
  indicator: [
    { id: 're_referrals', name: 'Re-referrals within 12 months', theme: 't', unit: 'percent',
      polarity: 'lower_is_better', decimals: 1, target: 20, rag: { rule: 'target', amber: 2 } },
    { id: 'contacts', name: 'Contacts', unit: 'count', polarity: 'none' },
  ],
};

const CARD_YAML = `
ragulator: 1
name: Test card
theme:
  - { id: t, name: Theme T }
indicator:
  - id: re_referrals
    name: Re-referrals within 12 months
    theme: t
    unit: percent
    polarity: lower_is_better
    decimals: 1
    target: 20
    rag: { rule: target, amber: 2 }
  - { id: contacts, name: Contacts, unit: count, polarity: none }
`;

const DATA = 'indicator,period,value\nre_referrals,2022-05,19.5\nre_referrals,2022-06,24.08\ncontacts,2022-06,1866\n';
const SENTENCE =
  'Re-referrals within 12 months was 24.1% against a target of 20.0% (lower is better): ' +
  '4.1 points worse, beyond the 2-point amber tolerance.';

/** The error `fn` throws, checked to be an instance of `Class`. */
function thrown(fn, Class) {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof Class, `expected ${Class.name}, got ${e && e.constructor && e.constructor.name}: ${e}`);
    return e;
  }
  assert.fail(`expected ${Class.name}, nothing was thrown`);
}

const june = (evaluation, id = 're_referrals') =>
  evaluation.results.find((r) => r.indicator === id && r.period === '2022-06');

test('TOML, JSON text, a JSON object and YAML load the same scorecard', () => {
  const expected = Scorecard.fromToml(CARD).evaluate(DATA);
  for (const card of [
    Scorecard.fromJson(JSON.stringify(CARD_JSON)),
    Scorecard.fromJson(CARD_JSON),
    Scorecard.fromYaml(CARD_YAML),
  ]) {
    assert.deepStrictEqual(card.evaluate(DATA), expected);
  }
});

test('evaluate returns the section 4 result with decimals as strings', () => {
  const result = Scorecard.fromToml(CARD).evaluate(DATA);
  const r = june(result);
  assert.equal(r.value, '24.1');
  assert.equal(r.target, '20');
  assert.equal(r.gap, '-4.1');
  assert.equal(r.status, 'red');
  assert.equal(r.computed_status, 'red');
  assert.equal(r.label, 'Red – High Risk');
  assert.equal(r.direction, 'worsening');
  assert.equal(r.previous, '19.5');
  assert.equal(r.override, null);
  assert.equal(r.explanation, SENTENCE);
  assert.equal(r.entity, null);
  const context = june(result, 'contacts');
  assert.equal(context.status, null, 'a context indicator has no status');
  assert.equal(context.value, '1866');
  const theme = result.themes.find((t) => t.period === '2022-06');
  assert.equal(theme.status, 'red');
  assert.deepStrictEqual(theme.counts, { green: 0, amber: 0, red: 1, no_data: 0 });
  assert.deepStrictEqual(result.rows, { input: 3, used: 3, rejected: 0 });
});

test('row objects read exactly like the same data as text', () => {
  const card = Scorecard.fromToml(CARD);
  const rows = [
    { indicator: 're_referrals', period: '2022-05', value: 19.5 },
    { indicator: 're_referrals', period: '2022-06', value: '24.08' },
    { indicator: 'contacts', period: '2022-06', value: 1866 },
  ];
  assert.deepStrictEqual(card.evaluate(rows), card.evaluate(DATA));
});

test('bytes read like the text: a Uint8Array, or the ArrayBuffer of response.arrayBuffer()', () => {
  const card = Scorecard.fromToml(CARD);
  const bytes = new TextEncoder().encode(DATA);
  const expected = card.evaluate(DATA);
  assert.deepStrictEqual(card.evaluate(bytes), expected);
  assert.deepStrictEqual(card.evaluate(bytes.buffer), expected);
  assert.deepStrictEqual(card.evaluate(DATA, { overrides: new TextEncoder().encode('indicator,period,status,reason\n').buffer }), expected);
});

test('numbers from JS keep their decimal meaning: 84.95 rounds half away from zero', () => {
  const card = Scorecard.fromToml(CARD);
  const r = june(card.evaluate([{ indicator: 're_referrals', period: '2022-06', value: 84.95 }]));
  assert.equal(r.value, '85.0');
  // An integral number is an integer, not 1866.0.
  const c = june(card.evaluate([{ indicator: 'contacts', period: '2022-06', value: 1866 }]), 'contacts');
  assert.equal(c.value, '1866');
});

test('null, undefined and NaN are missing; an infinity is a rejected row with its reason', () => {
  const card = Scorecard.fromToml(CARD);
  for (const value of [null, undefined, NaN]) {
    const r = june(card.evaluate([{ indicator: 're_referrals', period: '2022-06', value }]));
    assert.equal(r.status, 'no_data', `value ${value}`);
    assert.equal(r.value, null);
  }
  const result = card.evaluate([
    { indicator: 're_referrals', period: '2022-06', value: 21 },
    { indicator: 're_referrals', period: '2022-07', value: Infinity },
  ]);
  assert.equal(result.rejected.length, 1);
  assert.equal(result.rejected[0].row, 2);
  assert.match(result.rejected[0].reason, /inf/);
  assert.deepStrictEqual(result.rows, { input: 2, used: 1, rejected: 1 });
});

test('a value of an unsupported type is a DataError naming the row and column', () => {
  const card = Scorecard.fromToml(CARD);
  const e = thrown(
  () => card.evaluate([
      { indicator: 're_referrals', period: '2022-05', value: 1 },
      { indicator: 're_referrals', period: new Date(2022, 5, 1), value: 2 },
    ]),
    DataError,
  );
  assert.equal(e.row, 2);
  assert.equal(e.column, 'period');
  assert.match(e.message, /cannot read a Date/);
});

test('JSON text data with format "json" reads as the CLI reads a .json file', () => {
  const card = Scorecard.fromToml(CARD);
  const json = JSON.stringify([
    { indicator: 're_referrals', period: '2022-05', value: '19.5' },
    { indicator: 're_referrals', period: '2022-06', value: 24.08 },
    { indicator: 'contacts', period: '2022-06', value: 1866 },
  ]);
  assert.deepStrictEqual(card.evaluate(json, { format: 'json' }), card.evaluate(DATA));
});

test('period gives every indicator at that period; entity picks one entity', () => {
  const card = Scorecard.fromToml(CARD);
  const data = 'entity,indicator,period,value\na,re_referrals,2022-05,19\nb,re_referrals,2022-06,25\n';
  const atJune = card.evaluate(data, { period: '2022-06' });
  // Two entities × two indicators, with or without a row.
  assert.equal(atJune.results.length, 4);
  assert.ok(atJune.results.every((r) => r.period === '2022-06'));
  const missing = atJune.results.find((r) => r.entity === 'a' && r.indicator === 're_referrals');
  assert.equal(missing.status, 'no_data');
  const onlyB = card.evaluate(data, { entity: 'b' });
  assert.ok(onlyB.results.length > 0 && onlyB.results.every((r) => r.entity === 'b'));
});

test('an entity the data does not have: an empty result or no_data, and a console warning naming the entities', (t) => {
  const card = Scorecard.fromToml(CARD);
  const data = 'entity,indicator,period,value\nyork,re_referrals,2022-06,19\nleeds,re_referrals,2022-06,25\n';
  const warn = t.mock.method(console, 'warn', () => {});
  const said = () => warn.mock.calls.map((c) => c.arguments.join(' '));
  const expected = "ragulator: the data has no rows for entity 'yrok' (its entities: leeds, york)";

  assert.equal(card.evaluate(data, { entity: 'yrok' }).results.length, 0);
  assert.deepStrictEqual(said(), [expected]);
  const obs = card.observations(data);
  assert.equal(card.evaluateStatuses(obs, { entity: 'yrok' }).results.entity.length, 0);
  assert.deepStrictEqual(said(), [expected, expected]);

  // With a period it gets a page of no-data results, which looks real:
  // warned about too, as in explain.
  assert.ok(card.evaluate(data, { entity: 'yrok', period: '2022-06' }).results.length > 0);
  card.explain(data, { indicator: 're_referrals', period: '2022-06', entity: 'yrok' });
  assert.deepStrictEqual(said(), [expected, expected, expected, expected]);
  // No warning when the entity exists.
  card.evaluate(data, { entity: 'york' });
  card.evaluate(data, { entity: 'york', period: '2022-06' });
  assert.equal(warn.mock.calls.length, 4);
});

test('explain: false leaves the sentences out and keeps the statuses', () => {
  const card = Scorecard.fromToml(CARD);
  const quiet = card.evaluate(DATA, { explain: false });
  const full = card.evaluate(DATA);
  assert.equal(june(quiet).explanation, '');
  assert.deepStrictEqual(quiet.results.map((r) => r.status), full.results.map((r) => r.status));
});

test('plain objects from anywhere read: no prototype, or from another realm', () => {
  const card = Scorecard.fromToml(CARD);
  const row = { indicator: 'contacts', period: '2022-06', value: 1866 };
  const expected = card.evaluate([row], { period: '2022-06' });
  const bare = Object.assign(Object.create(null), row);
  assert.deepStrictEqual(card.evaluate([bare], { period: '2022-06' }), expected);
  const foreign = vm.runInNewContext('[{ indicator: "contacts", period: "2022-06", value: 1866 }]');
  const options = vm.runInNewContext('({ period: "2022-06" })');
  assert.deepStrictEqual(card.evaluate(foreign, options), expected);
  assert.equal(Scorecard.fromJson(Object.assign(Object.create(null), CARD_JSON)).name, 'Test card');
  // Not plain: still an error naming the row, in plain English.
  const e = thrown(() => card.evaluate([{ ...row, value: new Date(0) }]), DataError);
  assert.match(e.message, /cannot read a Date/);
});

test('whole numbers beyond 2^53 keep their digits, without a stray .0', () => {
  const card = Scorecard.fromToml(CARD);
  const value = (v) => card.evaluate([{ indicator: 'contacts', period: '2022-06', value: v }]).results[0].value;
  assert.equal(value(2 ** 53), '9007199254740992');
  assert.equal(value(1e16), '10000000000000000');
  assert.equal(value(2 ** 53), value(String(2 ** 53)));
});

test('overrides as CSV text or row objects keep both statuses and the reason', () => {
  const card = Scorecard.fromToml(CARD);
  const reason = 'Agreed at the Performance Board';
  const csv = `indicator,period,status,reason\nre_referrals,2022-06,amber,${reason}\n`;
  const rows = [{ indicator: 're_referrals', period: '2022-06', status: 'amber', reason }];
  for (const overrides of [csv, rows]) {
    const r = june(card.evaluate(DATA, { overrides }));
    assert.equal(r.status, 'amber');
    assert.equal(r.computed_status, 'red');
    assert.deepStrictEqual(r.override, { status: 'amber', reason });
  }
});

test('an override without a reason fails the whole call', () => {
  const card = Scorecard.fromToml(CARD);
  const e = thrown(
  () => card.evaluate(DATA, { overrides: [{ indicator: 're_referrals', period: '2022-06', status: 'amber', reason: '' }] }),
    DataError,
  );
  assert.match(e.message, /reason/);
  assert.ok(e instanceof RagulatorError && e instanceof Error);
});

test('unknown options and data of the wrong type are DataErrors saying what is valid', () => {
  const card = Scorecard.fromToml(CARD);
  assert.match(thrown(() => card.evaluate(DATA, { perod: '2022-06' }), DataError).message, /unknown evaluate option 'perod'; the options are: overrides, overridesFormat, period, entity, explain, format/);
  assert.match(thrown(() => card.spc(DATA, 're_referrals'), DataError).message, /the spc options must be a plain object \(\{ indicator: "re_referrals" \}\), not text/);
  assert.match(thrown(() => card.explain(DATA), DataError).message, /the explain options must be a plain object \(\{ indicator: "re_referrals", period: "2022-06" \}\), not undefined/);
  // A wrongly typed option is named, with its value in JS terms.
  assert.equal(thrown(() => card.evaluate(DATA, { period: 2022 }), DataError).message,
    'the evaluate option \'period\' must be text, such as "2022-06" or "2022/23", not the number 2022');
  assert.match(thrown(() => card.evaluate(DATA, { entity: {} }), DataError).message, /option 'entity' must be text, an entity's name, not an object/);
  assert.match(thrown(() => card.evaluate(DATA, { explain: 'yes' }), DataError).message, /option 'explain' must be true or false, not text/);
  assert.match(thrown(() => card.evaluate(DATA, { overridesFormat: 5 }), DataError).message, /option 'overridesFormat' must be "csv" or "json", not the number 5/);
  assert.match(thrown(() => card.evaluate(42), DataError).message, /CSV text/);
  assert.match(thrown(() => card.evaluate(DATA, { overrides: 7 }), DataError).message, /overrides must be/);
  thrown(() => card.evaluate(DATA, { format: 'xml' }), DataError);
});

test('a scorecard or argument that is not text is a DataError, not a memory fault', () => {
  for (const bad of [42, {}, null, undefined, [], new Uint8Array([1])]) {
    assert.match(thrown(() => Scorecard.fromToml(bad), DataError).message, /fromToml takes TOML as a string, not /);
    assert.match(thrown(() => Scorecard.fromYaml(bad), DataError).message, /fromYaml takes YAML as a string, not /);
  }
  const card = Scorecard.fromToml(CARD);
  assert.match(thrown(() => card.formatValue(7, '24.1'), DataError).message, /formatValue takes an indicator id as a string, not number/);
  assert.equal(card.formatValue('re_referrals', 24.1), card.formatValue('re_referrals', '24.1'));
});

test('options must be a plain object: a Map is refused, a null-prototype object is read', () => {
  const card = Scorecard.fromToml(CARD);
  assert.match(thrown(() => card.evaluate(DATA, new Map([['period', '2022-06']])), DataError).message, /options must be a plain object/);
  const o = Object.create(null);
  o.period = '2022-06';
  assert.deepEqual(card.evaluate(DATA, o), card.evaluate(DATA, { period: '2022-06' }));
});

test('NaN in a scorecard object is an error, as Infinity is, not a missing target', () => {
  const doc = {
    ragulator: 1,
    indicator: [{ id: 'x', name: 'X', unit: 'count', polarity: 'higher_is_better', target: NaN, rag: { rule: 'target', amber: 1 } }],
  };
  const e = thrown(() => Scorecard.fromJson(doc), ScorecardError);
  assert.ok(e.diagnostics.some((d) => d.path === 'indicator[0].target' && /NaN/.test(d.message)), JSON.stringify(e.diagnostics));
  thrown(() => Scorecard.fromJson({ ...doc, indicator: [{ ...doc.indicator[0], target: Infinity }] }), ScorecardError);
});

test('data without the needed columns is a DataError with a diagnostic', () => {
  const card = Scorecard.fromToml(CARD);
  const e = thrown(() => card.evaluate('a,b\n1,2\n'), DataError);
  assert.equal(e.diagnostics.length, 1);
  assert.equal(e.diagnostics[0].column, 'indicator');
  assert.match(e.diagnostics[0].message, /no 'indicator' column/);
});

test('a bad scorecard throws ScorecardError with every problem, located', () => {
  const text = 'ragulator = 1\n[[indicator]]\nid = "x"\nname = "X"\nunit = "percent"\npolarity = "sideways"\n';
  const e = thrown(() => Scorecard.fromToml(text), ScorecardError);
  assert.ok(e instanceof RagulatorError && e instanceof Error);
  assert.equal(e.name, 'ScorecardError');
  const d = e.diagnostics[0];
  assert.equal(d.path, 'indicator[0].polarity');
  assert.equal(d.line, 6);
  assert.equal(typeof d.column, 'number');
  assert.match(d.message, /higher_is_better/);

  const several = `ragulator = 1
[[indicator]]
id = "a"
name = "A"
unit = "percent"
polarity = "higher_is_better"
theme = "nope"
rag = "missing_rules"
`;
  const all = thrown(() => Scorecard.fromToml(several), ScorecardError);
  assert.ok(all.diagnostics.length >= 2, JSON.stringify(all.diagnostics));
  assert.ok(all.diagnostics.some((x) => x.path === 'indicator[0].theme'));
  assert.ok(all.diagnostics.some((x) => x.path === 'indicator[0].rag'));
});

test('validate returns the diagnostics, or nothing for a valid scorecard', () => {
  assert.deepStrictEqual(Scorecard.validate(CARD), []);
  assert.deepStrictEqual(Scorecard.validate(CARD_JSON), []);
  assert.deepStrictEqual(Scorecard.validate(CARD_YAML, 'yaml'), []);
  const bad = Scorecard.validate('ragulator = 2\n');
  assert.equal(bad.length, 1);
  assert.deepStrictEqual(Object.keys(bad[0]).sort(), ['column', 'line', 'message', 'path']);
  assert.match(bad[0].message, /version 2/);
  const yaml = Scorecard.validate('ragulator: 1\nindicator:\n  - id: x\n    name: X\n    unit: furlongs\n    polarity: none\n', 'yaml');
  assert.equal(yaml[0].path, 'indicator[0].unit');
  assert.equal(yaml[0].line, 5);
  thrown(() => Scorecard.validate(CARD, 'ini'), DataError);
});

test('explain gives the sentence and the trace for one indicator and period', () => {
  const card = Scorecard.fromToml(CARD);
  const [r, ...rest] = card.explain(DATA, { indicator: 're_referrals', period: '2022-06' });
  assert.equal(rest.length, 0);
  assert.equal(r.explanation, SENTENCE);
  assert.equal(r.trace.rule, 'target');
  assert.deepStrictEqual(r.trace.operands, { gap: '-4.1', target: '20', value: '24.1' });
  assert.match(
    thrown(() => card.explain(DATA, { indicator: 'nope', period: '2022-06' }), DataError).message,
    /unknown indicator 'nope'; indicators are: re_referrals, contacts/,
  );
});

test('spc returns the section 6 chart', () => {
  const card = Scorecard.fromToml(CARD);
  const months = Array.from({ length: 20 }, (_, i) => `2021-${String(i % 12 + 1).padStart(2, '0')}`);
  const rows = months.slice(0, 12).map((period, i) => ({ indicator: 're_referrals', period, value: 20 + (i % 3) }));
  const chart = card.spc(rows, { indicator: 're_referrals' });
  assert.equal(chart.indicator, 're_referrals');
  assert.equal(chart.points.length, 12);
  assert.equal(chart.groups[0].n, 12);
  assert.equal(Number(chart.groups[0].mean), 21);
  assert.equal(chart.variation, 'common_cause');
  assert.equal(typeof chart.groups[0].upl, 'string');
});

test('metadata: indicators, themes, statuses (no_data last), comparators, formatValue', () => {
  const card = example();
  assert.equal(card.name, "Children's Social Care — Practice and Performance Summary");
  assert.equal(card.indicators.length, 18);
  const re = card.indicators.find((i) => i.id === 're_referrals');
  assert.equal(re.unit, 'percent');
  assert.equal(re.polarity, 'lower_is_better');
  assert.equal(re.theme, 'assessment');
  assert.equal(re.rag, true);
  assert.deepStrictEqual(card.statuses.map((s) => s.id), ['green', 'amber', 'red', 'no_data']);
  assert.equal(card.statuses[0].colour, '#00703c');
  assert.deepStrictEqual(card.themes.map((t) => t.id), ['assessment', 'contact', 'management', 'right_service', 'corporate_parenting']);
  assert.deepStrictEqual(card.comparators.map((c) => c.name).sort(), ['england', 'sn']);
  assert.equal(card.formatValue('re_referrals', '20'), '20.0%');
  thrown(() => card.formatValue('re_referrals', 'abc'), DataError);
});

test('observations read once evaluate like the text they came from', () => {
  const card = example();
  const csv = read(join(EXAMPLE, 'data.csv'));
  const obs = card.observations(csv);
  assert.equal(obs.inputRows, obs.length + obs.rejected.length);
  const options = { period: '2022-06', overrides: read(join(EXAMPLE, 'overrides.csv')) };
  assert.deepStrictEqual(card.evaluateObservations(obs, options), card.evaluate(csv, options));
});

test('observations read with another scorecard are refused, not misread by position', () => {
  const card = example();
  const obs = card.observations(read(join(EXAMPLE, 'data.csv')));
  const other = Scorecard.fromToml(CARD);
  for (const call of [() => other.evaluateObservations(obs, {}), () => other.evaluateStatuses(obs, {})]) {
    const e = thrown(call, DataError);
    assert.match(e.message, /another scorecard/);
  }
  // The same text loaded again reads them as its own.
  const again = Scorecard.fromToml(read(join(EXAMPLE, 'scorecard.toml')));
  assert.deepStrictEqual(again.evaluateObservations(obs, { period: '2022-06' }), card.evaluateObservations(obs, { period: '2022-06' }));
});

test('a scorecard object that JSON cannot hold is an error, not silently changed', () => {
  const card = structuredClone(CARD_JSON);
  card.indicator[0].target = Infinity;
  thrown(() => Scorecard.fromJson(card), ScorecardError);
  thrown(() => Scorecard.fromJson([1, 2]), DataError);
});

test('evaluateStatuses gives the same judgements as evaluate, in columns', () => {
  const card = example();
  const obs = card.observations(read(join(EXAMPLE, 'data.csv')));
  const options = { overrides: read(join(EXAMPLE, 'overrides.csv')) };
  const full = card.evaluateObservations(obs, options);
  const cols = card.evaluateStatuses(obs, options);
  const r = cols.results;
  assert.ok(r.entity instanceof Uint32Array && r.status instanceof Int16Array);
  assert.equal(r.entity.length, full.results.length);
  full.results.forEach((x, i) => {
    assert.equal(cols.entities[r.entity[i]], x.entity ?? '');
    assert.equal(cols.indicators[r.indicator[i]], x.indicator);
    assert.equal(cols.periods[r.period[i]], x.period);
    assert.equal(r.status[i] === -1 ? null : cols.statuses[r.status[i]], x.status);
    assert.equal(r.computedStatus[i] === -1 ? null : cols.statuses[r.computedStatus[i]], x.computed_status);
    assert.equal(cols.directions[r.direction[i]], x.direction);
    assert.equal(r.value[i], x.value);
    assert.equal(r.gap[i], x.gap);
  });
  const t = cols.themeResults;
  assert.equal(t.theme.length, full.themes.length);
  full.themes.forEach((x, i) => {
    assert.equal(cols.themes[t.theme[i]], x.theme);
    assert.equal(cols.periods[t.period[i]], x.period);
    assert.equal(cols.statuses[t.status[i]], x.status);
    assert.equal(cols.statuses[t.computedStatus[i]], x.computed_status);
  });
  assert.deepStrictEqual(cols.rows, full.rows);
  // An override shows as a given status different from the computed one.
  assert.ok([...r.status].some((s, i) => s !== r.computedStatus[i]));
});

test('yearStartMonth is the calendar\'s financial year start', () => {
  const july = Scorecard.fromToml(`${CARD}\n[calendar]\nyear_start_month = 7\n`);
  const april = Scorecard.fromToml(CARD);
  try {
    assert.equal(july.yearStartMonth, 7);
    assert.equal(april.yearStartMonth, 4);
  } finally {
    july.free();
    april.free();
  }
});
