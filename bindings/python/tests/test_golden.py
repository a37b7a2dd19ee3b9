"""The shared golden corpus (tests/fixtures/): every case evaluated from a
path, pandas, polars, pyarrow and a list of dicts gives exactly the Rust
core's output.json.

CSV data is read with every column as text, so the comparison is exact.
A case whose data cannot be expressed as a DataFrame or a list of dicts
without changing its meaning (invalid UTF-8, ragged rows, a 64 KiB row the
core rejects, JSON that is not an array of plain objects, ...) is compared
through the path input instead, and the test says so with a warning naming
the case and the reason: nothing is skipped silently.
"""

from __future__ import annotations

import csv
from decimal import Decimal
import io
import json
import warnings
from pathlib import Path
from typing import Any

import pytest

import ragulator
from conftest import CI, FIXTURES, need

INPUTS = ["path", "pandas", "polars", "pyarrow", "rows"]
MAX_ROW_BYTES = 64 * 1024  # the core's limit (observations::MAX_ROW_BYTES)


def cases() -> list[Path]:
    if not FIXTURES.is_dir():
        return []
    return sorted(p for p in FIXTURES.iterdir() if p.is_dir())


class Case:
    def __init__(self, root: Path) -> None:
        self.root = root
        cards = sorted(root.glob("scorecard.*"))
        assert len(cards) == 1, f"{root}: expected one scorecard.*, found {cards}"
        self.scorecard = cards[0]
        data = [p for p in (root / "data.csv", root / "data.json") if p.is_file()]
        assert len(data) == 1, f"{root}: expected data.csv or data.json"
        self.data = data[0]
        overrides = [p for p in (root / "overrides.csv", root / "overrides.json") if p.is_file()]
        self.overrides = overrides[0] if overrides else None
        options = root / "options.json"
        self.options: dict[str, Any] = json.loads(options.read_text("utf-8")) if options.is_file() else {}
        output = root / "output.json"
        self.output: Any = json.loads(output.read_text("utf-8")) if output.is_file() else None


# ------------------------------------------------------------ CSV as tables


def csv_table(path: Path) -> tuple[list[str], list[list[str]]] | str:
    """Header and rows of a CSV file exactly as the core reads it, or the
    reason it cannot be a table."""
    raw = path.read_bytes()
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return "the CSV has invalid UTF-8, which neither a DataFrame nor a Python str can hold"
    if not text.strip():
        return "the CSV is empty: a DataFrame read from it has no columns to report"
    records = list(csv.reader(io.StringIO(text, newline="")))
    records = [r for r in records if r]  # the core skips blank lines
    header, body = records[0], records[1:]
    for i, r in enumerate(body, start=1):
        if len(r) != len(header):
            return f"row {i} has {len(r)} fields and the header {len(header)}: neither a DataFrame nor a list of dicts can keep a ragged row"
        if len(",".join(r).encode()) > MAX_ROW_BYTES:
            return f"row {i} is longer than the core's {MAX_ROW_BYTES}-byte CSV row limit, which DataFrames do not have"
    return header, body


def rows_from_csv(header: list[str], body: list[list[str]]) -> list[dict[str, str]]:
    # Dict keys follow the CSV header rule (trimmed, lower-case, first of duplicates).
    keys = [h.strip().lower() for h in header]
    first = {k: keys.index(k) for k in keys}
    return [{k: r[i] for k, i in first.items()} for r in body]


# ----------------------------------------------------------- JSON as tables


def json_table(path: Path) -> tuple[list[str], list[dict[str, Any]]] | str:
    """Columns and row objects of a JSON data file, or the reason they cannot
    be a DataFrame with the same meaning."""
    try:
        doc = json.loads(path.read_bytes())
    except ValueError:
        return "the JSON is not valid, so there is no table to build"
    if not isinstance(doc, list):
        return "the JSON is not an array of rows"
    if not doc:
        return "an empty JSON array has no columns, which a DataFrame needs"
    columns: list[str] = []
    for item in doc:
        if not isinstance(item, dict):
            return "a JSON row is not an object"
        for k, v in item.items():
            if k != k.strip().lower():
                return f"JSON key {k!r} is not lower-case and trimmed: DataFrame columns match case-insensitively, JSON keys exactly"
            if isinstance(v, (bool, list, dict)):
                return f"a JSON {type(v).__name__} value has no DataFrame equivalent with the same message"
            if k not in columns:
                columns.append(k)
    return columns, doc


