"""The Python API: loading, inputs, records, errors, data frames, HTML, SPC."""

from __future__ import annotations

import csv
import html.parser
import json
import math
import os
import subprocess
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

import ragulator
from conftest import CI, EXAMPLE, REPO, TARGET_CARD, need


def rows(*values: Any, indicator: str = "re_referrals") -> list[dict[str, Any]]:
    """One row per value, in consecutive months of 2022."""
    return [
        {"indicator": indicator, "period": f"2022-{i + 1:02d}", "value": v} for i, v in enumerate(values)
    ]


# ----------------------------------------------------------------- loading


def test_load_every_format_gives_the_same_scorecard(card: ragulator.Scorecard, tmp_path: Path) -> None:
    as_json = ragulator.Scorecard.from_json(card.to_json())
    as_yaml = ragulator.Scorecard.from_yaml(card.to_yaml())
    as_dict = ragulator.Scorecard.from_json(json.loads(card.to_json()))
    (tmp_path / "card.yml").write_text(card.to_yaml(), encoding="utf-8")
    from_file = ragulator.Scorecard.from_file(tmp_path / "card.yml")
    data = rows("24.08", "19")
    expected = card.evaluate(data).to_json()
    for other in (as_json, as_yaml, as_dict, from_file):
        assert other.evaluate(data).to_json() == expected


def test_from_json_of_a_dict_with_nan_or_infinity_names_the_field() -> None:
    doc: dict[str, Any] = {
        "ragulator": 1,
        "indicator": [
            {"id": "a", "name": "A", "unit": "count", "polarity": "higher_is_better", "target": math.nan},
            {"id": "b", "name": "B", "unit": "count", "polarity": "higher_is_better", "target": -math.inf},
        ],
    }
    with pytest.raises(ragulator.ScorecardError) as e:
        ragulator.Scorecard.from_json(doc)
    assert [(d.path, d.line, d.message) for d in e.value.diagnostics] == [
        ("indicator[0].target", None, "'NaN' is not a number: NaN and infinities are not allowed"),
        ("indicator[1].target", None, "'-Infinity' is not a number: NaN and infinities are not allowed"),
    ]


def test_from_json_accepts_a_dict_with_decimals() -> None:
    spec = {
        "ragulator": 1,
        "indicator": [
            {
                "id": "x",
                "name": "X",
                "unit": "count",
                "polarity": "higher_is_better",
                "target": Decimal("84.95"),
                "rag": {"rule": "target", "amber": 1},
            }
        ],
    }
    card = ragulator.Scorecard.from_json(spec)
    result = card.evaluate(rows("84.94", indicator="x")).results[0]
    assert result.target == Decimal("84.95")
    assert result.status == "amber"


def test_scorecard_properties(example: ragulator.Scorecard) -> None:
    assert example.name == "Children's Social Care — Practice and Performance Summary"
    assert [s.id for s in example.statuses] == ["green", "amber", "red"]
    assert example.statuses[0] == ragulator.Status("green", "Green – Low Risk", "#00703c")
    assert example.no_data_status.id == "no_data"
    assert {c.name for c in example.comparators} == {"sn", "england"}
    assert len(example.indicators) == 18
    rr = example.indicator("re_referrals")
    assert (rr.unit, rr.polarity, rr.decimals, rr.has_rag) == ("percent", "lower_is_better", 1, True)
    assert rr.theme in {t.id for t in example.themes}
    with pytest.raises(KeyError):
        example.indicator("nope")


# ------------------------------------------------------------------ errors


def test_exception_hierarchy() -> None:
    assert issubclass(ragulator.RagulatorError, ValueError)
    assert issubclass(ragulator.ScorecardError, ragulator.RagulatorError)
    assert issubclass(ragulator.DataError, ragulator.RagulatorError)


def test_scorecard_error_lists_every_diagnostic_with_its_place() -> None:
    text = (
        "ragulator = 1\n"
        "[[indicator]]\nid = 'a'\nname = 'A'\nunit = 'percent'\npolarity = 'higher_is_better'\n"
        "theme = 'missing_theme'\n"
        "[[indicator]]\nid = 'b'\nname = 'B'\nunit = 'percent'\npolarity = 'higher_is_better'\n"
        "rag = 'missing_rule_set'\n"
    )
    with pytest.raises(ragulator.ScorecardError) as caught:
        ragulator.Scorecard.from_toml(text)
    err = caught.value
    assert isinstance(err, ValueError)
    assert len(err.diagnostics) == 2
    paths = [d.path for d in err.diagnostics]
    assert paths == ["indicator[0].theme", "indicator[1].rag"]
    assert all(isinstance(d, ragulator.Diagnostic) for d in err.diagnostics)
    assert err.diagnostics[0].line == 7
    assert "missing_theme" in err.diagnostics[0].message
    assert "missing_theme" in str(err)


def test_scorecard_error_for_syntax_has_line_and_column() -> None:
    with pytest.raises(ragulator.ScorecardError) as caught:
        ragulator.Scorecard.from_toml("ragulator = 1\n[[indicator]\n")
    d = caught.value.diagnostics[0]
    assert d.line == 2 and d.column is not None


def test_scorecard_error_for_unknown_file_extension(tmp_path: Path) -> None:
    path = tmp_path / "card.txt"
    path.write_text(TARGET_CARD, encoding="utf-8")
    with pytest.raises(ragulator.ScorecardError, match=r"\.toml, \.json, \.yaml or \.yml"):
        ragulator.Scorecard.from_file(path)


def test_data_error_for_a_missing_column_names_it(card: ragulator.Scorecard) -> None:
    with pytest.raises(ragulator.DataError) as caught:
        card.evaluate([{"indicator": "re_referrals", "value": 1}])
    assert caught.value.column == "period"
    assert "the columns are: indicator, value" in str(caught.value)


def test_data_error_for_a_bad_override_names_row_and_column(card: ragulator.Scorecard) -> None:
    bad = [{"indicator": "re_referrals", "period": "2022-01", "status": "red", "reason": ""}]
    with pytest.raises(ragulator.DataError) as caught:
        card.evaluate(rows("21"), overrides=bad)
    assert (caught.value.row, caught.value.column) == (1, "reason")


def test_data_error_for_a_bad_period_option(card: ragulator.Scorecard) -> None:
    with pytest.raises(ragulator.DataError, match="period"):
        card.evaluate(rows("21"), period="2022-13")


def test_data_error_for_an_unreadable_python_value(card: ragulator.Scorecard) -> None:
    with pytest.raises(ragulator.DataError) as caught:
        card.evaluate(rows("21", object()))
    assert (caught.value.row, caught.value.column) == (2, "value")


def test_data_error_for_a_boolean_value_column(card: ragulator.Scorecard) -> None:
    pa = need("pyarrow")
    table = pa.table({"indicator": ["re_referrals"], "period": ["2022-01"], "value": [True]})
    with pytest.raises(ragulator.DataError) as caught:
        card.evaluate(table)
    assert caught.value.column == "value"
    assert "bool" in str(caught.value).lower()


def test_data_error_for_invalid_json_file(card: ragulator.Scorecard, tmp_path: Path) -> None:
    path = tmp_path / "data.json"
    path.write_text("[{", encoding="utf-8")
    with pytest.raises(ragulator.DataError, match="not valid JSON"):
        card.evaluate(path)


