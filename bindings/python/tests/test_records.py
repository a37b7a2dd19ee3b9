"""Measures from case records in Python (issue 8): records from paths and
data frames, measured observations, and the records behind a result, checked
by hand on a small card and against `ragulator evaluate --records` and
`ragulator records` on the children's social care example."""

from __future__ import annotations

import csv
import datetime
import json
import warnings
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

import ragulator
from cli import cli
from conftest import EXAMPLE, need

MEASURES = EXAMPLE / "scorecard-measures.toml"
RECORDS = EXAMPLE / "records"
COMPARATORS = RECORDS / "comparators.csv"

# Ten working days, England and Wales: the Jubilee bank holidays (2 and 3
# June 2022) fall inside the window.
TIMELY = """
ragulator = 1
[calendar]
holidays = "england-and-wales"
[sources.assessments]
columns = { child_id = "id", started_on = "date", completed_on = "date" }
[[indicator]]
id = "timely"
name = "Assessments within 10 working days"
unit = "percent"
polarity = "higher_is_better"
decimals = 1
target = 90
rag = { rule = "target", amber = 5 }
measure = { kind = "timeliness", source = "assessments", start = "started_on", end = "completed_on", within = 10, unit = "working_days", noun = "assessments" }
[[indicator]]
id = "given"
name = "A value given in data"
unit = "count"
polarity = "none"
"""

# By hand: 20 May 2022 is a Friday; ten working days later, skipping 2 and 3
# June, is Tuesday 7 June. c1 (1 June) is in time, c2 (8 June) one day late;
# c3 ends before it starts and c4 has no start: both rejected.
TIMELY_CSV = """child_id,started_on,completed_on
c1,2022-05-20,2022-06-01
c2,2022-05-20,2022-06-08
c3,2022-05-20,2022-05-01
c4,,2022-06-02
"""
LATE = (
    "completed_on 2022-06-08 is 11 working days after started_on 2022-05-20; the limit was 10 working days (2022-06-07)"
)


@pytest.fixture(scope="module")
def timely() -> ragulator.Scorecard:
    return ragulator.Scorecard.from_toml(TIMELY)


@pytest.fixture(scope="module")
def measures() -> ragulator.Scorecard:
    return ragulator.Scorecard.from_file(MEASURES)


def record_paths(card: ragulator.Scorecard) -> dict[str, Path]:
    return {s.name: RECORDS / f"{s.name}.csv" for s in card.sources}


def measured_ids(card: ragulator.Scorecard) -> list[str]:
    return [i["id"] for i in json.loads(card.to_json())["indicator"] if "measure" in i]


def check_timely(card: ragulator.Scorecard, records: ragulator.RecordSet) -> None:
    assert records.rows == {"assessments": ragulator.RowCounts(input=4, used=2, rejected=2)}
    assert len(records) == 2
    assert records.rejected == [
        ragulator.RejectedRecord(
            "assessments",
            3,
            "completed_on 2022-05-01 is before started_on 2022-05-20: an end cannot come before its start",
        ),
        ragulator.RejectedRecord("assessments", 4, "no started_on (needed as the start of indicator 'timely')"),
    ]
    ev = card.evaluate(card.measure(records))
    [r] = ev.results
    assert (r.indicator, r.period, r.numerator, r.denominator) == ("timely", "2022-06", Decimal(1), Decimal(2))
    assert r.value == Decimal("50.0")
    assert r.status == "red"
    assert r.explanation.endswith("1 of 2 assessments, 50.0%, were completed within 10 working days.")
    failing = card.failing_records(records, "timely", "2022-06")
    assert failing.records == [ragulator.FailingRecord("assessments", 2, None, "c2", LATE)]


def test_timeliness_by_hand_from_csv(timely: ragulator.Scorecard, tmp_path: Path) -> None:
    path = tmp_path / "assessments.csv"
    path.write_text(TIMELY_CSV, encoding="utf-8")
    check_timely(timely, timely.records({"assessments": path}))


def test_timeliness_by_hand_from_rows_with_dates(timely: ragulator.Scorecard) -> None:
    rows: list[dict[str, Any]] = [
        {"child_id": "c1", "started_on": datetime.date(2022, 5, 20), "completed_on": datetime.date(2022, 6, 1)},
        # A datetime at midnight is its date.
        {"child_id": "c2", "started_on": datetime.datetime(2022, 5, 20), "completed_on": "2022-06-08"},
        {"child_id": "c3", "started_on": "2022-05-20", "completed_on": datetime.date(2022, 5, 1)},
        {"child_id": "c4", "started_on": None, "completed_on": "2022-06-02"},
    ]
    check_timely(timely, timely.records({"assessments": rows}))