def json_text(v: Any) -> str | None:
    """A JSON scalar as the core turns it into text (numbers by their f64 form)."""
    if v is None or isinstance(v, str):
        return v
    if isinstance(v, int):
        return str(v)
    return repr(float(v))


# ------------------------------------------------------------------ inputs


def make_input(case: Case, kind: str) -> tuple[Any, str | None]:
    """The case's data as `kind`, or (path, reason) when it cannot be."""
    if kind == "path":
        return case.data, None
    if case.data.suffix == ".csv":
        table = csv_table(case.data)
        if isinstance(table, str):
            return case.data, table
        header, body = table
        if kind == "rows":
            return rows_from_csv(header, body), None
        if kind == "pandas":
            pd = need("pandas")
            need("pyarrow")
            return pd.read_csv(case.data, dtype=str, keep_default_na=False, na_filter=False, encoding="utf-8-sig"), None
        if kind == "polars":
            pl = need("polars")
            return pl.read_csv(case.data, infer_schema=False, encoding="utf8"), None
        pa = need("pyarrow")
        pacsv = need("pyarrow.csv")
        return (
            pacsv.read_csv(
                case.data,
                convert_options=pacsv.ConvertOptions(
                    column_types={h: pa.string() for h in header}, strings_can_be_null=False
                ),
            ),
            None,
        )
    table_or_reason = json_table(case.data)
    if isinstance(table_or_reason, str):
        if kind == "rows":
            doc = json.loads(case.data.read_bytes()) if "not valid" not in table_or_reason else None
            if isinstance(doc, list):
                return doc, None  # rows keep JSON's own semantics
        return case.data, table_or_reason
    names, items = table_or_reason
    if kind == "rows":
        return items, None
    text_columns = {k: [json_text(item.get(k)) for item in items] for k in names}
    if kind == "pandas":
        pd = need("pandas")
        need("pyarrow")
        return pd.DataFrame({k: pd.Series(v, dtype="string") for k, v in text_columns.items()}), None
    if kind == "polars":
        pl = need("polars")
        return pl.DataFrame(text_columns, schema={k: pl.String for k in names}), None
    pa = need("pyarrow")
    return pa.table({k: pa.array(v, type=pa.string()) for k, v in text_columns.items()}), None


def test_the_corpus_is_there() -> None:
    if not cases():
        message = f"no golden cases in {FIXTURES}"
        if CI:
            pytest.fail(message)
        pytest.skip(message)


@pytest.mark.parametrize("kind", INPUTS)
@pytest.mark.parametrize("root", cases(), ids=lambda p: p.name)
def test_golden(root: Path, kind: str) -> None:
    case = Case(root)
    if case.output is None:
        message = f"{root.name} has no output.json (UPDATE_GOLDEN=1 cargo test -p ragulator --test golden writes it)"
        if CI:
            pytest.fail(message)
        pytest.skip(message)
    scorecard = ragulator.Scorecard.from_file(case.scorecard)
    data, why_not = make_input(case, kind)
    if why_not is not None:
        warnings.warn(f"{root.name}: compared through the path input, not {kind}: {why_not}", stacklevel=1)

    def evaluate() -> ragulator.Evaluation:
        return scorecard.evaluate(
            data,
            overrides=case.overrides,
            period=case.options.get("period"),
            entity=case.options.get("entity"),
        )

    if "error" in case.output:
        # The call fails as a whole: same message as the core's.
        with pytest.raises(ragulator.DataError) as caught:
            evaluate()
        expected = case.output["error"]
        listed = "; the columns are: "
        if kind == "rows" and case.data.suffix == ".csv" and listed in expected:
            # Rows are read as JSON objects, whose reader lists the columns
            # sorted by name; the CSV reader lists them in header order.
            head, columns = expected.split(listed)
            expected = head + listed + ", ".join(sorted(columns.split(", ")))
        assert str(caught.value) == expected
        return
    assert json.loads(evaluate().to_json()) == case.output