def test_unsupported_data_type_is_a_type_error(card: ragulator.Scorecard) -> None:
    with pytest.raises(TypeError, match="DataFrame"):
        card.evaluate(42)  # type: ignore[arg-type]


def test_polars_int128_values_are_read_exactly(card: ragulator.Scorecard) -> None:
    pl = need("polars")
    if not hasattr(pl, "Int128"):
        pytest.skip("this polars has no Int128")
    frame = pl.DataFrame(
        {
            "indicator": ["re_referrals"] * 3,
            "period": ["2022-01", "2022-02", "2022-03"],
            "value": pl.Series([5, 2**64, 10**30], dtype=pl.Int128),
        }
    )
    ev = card.evaluate(frame)
    # Rounded to the indicator's one place; the third is out of range.
    assert [r.value for r in ev.results] == [Decimal("5.0"), Decimal(f"{2**64}.0")]
    assert [r.row for r in ev.rejected] == [3]
    assert "out of range" in ev.rejected[0].reason


def test_a_scorecard_pickles_and_copies(example: ragulator.Scorecard) -> None:
    import copy
    import pickle

    again = pickle.loads(pickle.dumps(example))
    assert again.to_json() == example.to_json()
    data = EXAMPLE / "data.csv"
    assert again.evaluate(data).to_json() == example.evaluate(data).to_json()
    assert copy.copy(example) is example and copy.deepcopy(example) is example


def test_a_series_is_a_type_error_not_an_attribute_error(card: ragulator.Scorecard) -> None:
    pd = need("pandas")
    with pytest.raises(TypeError, match="a Series is one column"):
        card.evaluate(pd.Series([1.0]))  # type: ignore[arg-type]


def test_text_that_is_not_unicode_is_a_data_error(card: ragulator.Scorecard) -> None:
    with pytest.raises(ragulator.DataError, match="lone surrogate") as caught:
        card.evaluate(rows("21", "\ud800"))
    assert (caught.value.row, caught.value.column) == (2, "value")


def test_a_scorecard_file_that_is_not_utf8_is_a_scorecard_error(tmp_path: Path) -> None:
    path = tmp_path / "latin1.toml"
    path.write_bytes(b'ragulator = 1\nname = "caf\xe9"\n')
    with pytest.raises(ragulator.ScorecardError, match=r"not UTF-8 text \(byte 26 cannot be read, on line 2\)") as caught:
        ragulator.Scorecard.from_file(path)
    assert caught.value.diagnostics[0].message.startswith(str(path))


def test_a_mapping_nested_too_deeply_is_a_scorecard_error() -> None:
    deep: dict[str, object] = {}
    inner = deep
    for _ in range(5000):
        inner["x"] = {}
        inner = inner["x"]  # type: ignore[assignment]
    with pytest.raises(ragulator.ScorecardError, match="nested too deeply"):
        ragulator.Scorecard.from_json(deep)


def test_spc_errors_are_data_errors(example: ragulator.Scorecard) -> None:
    with pytest.raises(ragulator.DataError, match="unknown indicator"):
        example.spc(EXAMPLE / "data.csv", "nope", entity="southampton")


# ------------------------------------------------------------------ values


def test_decimal_float_int_and_str_inputs_agree(card: ragulator.Scorecard) -> None:
    # 84.95 must be 84.95, not the binary 84.9499999...: rounded half away from zero to 85.0.
    ev = card.evaluate(rows(84.95, Decimal("84.95"), "84.95", 21, Decimal("21.0"), "21"))
    values = [r.value for r in ev.results]
    assert values == [Decimal("85.0")] * 3 + [Decimal("21.0")] * 3
    assert all(isinstance(v, Decimal) for v in values)
    assert [r.status for r in ev.results] == ["red"] * 3 + ["amber"] * 3


def test_float_is_taken_by_its_shortest_repr_in_every_input(card: ragulator.Scorecard) -> None:
    pa = need("pyarrow")
    # The binary 20.15 is 20.14999999999999857891...; its shortest repr is 20.15,
    # which rounds half away from zero to 20.2 (the binary value would give 20.1).
    data = rows(20.15, 20.25, 20.35)
    expected = [r.value for r in card.evaluate([dict(r, value=str(r["value"])) for r in data]).results]
    assert expected == [Decimal("20.2"), Decimal("20.3"), Decimal("20.4")]  # half away from zero
    assert [r.value for r in card.evaluate(data).results] == expected
    table = pa.table({k: [r[k] for r in data] for k in data[0]})
    assert table.schema.field("value").type == pa.float64()
    assert [r.value for r in card.evaluate(table).results] == expected
    as_f32 = table.set_column(2, "value", table.column("value").cast(pa.float32()))
    assert [r.value for r in card.evaluate(as_f32).results] == expected


def test_none_and_nan_are_missing_not_numbers(card: ragulator.Scorecard) -> None:
    ev = card.evaluate(rows(None, math.nan, Decimal("NaN"), ""))
    assert [r.value for r in ev.results] == [None] * 4
    assert [r.status for r in ev.results] == ["no_data"] * 4
    assert [r.no_data_reason for r in ev.results] == ["no value"] * 4
    assert ev.rejected == []


def test_pandas_nan_and_null_are_missing(card: ragulator.Scorecard) -> None:
    pd = need("pandas")
    np = need("numpy")
    need("pyarrow")
    df = pd.DataFrame(
        {"indicator": ["re_referrals"] * 3, "period": ["2022-01", "2022-02", "2022-03"], "value": [np.nan, None, 21.0]}
    )
    ev = card.evaluate(df)
    assert [r.status for r in ev.results] == ["no_data", "no_data", "amber"]
    assert ev.rows == ragulator.RowCounts(3, 3, 0)
    # An Arrow null in a float column (not NaN) is missing too.
    pa = need("pyarrow")
    table = pa.table(
        {
            "indicator": ["re_referrals"] * 3,
            "period": ["2022-01", "2022-02", "2022-03"],
            "value": pa.array([None, math.nan, 21.0], pa.float64()),
        }
    )
    assert table.column("value").null_count == 1
    ev = card.evaluate(table)
    assert [r.status for r in ev.results] == ["no_data", "no_data", "amber"]
    assert [r.no_data_reason for r in ev.results][:2] == ["no value"] * 2
    assert ev.rows == ragulator.RowCounts(3, 3, 0)


def test_pandas_all_empty_entity_and_series_columns_are_absent(card: ragulator.Scorecard, tmp_path: Path) -> None:
    # pd.read_csv reads a column of empty cells as float64 NaN: as an empty
    # CSV column, the default entity and the actual series.
    pd = need("pandas")
    need("pyarrow")
    import io

    text = "entity,indicator,period,series,value\n,re_referrals,2022-01,,21\n,re_referrals,2022-02,,19\n"
    df = pd.read_csv(io.StringIO(text))
    assert str(df["entity"].dtype) == "float64" and str(df["series"].dtype) == "float64"
    ev = card.evaluate(df)
    assert [(r.entity, r.period, r.value) for r in ev.results] == [
        (None, "2022-01", Decimal("21")),
        (None, "2022-02", Decimal("19")),
    ]
    csv = tmp_path / "data.csv"
    csv.write_text(text)
    assert ev.to_json() == card.evaluate(str(csv)).to_json()
    assert ev.rows == ragulator.RowCounts(2, 2, 0)