def test_timeliness_by_hand_from_data_frames(timely: ragulator.Scorecard, tmp_path: Path) -> None:
    pd = need("pandas")
    pl = need("polars")
    pacsv = need("pyarrow.csv")
    path = tmp_path / "assessments.csv"
    path.write_text(TIMELY_CSV, encoding="utf-8")
    # pandas timestamps (datetime64), polars dates, Arrow date32 and text.
    frame = pd.read_csv(path, parse_dates=["started_on", "completed_on"])
    assert str(frame.started_on.dtype).startswith("datetime64")
    check_timely(timely, timely.records({"assessments": frame}))
    check_timely(timely, timely.records({"assessments": pl.read_csv(path, try_parse_dates=True)}))
    check_timely(timely, timely.records({"assessments": pacsv.read_csv(path)}))
    check_timely(timely, timely.records({"assessments": pd.read_csv(path, dtype=str)}))


def test_a_time_of_day_rejects_the_row_and_a_time_zone_the_column(timely: ragulator.Scorecard) -> None:
    pd = need("pandas")
    frame = pd.DataFrame(
        {
            "child_id": ["c1", "c2"],
            "started_on": pd.to_datetime(["2022-05-20 00:00", "2022-05-20 09:30"]),
            "completed_on": pd.to_datetime(["2022-06-01", "2022-06-01"]),
        }
    )
    records = timely.records({"assessments": frame})
    assert records.rows["assessments"] == ragulator.RowCounts(input=2, used=1, rejected=1)
    [rejected] = records.rejected
    assert rejected.row == 2
    assert rejected.reason.startswith("column started_on: 2022-05-20 09:30:00 has a time of day; records take dates")
    # The same for a datetime in a row: rejected by the core, not truncated.
    rows = [{"child_id": "c1", "started_on": datetime.datetime(2022, 5, 20, 9, 30), "completed_on": "2022-06-01"}]
    [rejected] = timely.records({"assessments": rows}).rejected
    assert (rejected.row, rejected.reason.split(":")[0]) == (1, "column started_on")
    zoned = frame.assign(started_on=frame.started_on.dt.tz_localize("Europe/London"))
    with pytest.raises(ragulator.DataError, match="time zone Europe/London; records take dates") as e:
        timely.records({"assessments": zoned})
    assert e.value.column == "started_on"


def test_the_measured_evaluation_is_the_cli_evaluation(measures: ragulator.Scorecard) -> None:
    paths = record_paths(measures)
    args = [a for s, p in paths.items() for a in ("--records", f"{s}={p}")]
    expected = cli(
        "evaluate", "--scorecard", MEASURES, *args, "--data", COMPARATORS, "--period", "2022-06", "--format", "json"
    )
    records = measures.records(paths)
    ev = measures.evaluate(measures.measure(records, data=COMPARATORS), period="2022-06")
    assert ev.to_json() + "\n" == expected
    assert {r.indicator for r in ev.results if r.numerator is not None} >= set(measured_ids(measures))
    # The records as data frames give the same evaluation and rejections.
    pd = need("pandas")
    frames = measures.records({s: pd.read_csv(p) for s, p in paths.items()})
    assert frames.rejected == records.rejected
    assert measures.evaluate(measures.measure(frames, data=COMPARATORS), period="2022-06").to_json() == ev.to_json()


def test_records_from_every_kind_of_table_measure_alike(measures: ragulator.Scorecard, tmp_path: Path) -> None:
    pd = need("pandas")
    pl = need("polars")
    pacsv = need("pyarrow.csv")
    paths = record_paths(measures)
    dates = {s.name: [c for c, t in s.columns.items() if t == "date"] for s in measures.sources}
    expected = measures.evaluate(measures.measure(paths), period="2022-06").to_json()

    def rows(path: Path) -> list[dict[str, Any]]:
        with open(path, newline="", encoding="utf-8") as f:
            return [
                {
                    k: datetime.date.fromisoformat(v) if k in dates[path.stem] and _is_date(v) else v
                    for k, v in r.items()
                }
                for r in csv.DictReader(f)
            ]

    with warnings.catch_warnings():
        # pandas warns that it cannot parse 2021-02-30 and leaves that column as text.
        warnings.simplefilter("ignore")
        pandas_dates = {s: pd.read_csv(p, parse_dates=dates[s]) for s, p in paths.items()}
    polars_dates = {
        s: pl.read_csv(p, infer_schema=False).with_columns([pl.col(c).str.to_date(strict=False) for c in dates[s]])
        for s, p in paths.items()
    }
    kinds: dict[str, dict[str, Any]] = {
        "pandas with dates": pandas_dates,
        "polars with dates": polars_dates,
        "pyarrow": {s: pacsv.read_csv(p) for s, p in paths.items()},
        "list of dicts with dates": {s: rows(p) for s, p in paths.items()},
        "json": {s: _as_json(p, tmp_path) for s, p in paths.items()},
    }
    for kind, tables in kinds.items():
        got = measures.evaluate(measures.measure(tables), period="2022-06").to_json()
        assert got == expected, kind