DECIMAL_FIELDS = ("value", "gap", "gap_pct", "previous", "last_year", "numerator", "denominator")
TEXT_FIELDS = ("entity", "indicator", "period", "status", "computed_status", "label", "direction", "no_data_reason", "explanation")


def flattened(doc: dict[str, Any], theme_of: dict[str, str | None]) -> list[dict[str, Any]]:
    """The result JSON's rows as the data frames' columns: decimals as
    Decimal, the target split, comparators, override and SPC flattened."""
    out = []
    for r in doc["results"]:
        row: dict[str, Any] = {f: r[f] for f in TEXT_FIELDS}
        row.update({f: None if r[f] is None else Decimal(r[f]) for f in DECIMAL_FIELDS})
        t = r["target"]
        row["target"] = Decimal(t) if isinstance(t, str) else None
        row["target_low"] = Decimal(t["low"]) if isinstance(t, dict) else None
        row["target_high"] = Decimal(t["high"]) if isinstance(t, dict) else None
        row["theme"] = theme_of.get(r["indicator"])
        row["override_status"] = r["override"] and r["override"]["status"]
        row["override_reason"] = r["override"] and r["override"]["reason"]
        for k in ("variation", "assurance", "point_type"):
            row[f"spc_{k}"] = r["spc"] and r["spc"][k]
        for name, v in r["comparators"].items():
            row[f"comparator_{name}" if name in row else name] = Decimal(v)
        out.append(row)
    return out


@pytest.mark.parametrize("root", cases(), ids=lambda p: p.name)
def test_golden_frames_hold_the_json(root: Path) -> None:
    """to_arrow, to_pandas and to_polars (built in Rust from the core's
    results), the row counts and the rejected rows hold exactly what the
    result JSON says, for every case."""
    pa = need("pyarrow")
    pd = need("pandas")
    pl = need("polars")
    case = Case(root)
    if case.output is None or "error" in case.output:
        return
    scorecard = ragulator.Scorecard.from_file(case.scorecard)
    ev = scorecard.evaluate(
        case.data, overrides=case.overrides, period=case.options.get("period"), entity=case.options.get("entity")
    )
    theme_of = {i.id: i.theme for i in scorecard.indicators}
    doc = json.loads(ev.to_json())
    # Counts and rejected rows come from the statuses judged at evaluate.
    assert [(r.row, r.reason) for r in ev.rejected] == [(r["row"], r["reason"]) for r in doc["rejected"]]
    rows = ev.rows
    assert (rows.input, rows.used, rows.rejected) == (doc["rows"]["input"], doc["rows"]["used"], doc["rows"]["rejected"])
    assert len(ev) == len(doc["results"])
    expected = flattened(doc, theme_of)
    table = ev.to_arrow()
    assert isinstance(table, pa.Table) and table.num_rows == len(expected)
    frames = {
        "arrow": table.to_pylist(),
        "pandas": [
            {k: (None if v is pd.NA else v) for k, v in row.items()} for row in ev.to_pandas().to_dict("records")
        ],
        "polars": ev.to_polars().to_dicts(),
    }
    for kind, rows in frames.items():
        for i, (got, want) in enumerate(zip(rows, expected)):
            # Every comparator column, even one this result lacks (None).
            assert {k: got[k] for k in want} == want, f"{root.name} {kind} row {i}"
            assert all(got[k] is None for k in set(got) - set(want)), f"{root.name} {kind} row {i}"
    statuses = ev.statuses.to_arrow()
    assert statuses.column("status").to_pylist() == [r["status"] for r in expected]