def test_a_frame_with_duplicate_column_names_is_a_data_error(card: ragulator.Scorecard) -> None:
    pd = need("pandas")
    need("pyarrow")
    df = pd.DataFrame([["re_referrals", "2022-06", 1, 2]], columns=["indicator", "period", "value", "value"])
    with pytest.raises(ragulator.DataError, match="cannot be read as Arrow columns"):
        card.evaluate(df)


def test_a_column_pandas_cannot_export_does_not_stop_the_call_when_it_is_not_read(card: ragulator.Scorecard) -> None:
    # Other columns are ignored: a free-text column mixing text and numbers
    # (as from Excel), lists, or two unused columns of one name.
    pd = need("pandas")
    need("pyarrow")
    base = {"indicator": ["re_referrals"] * 2, "period": ["2022-05", "2022-06"], "value": [20.0, 21.0]}
    expected = card.evaluate(pd.DataFrame(base)).to_json()
    for extra in ({"notes": ["late return", 3]}, {"notes": [[1, 2], {"a": 1}]}):
        assert card.evaluate(pd.DataFrame({**base, **extra})).to_json() == expected
    twice = pd.DataFrame([["re_referrals", "2022-06", 21.0, "a", 1]], columns=["indicator", "period", "value", "x", "x"])
    assert card.evaluate(twice).rows == ragulator.RowCounts(1, 1, 0)


def test_whole_numbers_read_as_floats_with_a_blank_are_entities_and_periods(
    card: ragulator.Scorecard, tmp_path: Path
) -> None:
    # pandas reads codes (852) or years (2022) with one blank cell as
    # float64 with NaN: read as the CSV is, the blank an empty cell.
    pd = need("pandas")
    need("pyarrow")
    for text in (
        "entity,indicator,period,value\n852,re_referrals,2022-06,21\n,re_referrals,2022-06,19\n",
        "indicator,period,value\nre_referrals,2022,21\nre_referrals,,19\n",
    ):
        csv = tmp_path / "data.csv"
        csv.write_text(text)
        assert card.evaluate(pd.read_csv(csv)).to_json() == card.evaluate(str(csv)).to_json()
    fractions = pd.DataFrame({"entity": [1.5], "indicator": ["re_referrals"], "period": ["2022-06"], "value": [1]})
    with pytest.raises(ragulator.DataError, match="with fractions; it must be text"):
        card.evaluate(fractions)


def test_missing_status_applies_to_missing_values() -> None:
    card = ragulator.Scorecard.from_toml(TARGET_CARD.replace("target = 20\n", "target = 20\nmissing = \"red\"\n", 1))
    ev = card.evaluate(rows(None, math.nan))
    assert [r.status for r in ev.results] == ["red", "red"]
    assert [r.value for r in ev.results] == [None, None]


@pytest.mark.parametrize("source", ["rows", "pyarrow", "pandas", "polars"])
def test_infinities_are_rejected_rows(card: ragulator.Scorecard, source: str) -> None:
    data = rows(math.inf, -math.inf, 21.0)
    if source == "rows":
        value: Any = data
    elif source == "pyarrow":
        pa = need("pyarrow")
        value = pa.table({k: [r[k] for r in data] for k in data[0]})
    elif source == "pandas":
        pd = need("pandas")
        need("pyarrow")
        value = pd.DataFrame(data)
    else:
        pl = need("polars")
        value = pl.DataFrame(data)
    ev = card.evaluate(value)
    assert [r.row for r in ev.rejected] == [1, 2]
    assert all("infinities are not allowed" in r.reason for r in ev.rejected)
    assert [r.period for r in ev.results] == ["2022-03"]
    assert ev.rows == ragulator.RowCounts(3, 1, 2)


def test_decimal_infinity_is_rejected(card: ragulator.Scorecard) -> None:
    ev = card.evaluate(rows(Decimal("Infinity"), Decimal("-Infinity")))
    assert [r.row for r in ev.rejected] == [1, 2]


def test_bad_rows_are_rejected_with_reasons_and_nothing_is_lost(card: ragulator.Scorecard) -> None:
    data = rows("21", "abc", True) + [{"indicator": "nope", "period": "2022-01", "value": 1}]
    ev = card.evaluate(data)
    reasons = {r.row: r.reason for r in ev.rejected}
    assert set(reasons) == {2, 3, 4}
    assert "'abc' is not a number" in reasons[2]
    assert reasons[3] == "not a number in column value: true"
    assert reasons[4] == "unknown indicator 'nope'"
    assert ev.rows.input == ev.rows.used + ev.rows.rejected == 4


def test_numpy_scalars_in_rows(card: ragulator.Scorecard) -> None:
    np = need("numpy")
    ev = card.evaluate(rows(np.float32(84.95), np.int64(21), np.float64(math.nan)))
    assert [r.value for r in ev.results] == [Decimal("85.0"), Decimal("21"), None]


def test_integer_and_categorical_text_columns(card: ragulator.Scorecard) -> None:
    pl = need("polars")
    df = pl.DataFrame(
        {"indicator": ["re_referrals", "re_referrals"], "period": ["2022-01", "2022-02"], "value": [21, 19]}
    ).with_columns(pl.col("indicator").cast(pl.Categorical))
    ev = card.evaluate(df)
    assert [r.status for r in ev.results] == ["amber", "green"]
    yearly = ragulator.Scorecard.from_toml(TARGET_CARD)
    by_year = pl.DataFrame({"indicator": ["visits"], "period": [2022], "value": [90]})
    assert yearly.evaluate(by_year).results[0].period == "2022"


def test_numeric_categorical_and_decimal_columns_read_as_their_values() -> None:
    pd = need("pandas")
    count = ragulator.Scorecard.from_toml(
        "ragulator = 1\n[[indicator]]\nid='x'\nname='X'\nunit='count'\npolarity='higher_is_better'\n"
    )
    periods = ["2022-01", "2022-02", "2022-03"]
    # A categorical of numbers is its numbers (an empty category cell is missing).
    cats = pd.DataFrame({"indicator": "x", "period": periods, "value": pd.Categorical([1.5, 2.25, None])})
    assert [r.value for r in count.evaluate(cats).results] == [Decimal("1.5"), Decimal("2.25"), None]
    # A Decimal column has one scale (pyarrow gives 84.5 the 2 places of 3.25):
    # the padding is the column's, so each value reads as written, as in a list of dicts.
    decimals = [Decimal("84.5"), Decimal("3.25"), Decimal("100")]
    frame = pd.DataFrame({"indicator": "x", "period": periods, "value": decimals})
    listed = [{"indicator": "x", "period": p, "value": v} for p, v in zip(periods, decimals)]
    assert [str(r.value) for r in count.evaluate(frame).results] == ["84.5", "3.25", "100"]
    assert count.evaluate(frame).to_json() == count.evaluate(listed).to_json()