def _is_date(v: str) -> bool:
    try:
        datetime.date.fromisoformat(v)
        return True
    except ValueError:
        return False


def _as_json(path: Path, directory: Path) -> Path:
    """The CSV as a .json array of objects (every value a string)."""
    target = directory / f"{path.stem}.json"
    with open(path, newline="", encoding="utf-8") as f:
        target.write_text(json.dumps(list(csv.DictReader(f))), encoding="utf-8")
    return target


def test_failing_records_are_the_cli_records(measures: ragulator.Scorecard) -> None:
    paths = record_paths(measures)
    args = [a for s, p in paths.items() for a in ("--records", f"{s}={p}")]
    records = measures.records(paths)
    ev = measures.evaluate(measures.measure(records, data=COMPARATORS), period="2022-06")
    ids = measured_ids(measures)
    assert len(ids) >= 5
    listed = 0
    for indicator in ids:
        common: list[str | Path] = [
            "--scorecard",
            MEASURES,
            *args,
            "--data",
            COMPARATORS,
            "--indicator",
            indicator,
            "--period",
            "2022-06",
        ]
        doc = json.loads(cli("records", *common, "--format", "json"))
        failing = measures.failing_records(records, indicator, "2022-06")
        assert (failing.indicator, failing.period, failing.entity) == (indicator, "2022-06", None)
        assert json.loads(failing.to_json()) == doc["records"], indicator
        assert json.loads(failing.to_json(pretty=False)) == doc["records"]
        assert [
            {"source": r.source, "row": r.row, "entity": r.entity, "id": r.id, "reason": r.reason} for r in failing
        ] == doc["records"]
        assert failing.to_csv() == cli("records", *common, "--format", "csv")
        # The CLI's explanation is the evaluation's.
        explanations = [
            {"entity": r.entity, "explanation": r.explanation} for r in ev.results if r.indicator == indicator
        ]
        assert doc["results"] == explanations
        listed += len(failing)
    assert listed > 0
    # Timeliness lists exactly the late records: numerator + listed = denominator.
    [r] = [r for r in ev.results if r.indicator == "assessments_in_timescale"]
    late = measures.failing_records(records, "assessments_in_timescale", "2022-06", entity="southampton")
    assert r.numerator is not None and r.denominator is not None
    assert r.numerator + len(late) == r.denominator
    assert {x.entity for x in late} == {"southampton"}


def test_failing_records_as_data_frames(measures: ragulator.Scorecard) -> None:
    pd = need("pandas")
    pl = need("polars")
    pa = need("pyarrow")
    failing = measures.failing_records(
        {"placements": RECORDS / "placements.csv"}, "placement_moves_3plus", "2022-06", entity="southampton"
    )
    assert len(failing) > 0
    frame = failing.to_pandas()
    assert list(frame.columns) == ["source", "row", "entity", "id", "reason"]
    assert str(frame.row.dtype) == "int64"
    assert str(frame.reason.dtype) == "string"
    assert frame.row.tolist() == [r.row for r in failing]
    assert frame.id.tolist() == [r.id for r in failing]
    assert all(r.id for r in failing)  # rolling counts list children
    polars = failing.to_polars()
    assert polars.schema == pl.Schema(
        {"source": pl.String, "row": pl.Int64, "entity": pl.String, "id": pl.String, "reason": pl.String}
    )
    assert polars["reason"].to_list() == [r.reason for r in failing]
    table = failing.to_arrow()
    assert table.schema.field("row").type == pa.int64()
    assert table.column("id").to_pylist() == frame.id.tolist()
    assert pd.DataFrame(failing.records).equals(pd.DataFrame([vars(r) for r in failing.records]))


