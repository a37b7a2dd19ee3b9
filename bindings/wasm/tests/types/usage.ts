// Type-checked (not run) by types.test.mjs: the package's declarations
// describe the API as documented, strictly.
import init, {
  Scorecard, ScorecardError, DataError, RagulatorError,
  type EvaluationResult, type IndicatorResult, type SpcChart, type Diagnostic, type StatusColumns,
  type RecordSet, type FailingRecord, type SourceInfo, type RowCounts,
} from 'ragulator';
import { RagulatorScorecard } from 'ragulator/ragulator-scorecard.js';

export async function use(text: string, csv: string, bytes: Uint8Array): Promise<string[]> {
  await init();
  const diagnostics: Diagnostic[] = Scorecard.validate(text, 'toml');
  const line: number | null = diagnostics[0]?.line ?? null;
  const card = Scorecard.fromToml(text);
  const result: EvaluationResult = card.evaluate(csv, { period: '2022-06', entity: 'a', overrides: bytes, explain: false });
  const first: IndicatorResult | undefined = result.results[0];
  const value: string | null = first ? first.value : null;
  const target = first?.target;
  const low: string | undefined = typeof target === 'object' && target !== null ? target.low : undefined;
  const direction: 'improving' | 'worsening' | 'no_change' | 'up' | 'down' | 'not_comparable' | undefined = first?.direction;
  const rows = card.evaluate([{ indicator: 'x', period: '2022-06', value: 1.5 }, { indicator: 'x', period: '2022-07', value: null }]);
  const chart: SpcChart = card.spc(csv, { indicator: 'x' });
  const variation = chart.variation;
  const cols: StatusColumns = card.evaluateStatuses(card.observations(bytes, { format: 'json' }));
  const status: Int16Array = cols.results.status;
  const explained: IndicatorResult[] = card.explain(csv, { indicator: 'x', period: '2022-06' });
  const sources: SourceInfo[] = card.sources;
  const columnType: string | undefined = sources[0]?.columns['child_id'];
  const records: RecordSet = card.records({ assessments: csv, visits: bytes, referrals: [{ child_id: 'c1', referred_on: '2022-06-01' }] });
  const counts: RowCounts | undefined = records.rows['assessments'];
  const reason: string | undefined = records.rejected[0]?.reason;
  const measured: EvaluationResult = card.evaluateObservations(card.measure(records, { data: csv }), { period: '2022-06' });
  const failing: FailingRecord[] = card.failingRecords(records, { indicator: 'x', period: '2022-06', entity: 'a' });
  const child: string | null = failing[0]?.id ?? null;
  try {
    Scorecard.fromJson({ ragulator: 1 });
  } catch (e) {
    if (e instanceof ScorecardError) e.diagnostics.map((d) => `${d.path}:${d.line}:${d.column}: ${d.message}`);
    if (e instanceof DataError) console.log(e.row, e.column, e.diagnostics[0]?.message);
    if (e instanceof RagulatorError) console.log(e.message);
  }
  const el = document.createElement('ragulator-scorecard');
  const typed: RagulatorScorecard = el;
  el.addEventListener('ragulator-evaluated', (e) => console.log(e.detail.result.rows.used, e.detail.periods));
  const themeCount: number = rows.themes.length + card.themes.length + card.indicators.filter((i) => i.rag).length;
  return [String(line), String(value), String(low), String(direction), String(variation), String(status.length),
    String(explained.length), String(themeCount), String(typed.periods.length), String(columnType), String(counts?.used),
    String(reason), String(measured.rows.used), String(child), String(records.length)];
}