@pytest.mark.parametrize(
    ("freq", "given", "period"),
    [
        ("M", "2022-06", "2022-06"),
        ("Q", "2022Q2", "2022-Q2"),
        # Quarters of a year ending in March are still calendar quarters.
        ("Q-MAR", "2022Q1", "2021-Q2"),
        ("Y", "2022", "2022"),
        # A year ending in March is the scorecard's financial year (April).
        ("Y-MAR", "2023", "2022/23"),
        ("D", "2022-06-30", "2022-06-30"),
        # Weeks ending on Sunday are ISO weeks.
        ("W", "2021-01-03", "2020-W53"),
    ],
)
def test_pandas_period_columns_are_read_as_periods(card: ragulator.Scorecard, freq: str, given: str, period: str) -> None:
    pd = need("pandas")
    pa = need("pyarrow")
    periods = pd.Series([pd.Period(given, freq=freq), pd.NaT], dtype=f"period[{freq}]")
    df = pd.DataFrame({"indicator": "re_referrals", "period": periods, "value": [21, 22]})
    for data in (df, pa.table(df)):
        ev = card.evaluate(data)
        assert [r.period for r in ev.results] == [period]
        assert [(r.row, r.reason) for r in ev.rejected] == [(2, "no period given")]


@pytest.mark.parametrize(
    ("freq", "why"),
    [
        ("Q-NOV", "which does not line up with ragulator's calendar quarters"),
        ("Y-JUN", "years starting in month 7, but this scorecard's financial year starts in month 4"),
        ("h", "which ragulator does not take"),
    ],
)
def test_pandas_periods_ragulator_has_no_kind_for_are_a_data_error(
    card: ragulator.Scorecard, freq: str, why: str
) -> None:
    pd = need("pandas")
    df = pd.DataFrame({"indicator": ["re_referrals"], "period": pd.period_range("2022-01", periods=1, freq=freq), "value": [21]})
    with pytest.raises(ragulator.DataError, match=f"frequency '{freq}', {why}; convert it to text") as e:
        card.evaluate(df)
    assert e.value.column == "period"


def test_a_polars_column_of_only_none_is_missing_values(card: ragulator.Scorecard) -> None:
    pl = need("polars")
    missing = pl.DataFrame({"indicator": ["re_referrals"], "period": ["2022-01"], "value": [None]})
    assert missing.schema["value"] == pl.Null
    r = card.evaluate(missing).results[0]
    assert (r.value, r.status) == (None, "no_data")
    # An extra column of only None is ignored, as any extra column is.
    extra = pl.DataFrame({"indicator": ["re_referrals"], "period": ["2022-01"], "value": [21], "note": [None]})
    assert card.evaluate(extra).results[0].status == "amber"


def test_pandas_object_columns_mixing_input_types_read_as_a_list_of_dicts_does(card: ragulator.Scorecard) -> None:
    pd = need("pandas")
    values = [84.95, "21", Decimal("19.25"), 2**64, Decimal("Infinity"), None, Decimal("NaN")]
    listed = [{"indicator": "re_referrals", "period": f"2022-{m:02d}", "value": v} for m, v in enumerate(values, 1)]
    frame = pd.DataFrame(listed)
    assert frame["value"].dtype == object
    ev, expected = card.evaluate(frame), card.evaluate(listed)
    assert [(r.period, r.value, r.status) for r in ev.results] == [
        (r.period, r.value, r.status) for r in expected.results
    ]
    assert [r.value for r in ev.results] == [
        Decimal("85.0"), Decimal("21.0"), Decimal("19.3"), Decimal("18446744073709551616.0"), None, None
    ]
    infinity = "not a number in column value: 'Infinity' is not a number: NaN and infinities are not allowed"
    assert [(r.row, r.reason) for r in ev.rejected] == [(5, infinity)]
    # Periods mixing text and integers, in either order.
    mixed = pd.DataFrame(
        {"indicator": ["re_referrals"] * 2, "period": pd.Series(["2022", 2021], dtype=object), "value": [21, 22]}
    )
    assert sorted(r.period for r in card.evaluate(mixed).results) == ["2021", "2022"]


def test_a_decimal_column_with_more_places_than_a_decimal_holds(card: ragulator.Scorecard) -> None:
    pa = need("pyarrow")
    wide = pa.decimal128(38, 30)
    values = [Decimal("84.95"), Decimal("21.123456789012345678901234567891")]
    table = pa.table(
        {"indicator": ["re_referrals"] * 2, "period": ["2022-01", "2022-02"], "value": pa.array(values, type=wide)}
    )
    ev = card.evaluate(table)
    # 84.95 with 30 places is 84.95: its zeros are dropped. A value with
    # more digits than a decimal holds is a rejected row, not rounded twice.
    assert [(r.period, r.value) for r in ev.results] == [("2022-01", Decimal("85.0"))]
    assert [r.row for r in ev.rejected] == [2]
    assert "28 decimal places" in ev.rejected[0].reason


def test_columns_match_case_insensitively_and_extra_columns_are_ignored(card: ragulator.Scorecard) -> None:
    pa = need("pyarrow")
    table = pa.table({" Indicator ": ["re_referrals"], "PERIOD": ["2022-01"], "Value": ["24.08"], "note": ["x"]})
    assert card.evaluate(table).results[0].status == "red"


def test_path_inputs_csv_and_json(card: ragulator.Scorecard, tmp_path: Path) -> None:
    csv_path = tmp_path / "data.csv"
    csv_path.write_text("indicator,period,value\nre_referrals,2022-01,24.08\n", encoding="utf-8")
    json_path = tmp_path / "data.json"
    json_path.write_text(json.dumps(rows(24.08)), encoding="utf-8")
    a = card.evaluate(csv_path)
    b = card.evaluate(str(json_path))
    assert a.to_json() == b.to_json()
    assert a.results[0].status == "red"


def test_numerator_and_denominator(card: ragulator.Scorecard) -> None:
    ev = card.evaluate([{"indicator": "visits", "period": "2022-01", "numerator": 45, "denominator": 50}])
    r = ev.results[0]
    assert (r.value, r.numerator, r.denominator, r.status) == (Decimal("90.0"), Decimal(45), Decimal(50), "green")


# ------------------------------------------------------------ the evaluation


def test_records_are_typed(example: ragulator.Scorecard) -> None:
    ev = example.evaluate(
        EXAMPLE / "data.csv", overrides=EXAMPLE / "overrides.csv", period="2022-06", entity="southampton"
    )
    results = ev.results
    assert len(results) == 18 and len(ev) == 18
    assert list(ev) == results
    rr = next(r for r in results if r.indicator == "re_referrals")
    assert isinstance(rr, ragulator.IndicatorResult)
    assert isinstance(rr.value, Decimal) and isinstance(rr.target, Decimal) and isinstance(rr.gap, Decimal)
    assert rr.label is not None and rr.explanation.startswith("Re-referrals within 12 months was")
    assert set(rr.comparators) == {"sn", "england"}
    assert isinstance(rr.trace, ragulator.Trace)
    overridden = next(r for r in results if r.override is not None)
    assert overridden.override == ragulator.OverrideNote("amber", overridden.override.reason)
    assert overridden.computed_status != overridden.status
    themes = ev.themes
    assert all(isinstance(t, ragulator.ThemeResult) for t in themes)
    assert {t.theme for t in themes} == {t.id for t in example.themes}
    theme_override = next(t for t in themes if t.override is not None)
    assert theme_override.status == "red"
    assert sum(theme_override.counts.values()) > 0