def test_sources_and_repr(measures: ragulator.Scorecard) -> None:
    by_name = {s.name: s for s in measures.sources}
    assessments = by_name["assessments"]
    assert assessments.entity == "la"
    assert assessments.columns["started_on"] == "date"
    assert assessments.columns["child_id"] == "id"
    records = measures.records({"assessments": RECORDS / "assessments.csv"})
    assert records.sources == ["assessments"]
    counts = records.rows["assessments"]
    assert counts.input == counts.used + counts.rejected
    assert repr(records).startswith(f"<ragulator.RecordSet assessments: {counts.used};")
    failing = measures.failing_records(records, "assessments_in_timescale", "2022-06")
    assert repr(failing) == f"<ragulator.FailingRecords assessments_in_timescale 2022-06: {len(failing)} records>"
    # A measured card with no records given: no values, not an error.
    assert len(measures.measure({})) == 0
    # SPC works on measured values as on any others.
    chart = measures.spc(measures.measure(records), "assessments_in_timescale", entity="southampton")
    assert chart.points and chart.points[-1].period == "2022-06"


def test_errors_say_what_would_be_valid(
    timely: ragulator.Scorecard, measures: ragulator.Scorecard, tmp_path: Path
) -> None:
    pd = need("pandas")
    with pytest.raises(
        ragulator.DataError, match="unknown source 'asessments'; the scorecard's sources are: assessments"
    ):
        timely.records({"asessments": [{"child_id": "c1"}]})
    with pytest.raises(
        ragulator.DataError, match="have no 'completed_on' column; the columns are: child_id, started_on"
    ) as e:
        timely.records({"assessments": pd.DataFrame({"child_id": ["c1"], "started_on": ["2022-06-01"]})})
    assert e.value.column == "completed_on"
    frame = pd.DataFrame(
        [["c1", "2022-06-01", "2022-06-02", "2022-06-03"]],
        columns=["child_id", "started_on", "completed_on", "Completed_On "],
    )
    with pytest.raises(ragulator.DataError, match="2 columns named 'completed_on'"):
        timely.records({"assessments": frame})
    with pytest.raises(
        ragulator.DataError,
        match=r"column completed_on: the column has type List\(Int64\); record columns must be text",
    ):
        timely.records(
            {"assessments": pd.DataFrame({"child_id": ["c1"], "started_on": ["2022-06-01"], "completed_on": [[1]]})}
        )
    records = timely.records(
        {"assessments": [{"child_id": "c1", "started_on": "2022-05-20", "completed_on": "2022-06-01"}]}
    )
    with pytest.raises(
        ragulator.DataError, match="indicator 'given' has no measure: its values come from data, not records"
    ):
        timely.failing_records(records, "given", "2022-06")
    with pytest.raises(
        ragulator.DataError, match="unknown indicator 'timley'; indicators computed from records are: timely"
    ):
        timely.failing_records(records, "timley", "2022-06")
    with pytest.raises(ragulator.DataError, match="give a month period, not '2022-Q1'"):
        timely.failing_records(records, "timely", "2022-Q1")
    with pytest.raises(ragulator.DataError, match="source 'assessments' has no entity column"):
        timely.failing_records(records, "timely", "2022-06", entity="southampton")
    with pytest.raises(
        ragulator.DataError, match="indicator 'timely' is computed from source 'assessments'; give its records"
    ):
        timely.failing_records({}, "timely", "2022-06")
    referrals = measures.records({"referrals": RECORDS / "referrals.csv"})
    with pytest.raises(
        ragulator.DataError, match="no records of source 'referrals' belong to entity 'york'; entities are: southampton"
    ):
        measures.failing_records(referrals, "re_referrals", "2022-06", entity="york")
    with pytest.raises(ragulator.DataError, match="read for another scorecard"):
        timely.measure(referrals)
    bad_json = tmp_path / "records.json"
    bad_json.write_text("[{", encoding="utf-8")
    with pytest.raises(ragulator.DataError, match="not valid JSON"):
        timely.records({"assessments": bad_json})
    with pytest.raises(TypeError, match="cannot read the records of 'assessments' from int"):
        timely.records({"assessments": 3})
    with pytest.raises(TypeError, match="records must be a mapping"):
        timely.records([("assessments", [])])  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="a source name must be a str"):
        timely.records({1: []})  # type: ignore[dict-item]