def test_to_json_is_the_cli_json(example: ragulator.Scorecard) -> None:
    cli = Path(os.environ.get("RAGULATOR_CLI", REPO / "target" / "release" / "ragulator"))
    ev = example.evaluate(EXAMPLE / "data.csv", overrides=EXAMPLE / "overrides.csv", period="2022-06")
    doc = ev.to_dict()
    assert set(doc) == {"results", "themes", "rejected", "rows"}
    assert json.loads(ev.to_json(pretty=False)) == doc
    assert "\n" not in ev.to_json(pretty=False)
    if not cli.exists():
        message = f"the ragulator CLI is not built at {cli} (cargo build --release -p ragulator-cli)"
        if CI:
            pytest.fail(message)
        pytest.skip(message)
    out = subprocess.run(
        [
            str(cli),
            "evaluate",
            "--scorecard",
            str(EXAMPLE / "scorecard.toml"),
            "--data",
            str(EXAMPLE / "data.csv"),
            "--overrides",
            str(EXAMPLE / "overrides.csv"),
            "--period",
            "2022-06",
            "--format",
            "json",
        ],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    assert ev.to_json() + "\n" == out


def test_to_csv(card: ragulator.Scorecard) -> None:
    csv_text = card.evaluate(rows("24.08")).to_csv()
    header, first = csv_text.splitlines()[:2]
    assert header.startswith("entity,indicator,period,value,target,gap,status")
    assert ",re_referrals,2022-01,24.1,20,-4.1,red," in first


def test_observations_are_reusable(card: ragulator.Scorecard) -> None:
    obs = card.observations(rows("21", "abc"))
    assert (len(obs), obs.input_rows) == (1, 2)
    assert obs.rejected[0].row == 2
    assert card.evaluate(obs).to_json() == card.evaluate(obs).to_json()


def test_observations_of_another_scorecard_are_refused(card: ragulator.Scorecard, example: ragulator.Scorecard) -> None:
    obs = example.observations(EXAMPLE / "data.csv")
    with pytest.raises(ragulator.DataError, match="another scorecard"):
        card.evaluate(obs)
    with pytest.raises(ragulator.DataError, match="another scorecard"):
        card.evaluate_statuses(obs)
    with pytest.raises(ragulator.DataError, match="another scorecard"):
        card.spc(obs, "re_referrals", entity="southampton")
    with pytest.raises(ragulator.DataError, match="another scorecard"):
        card.html_report(obs, entity="southampton")
    # The same scorecard loaded again (or unpickled) reads them the same way.
    import pickle

    for same in (pickle.loads(pickle.dumps(example)), ragulator.Scorecard.from_file(EXAMPLE / "scorecard.toml")):
        assert same.evaluate(obs).to_json() == example.evaluate(obs).to_json()


def test_period_and_entity_options(example: ragulator.Scorecard) -> None:
    ev = example.evaluate(EXAMPLE / "data.csv", period="2022-06", entity="southampton")
    assert {(r.entity, r.period) for r in ev.results} == {("southampton", "2022-06")}


def test_overrides_from_every_input_kind(example: ragulator.Scorecard) -> None:
    pd = need("pandas")
    pl = need("polars")
    pa = need("pyarrow")
    path = EXAMPLE / "overrides.csv"
    expected = example.evaluate(EXAMPLE / "data.csv", overrides=path, period="2022-06").to_json()
    frame = pd.read_csv(path, dtype=str)  # empty cells are NaN: must read as absent
    for overrides in (
        frame,
        pl.from_pandas(frame),
        pa.Table.from_pandas(frame),
        frame.to_dict("records"),
    ):
        got = example.evaluate(EXAMPLE / "data.csv", overrides=overrides, period="2022-06").to_json()
        assert got == expected


def test_override_frames_of_a_csv_with_a_trailing_comma_read_as_the_file(
    example: ragulator.Scorecard, tmp_path: Path
) -> None:
    # A spreadsheet export's trailing comma is an empty column without a
    # name: pandas calls it "Unnamed: 4", polars and pyarrow "". Empty, it
    # is allowed, as in the file; holding a value, it is refused.
    pd = need("pandas")
    pl = need("polars")
    pa_csv = need("pyarrow.csv")
    path = tmp_path / "overrides.csv"
    path.write_text(
        "entity,indicator,period,status,reason,\n"
        "southampton,assessments_in_timescale,2022-06,green,Agreed at panel,\n"
    )
    data = EXAMPLE / "data.csv"
    expected = example.evaluate(data, overrides=path, period="2022-06").to_json()
    assert "Agreed at panel" in expected
    for frame in (pd.read_csv(path, dtype=str), pl.read_csv(path), pa_csv.read_csv(path)):
        assert example.evaluate(data, overrides=frame, period="2022-06").to_json() == expected
    path.write_text(
        "entity,indicator,period,status,reason,\n"
        "southampton,assessments_in_timescale,2022-06,green,Agreed at panel,HoS\n"
    )
    with pytest.raises(ragulator.DataError, match="Unnamed: 5"):
        example.evaluate(data, overrides=pd.read_csv(path, dtype=str), period="2022-06")
    with pytest.raises(ragulator.DataError, match="a value under a key without a name"):
        example.evaluate(data, overrides=pl.read_csv(path), period="2022-06")


# ------------------------------------------------------------- data frames


def test_to_pandas_column_types(example: ragulator.Scorecard) -> None:
    pd = need("pandas")
    ev = example.evaluate(EXAMPLE / "data.csv", overrides=EXAMPLE / "overrides.csv", period="2022-06")
    df = ev.to_pandas()
    assert len(df) == len(ev)
    for col in ("entity", "indicator", "period", "status", "label", "direction", "explanation"):
        assert isinstance(df[col].dtype, pd.StringDtype), col
    for col in ("value", "target", "gap", "gap_pct", "previous", "last_year", "sn", "england"):
        assert df[col].dtype == object, col
        assert all(v is None or isinstance(v, Decimal) for v in df[col]), col
    assert {"override_status", "override_reason", "spc_variation", "theme"} <= set(df.columns)
    red = df[df.status == "red"]
    assert set(red.indicator) == {r.indicator for r in ev.results if r.status == "red"}
    themes = ev.to_pandas("themes")
    assert themes["count_red"].dtype == "int64"
    assert {"theme", "theme_name", "status", "count_green", "count_no_data"} <= set(themes.columns)
    rejected = ev.to_pandas("rejected")
    assert list(rejected.columns) == ["row", "reason"] and rejected["row"].dtype == "int64"
    with pytest.raises(ValueError, match="unknown table"):
        ev.to_pandas("nope")  # type: ignore[arg-type]


def test_to_polars_column_types(example: ragulator.Scorecard) -> None:
    pl = need("polars")
    ev = example.evaluate(EXAMPLE / "data.csv", period="2022-06")
    df = ev.to_polars()
    assert df.schema["indicator"] == pl.String
    assert isinstance(df.schema["value"], pl.Decimal)
    assert df.schema["value"].scale == max(
        -r.value.as_tuple().exponent for r in ev.results if r.value is not None  # type: ignore[operator]
    )
    assert df["value"].to_list() == [r.value for r in ev.results]
    assert ev.to_polars("themes").schema["count_amber"] == pl.Int64


def test_to_polars_keeps_a_decimal_column_wider_than_38_digits_exact() -> None:
    pl = need("polars")
    card = ragulator.Scorecard.from_toml(
        'ragulator = 1\n[[indicator]]\nid = "x"\nname = "X"\nunit = "count"\n'
        'polarity = "higher_is_better"\ntarget = 3\nrag = { rule = "target", amber = 1 }\n'
    )
    # gap_pct: 33.33... (26 places) beside 10^15 (16 digits): 42 digits.
    ev = card.evaluate(
        [{"indicator": "x", "period": "2022-01", "value": 4}, {"indicator": "x", "period": "2022-02", "value": "3e13"}]
    )
    df = ev.to_polars()
    assert df["gap_pct"].to_list() == [r.gap_pct for r in ev.results]
    assert isinstance(df.schema["value"], pl.Decimal)
    pa = need("pyarrow")
    t = ev.to_arrow()
    assert t.schema.field("gap_pct").type == pa.decimal256(76, 26)
    assert t.column("gap_pct").to_pylist() == [r.gap_pct for r in ev.results]
    assert t.schema.field("value").type == pa.decimal128(38, 0)


def test_an_spc_chart_goes_straight_into_polars_and_pyarrow(example: ragulator.Scorecard) -> None:
    pl = need("polars")
    pa = need("pyarrow")
    chart = example.spc(EXAMPLE / "data.csv", "re_referrals", entity="southampton")
    assert pa.table(chart).equals(chart.to_arrow())
    frame = pl.DataFrame(chart)
    assert frame["period"].to_list() == [p.period for p in chart.points]
    assert frame["value"].to_list() == [p.value for p in chart.points]


def test_to_arrow_column_types(example: ragulator.Scorecard) -> None:
    pa = need("pyarrow")
    ev = example.evaluate(EXAMPLE / "data.csv", period="2022-06")
    t = ev.to_arrow()
    assert t.schema.field("status").type == pa.string()
    assert pa.types.is_decimal(t.schema.field("value").type)
    assert t.column("value").to_pylist() == [r.value for r in ev.results]
    assert t.num_rows == len(ev)
    assert ev.to_arrow("rejected").schema.field("row").type == pa.int64()


def test_range_targets_in_frames() -> None:
    card = ragulator.Scorecard.from_toml(
        "ragulator = 1\n[[indicator]]\nid='r'\nname='R'\nunit='count'\npolarity='range'\n"
        "target={low=60, high=80}\nrag={rule='target', amber=5}\n"
    )
    ev = card.evaluate(rows("85", indicator="r"))
    assert ev.results[0].target == ragulator.TargetRange(Decimal(60), Decimal(80))
    df = ev.to_pandas()
    assert df.loc[0, "target"] is None
    assert (df.loc[0, "target_low"], df.loc[0, "target_high"]) == (Decimal(60), Decimal(80))


# -------------------------------------------------------------------- HTML


class _Chips(html.parser.HTMLParser):
    """Collects status chips (data-status, style, text) and checks nesting."""

    def __init__(self) -> None:
        super().__init__()
        self.chips: list[tuple[str, str, str]] = []
        self.stack: list[str] = []
        self._chip: tuple[str, str] | None = None
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "span" and a.get("data-status"):
            self._chip = (a["data-status"] or "", a.get("style") or "")
        self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        assert self.stack and self.stack[-1] == tag, f"</{tag}> closes <{self.stack[-1:]}>"
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        if self._chip is not None:
            self.chips.append((*self._chip, data))
            self._chip = None


def test_repr_html_groups_by_theme_with_chips_and_labels(example: ragulator.Scorecard) -> None:
    ev = example.evaluate(EXAMPLE / "data.csv", overrides=EXAMPLE / "overrides.csv", period="2022-06")
    page = ev._repr_html_()
    assert page == ev.to_html()
    parser = _Chips()
    parser.feed(page)
    parser.close()
    assert parser.stack == []
    labels = {s.id: s.label for s in (*example.statuses, example.no_data_status)}
    colours = {s.id: s.colour for s in example.statuses}
    assert parser.chips
    for status, style, text in parser.chips:
        # The label text is always there: colour is never the only signal.
        assert text == labels[status]
        if status in colours:
            assert f"background:{colours[status]}" in style
    text = "".join(parser.text)
    for theme in example.themes:
        assert theme.name in text
    # One table per entity, each theme a row group, every indicator a row.
    assert page.count("<table>") == 4
    assert page.count('scope="rowgroup"') == 4 * len(example.themes)
    assert page.count('scope="row"') == len(ev)
    assert "Overridden; the rules said" in page


def test_repr_html_escapes_scorecard_and_data_text() -> None:
    card = ragulator.Scorecard.from_toml(
        TARGET_CARD.replace('name = "Re-referrals within 12 months"', 'name = "<script>alert(1)</script>"')
    )
    ev = card.evaluate([{"entity": "<b>x</b>", "indicator": "re_referrals", "period": "2022-01", "value": 1}])
    page = ev._repr_html_()
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert "<b>x</b>" not in page and "&lt;b&gt;x&lt;/b&gt;" in page
    assert "Theme &lt;T&gt; &amp; co" in page


def test_repr_html_of_several_periods_says_which_is_shown(card: ragulator.Scorecard) -> None:
    page = card.evaluate(rows("21", "19")).to_html()
    assert "latest period is shown" in page
    assert "2022-02" in page


# --------------------------------------------------------------------- SPC


def test_spc_chart(example: ragulator.Scorecard) -> None:
    pd = need("pandas")
    chart = example.spc(EXAMPLE / "data.csv", "re_referrals", entity="southampton")
    assert chart.indicator == "re_referrals" and chart.entity == "southampton"
    assert len(chart.points) == 15
    assert all(isinstance(p.value, Decimal) for p in chart.points)
    assert chart.groups and isinstance(chart.groups[0].mean, Decimal)
    assert chart.variation is not None
    df = chart.to_pandas()
    assert list(df.columns)[:4] == ["period", "value", "rule", "point_type"]
    assert len(df) == len(chart.points)
    assert df.loc[0, "mean"] == chart.groups[0].mean
    assert isinstance(df["period"].dtype, pd.StringDtype)
    assert json.loads(chart.to_json())["points"][0]["value"] == str(chart.points[0].value)


def test_spc_chart_frame_carries_each_periods_target() -> None:
    # The target line changes: a scorecard step in 2022-03, and a data row
    # that sets 2022-05's target. The chart's own target is the last point's.
    card = ragulator.Scorecard.from_toml(
        "ragulator = 1\n[[indicator]]\nid='x'\nname='X'\nunit='count'\npolarity='higher_is_better'\n"
        "target=[{from='2022-01', value=10}, {from='2022-03', value=12}]\nspc={}\n"
    )
    data = [{"indicator": "x", "period": f"2022-0{m}", "value": m} for m in range(1, 7)]
    data.append({"indicator": "x", "period": "2022-05", "series": "target", "value": "15.5"})
    chart = card.spc(data, "x")
    expected = [Decimal(t) for t in ("10", "10", "12", "12", "15.5", "12")]
    assert [p.target for p in chart.points] == expected
    assert chart.target == Decimal("12")
    assert chart.to_pandas()["target"].tolist() == expected
    assert chart.to_arrow().column("target").to_pylist() == expected
    # Without any target the column is all missing.
    plain = ragulator.Scorecard.from_toml(
        "ragulator = 1\n[[indicator]]\nid='x'\nname='X'\nunit='count'\npolarity='higher_is_better'\nspc={}\n"
    ).spc(data[:3], "x")
    assert [p.target for p in plain.points] == [None] * 3 and plain.target is None


def test_spc_chart_to_json_is_the_clis_text(example: ragulator.Scorecard) -> None:
    from cli import cli

    chart = example.spc(EXAMPLE / "data.csv", "re_referrals", entity="southampton")
    printed = cli(
        "spc", "--scorecard", EXAMPLE / "scorecard.toml", "--data", EXAMPLE / "data.csv",
        "--indicator", "re_referrals", "--entity", "southampton", "--format", "json",
    )
    assert chart.to_json() + "\n" == printed
    assert json.loads(chart.to_json(pretty=False)) == json.loads(printed)
    assert "\n" not in chart.to_json(pretty=False)


def test_spc_segments_follow_rebase() -> None:
    card = ragulator.Scorecard.from_toml(
        "ragulator = 1\n[[indicator]]\nid='x'\nname='X'\nunit='count'\npolarity='higher_is_better'\n"
        "spc={rebase=['2022-07']}\n"
    )
    data = rows(*([10, 11, 10, 12, 11, 10] + [30, 31, 30, 32, 31, 30]), indicator="x")
    chart = card.spc(data, "x")
    assert [g.start for g in chart.groups] == ["2022-01", "2022-07"]
    df = chart.to_pandas()
    assert df.loc[0, "mean"] == chart.groups[0].mean
    assert df.loc[11, "mean"] == chart.groups[1].mean
    assert chart.groups[0].mean != chart.groups[1].mean


# ---------------------------------------------------------- status table


def test_evaluate_statuses_agrees_with_evaluate(example: ragulator.Scorecard) -> None:
    pa = need("pyarrow")
    pd = need("pandas")
    pl = need("polars")
    data = EXAMPLE / "data.csv"
    ev = example.evaluate(data, overrides=EXAMPLE / "overrides.csv")
    table = example.evaluate_statuses(data, overrides=EXAMPLE / "overrides.csv")
    assert len(table) == len(ev)
    t = table.to_arrow()
    assert t.schema.field("status").type == pa.dictionary(pa.int32(), pa.string())
    assert pa.types.is_decimal(t.schema.field("value").type)
    got = list(
        zip(
            t.column("entity").to_pylist(),
            t.column("indicator").to_pylist(),
            t.column("period").to_pylist(),
            t.column("value").to_pylist(),
            t.column("gap").to_pylist(),
            t.column("status").to_pylist(),
            t.column("computed_status").to_pylist(),
            t.column("direction").to_pylist(),
        )
    )
    want = [
        (r.entity, r.indicator, r.period, r.value, r.gap, r.status, r.computed_status, r.direction)
        for r in ev.results
    ]
    assert got == want
    df = table.to_pandas()
    assert isinstance(df["status"].dtype, pd.CategoricalDtype)
    assert all(v is None or isinstance(v, Decimal) for v in df["value"])
    polars_frame = table.to_polars()
    assert isinstance(polars_frame.schema["value"], pl.Decimal)
    assert pl.DataFrame(table).height == len(ev)  # any Arrow consumer, via __arrow_c_stream__


def test_evaluate_statuses_context_indicator_has_null_status(example: ragulator.Scorecard) -> None:
    need("pyarrow")
    t = example.evaluate_statuses(EXAMPLE / "data.csv", period="2022-06").to_arrow()
    context = [i.id for i in example.indicators if not i.has_rag]
    assert context
    rows_ = [s for i, s in zip(t.column("indicator").to_pylist(), t.column("status").to_pylist()) if i in context]
    assert rows_ and all(s is None for s in rows_)


def test_pandas_decimal_and_string_value_columns(card: ragulator.Scorecard) -> None:
    pd = need("pandas")
    need("pyarrow")
    periods = ["2022-01", "2022-02", "2022-03"]
    as_decimals = pd.DataFrame(
        {"indicator": ["re_referrals"] * 3, "period": periods, "value": [Decimal("84.95"), None, Decimal("21")]}
    )
    as_text = pd.DataFrame({"indicator": ["re_referrals"] * 3, "period": periods, "value": ["84.95", "", "21"]})
    a, b = card.evaluate(as_decimals), card.evaluate(as_text)
    assert a.to_json() == b.to_json()
    assert [r.value for r in a.results] == [Decimal("85.0"), None, Decimal("21.0")]


def test_a_large_table_read_in_chunks_is_the_csv_read_in_one(tmp_path: Path) -> None:
    """Past 65,536 rows a table is read on several threads, in chunks; the
    result is exactly the core's one-thread CSV reading: row numbers,
    rejected rows, and duplicates and conflicts between rows far apart."""
    pa = need("pyarrow")
    card = ragulator.Scorecard.from_toml(
        'ragulator = 1\n[[indicator]]\nid = "x"\nname = "X"\nunit = "percent"\n'
        'polarity = "higher_is_better"\ndecimals = 1\ntarget = 75\nrag = { rule = "target", amber = 5 }\n'
    )
    n = 140_000  # three chunks, on two cores or more
    months = [f"{2000 + m // 12}-{m % 12 + 1:02d}" for m in range(200)]
    entity = [f"e{k // 200}" for k in range(n)]
    period = [months[k % 200] for k in range(n)]
    value = [f"{60 + (k * 37) % 3000 / 100:.2f}" for k in range(n)]
    indicator = ["x"] * n
    # Rejected rows, and duplicates of rows in other chunks.
    indicator[7] = "unknown"
    period[99_999] = "2022-13"
    value[130_001] = "not a number"
    entity[139_990], period[139_990], value[139_990] = entity[3], period[3], value[3]  # same: kept once
    entity[120_000], period[120_000], value[120_000] = entity[5], period[5], "1"  # conflict: both rejected
    csv_path = tmp_path / "data.csv"
    csv_path.write_text(
        "entity,indicator,period,value\n" + "".join(f"{r}\n" for r in map(",".join, zip(entity, indicator, period, value))),
        "utf-8",
    )
    table = pa.table({"entity": entity, "indicator": indicator, "period": period, "value": value})
    from_table, from_csv = card.evaluate(table, explain=False), card.evaluate(csv_path, explain=False)
    assert [(r.row, r.reason) for r in from_table.rejected] == [(r.row, r.reason) for r in from_csv.rejected]
    assert {r.row for r in from_table.rejected} == {8, 6, 120_001, 100_000, 130_002}
    assert from_table.statuses.to_arrow().equals(from_csv.statuses.to_arrow())
    assert len(from_table) == n - 6


@pytest.mark.parametrize("layout", ["string", "large_string", "string_view"])
def test_float_tables_read_as_rows_in_every_string_layout(example: ragulator.Scorecard, layout: str) -> None:
    """A table of text columns and float values (pandas' and polars' usual
    frame) takes the reader's quickest path; it must read as the same rows
    given as dicts: trimmed texts, NaN and null missing, infinities,
    unknown indicators and bad periods rejected, rows numbered alike."""
    pa = need("pyarrow")
    actual = [r for r in csv.DictReader((EXAMPLE / "data.csv").open(encoding="utf-8")) if r["series"] == "actual"]
    entity = [r["entity"] for r in actual]
    indicator = [r["indicator"] for r in actual]
    period = [r["period"] for r in actual]
    value: list[float | None] = [float(r["value"]) if r["value"] else None for r in actual]
    entity[1] = " southampton "
    indicator[2], period[3] = "no_such_indicator", "2022-13"
    value[4], value[5], value[6], value[7], value[8] = math.nan, math.inf, -math.inf, 84.95, None
    as_rows = [{"entity": e, "indicator": i, "period": p, "value": v} for e, i, p, v in zip(entity, indicator, period, value)]
    kind = getattr(pa, layout)()
    table = pa.table(
        {
            "entity": pa.array(entity, kind),
            "indicator": pa.array(indicator, kind),
            "period": pa.array(period, kind),
            "value": pa.array(value, pa.float64()),
        }
    )
    assert table.column("value").null_count >= 1
    from_table, from_rows = example.evaluate(table), example.evaluate(as_rows)
    assert from_table.to_json() == from_rows.to_json()
    assert {r.row for r in from_table.rejected} == {3, 4, 6, 7}
    # A null text takes the general path, and reads as the dicts' None.
    entity[0] = None  # type: ignore[call-overload]
    as_rows[0]["entity"] = None
    table = table.set_column(0, "entity", pa.array(entity, kind))
    assert example.evaluate(table).to_json() == example.evaluate(as_rows).to_json()


# ------------------------------------------------------- period and entity


def test_period_option_takes_a_pandas_period_or_a_year(example: ragulator.Scorecard) -> None:
    pd = need("pandas")
    data = EXAMPLE / "data.csv"
    by_text = example.evaluate(data, period="2022-06", entity="southampton").to_json()
    # A cell of a `.dt.to_period("M")` column, e.g. `frame["period"].max()`.
    assert example.evaluate(data, period=pd.Period("2022-06", "M"), entity="southampton").to_json() == by_text
    table = example.evaluate_statuses(data, period=pd.Period("2022-06", "M"), entity="southampton")
    assert set(table.to_pandas()["period"]) == {"2022-06"}
    # Each frequency as its column's cells are read; the example's year starts in April.
    option = example._period_option
    assert option(pd.Period("2022Q2", "Q-DEC")) == "2022-Q2"
    assert option(pd.Period("2023", "Y-MAR")) == "2022/23"
    assert option(pd.Period("2022-06-06", "W-SUN")) == "2022-W23"
    assert option(pd.Period("2022-06-30", "D")) == "2022-06-30"
    assert option(2022) == "2022"
    with pytest.raises(ragulator.DataError, match="financial year starts in month 4"):
        example.evaluate(data, period=pd.Period("2022", "Y-JUN"), entity="southampton")
    with pytest.raises(ragulator.DataError, match="frequency 'h', which ragulator does not take"):
        example.evaluate(data, period=pd.Period("2022-06-06 10:00", "h"))
    with pytest.raises(TypeError, match="period must be a str"):
        example.evaluate(data, period=1.5)  # type: ignore[arg-type]


def test_pandas_period_cells_in_row_dicts_and_override_frames_read_as_period_columns(
    example: ragulator.Scorecard,
) -> None:
    pd = need("pandas")
    data = EXAMPLE / "data.csv"
    overrides = pd.read_csv(EXAMPLE / "overrides.csv")
    by_text = example.evaluate(data, overrides=overrides).to_json()
    as_periods = overrides.assign(period=overrides["period"].map(lambda p: pd.Period(p, "M")))
    assert example.evaluate(data, overrides=as_periods).to_json() == by_text
    assert example.evaluate(data, overrides=as_periods.to_dict("records")).to_json() == by_text
    # Data rows as dicts; the example's financial year starts in April.
    row = {"entity": "york", "indicator": "re_referrals", "value": 21}
    got = example.evaluate([dict(row, period=pd.Period("2022-06", "M")), dict(row, period=pd.Period("2023", "Y-MAR"))])
    assert {r.period for r in got.results if r.indicator == "re_referrals"} == {"2022-06", "2022/23"}
    assert got.rejected == []
    with pytest.raises(ragulator.DataError, match=r"row 1, column period: the value is a pandas period of frequency 'Q-NOV'"):
        example.evaluate([dict(row, period=pd.Period("2022Q2", "Q-NOV"))])
    # One row of a frame is a Series: a TypeError that says what to pass.
    with pytest.raises(TypeError, match=r"a Series is one column or one row.*\[series.to_dict\(\)\]"):
        example.evaluate(data, overrides=overrides.iloc[0])


def test_entity_option_takes_an_int_as_integer_entity_cells_read(card: ragulator.Scorecard) -> None:
    data = [dict(r, entity=17) for r in rows("24.08", "19")] + [dict(r, entity=18) for r in rows("30")]
    by_int = card.evaluate(data, entity=17)
    assert {r.entity for r in by_int.results} == {"17"}
    assert by_int.to_json() == card.evaluate(data, entity="17").to_json()
    spc = ragulator.Scorecard.from_toml(
        "ragulator = 1\n[[indicator]]\nid='x'\nname='X'\nunit='count'\npolarity='higher_is_better'\nspc={}\n"
    ).spc([{"entity": 5, "indicator": "x", "period": "2022-01", "value": 1}], "x", entity=5)
    assert spc.entity == "5"
    with pytest.raises(TypeError, match="entity must be a str or an int"):
        card.evaluate(data, entity=17.0)  # type: ignore[arg-type]


def test_an_entity_the_data_lacks_warns_as_the_cli_notes(example: ragulator.Scorecard) -> None:
    data = example.observations(EXAMPLE / "data.csv")
    assert data.entities == ["southampton", "portsmouth", "plymouth", "bristol"]
    with pytest.warns(UserWarning, match=r"no rows for entity 'southampon' \(its entities: bristol, plymouth"):
        assert len(example.evaluate(data, entity="southampon")) == 0
    with pytest.warns(UserWarning, match="no rows for entity 'southampon'"):
        assert len(example.evaluate_statuses(data, entity="southampon")) == 0
    import warnings

    # With a period the entity gets a page of no-data results: a typo that
    # looks real, so warned about too.
    with pytest.warns(UserWarning, match="no rows for entity 'southampon'"):
        assert len(example.evaluate(data, entity="southampon", period="2022-06")) > 0
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert len(example.evaluate(data, entity="southampton")) > 0
        assert len(example.evaluate(data, entity="southampton", period="2022-06")) > 0
