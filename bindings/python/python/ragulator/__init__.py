"""ragulator: scorecards as data.

Load a scorecard (indicators, targets, tolerances, RAG rules, themes) once,
evaluate observations from pandas, polars, pyarrow, a list of dicts or a
CSV/JSON file, and get exact statuses with a reason for every one::

    import ragulator
    card = ragulator.Scorecard.from_file("scorecard.toml")
    ev = card.evaluate(df, period="2022-06")
    ev.to_pandas()          # one row per indicator result
    ev                      # in Jupyter: the scorecard as a table

Everything is computed by the Rust core (the same one behind the CLI and
the WASM package); this module converts types. Values are ``decimal.Decimal``.
"""

from __future__ import annotations

import datetime
import json
import math
import numbers
import os
import re
import warnings
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Literal, Union

from . import _native

if TYPE_CHECKING:  # optional dependencies, imported only when used
    import pandas
    import polars
    import pyarrow

__version__: str = _native.__version__

__all__ = [
    "Comparator",
    "DataError",
    "Diagnostic",
    "Evaluation",
    "FailingRecord",
    "FailingRecords",
    "Indicator",
    "IndicatorResult",
    "Observations",
    "OverrideNote",
    "RagulatorError",
    "RecordSet",
    "Rejected",
    "RejectedRecord",
    "RowCounts",
    "Scorecard",
    "ScorecardError",
    "Source",
    "SpcChart",
    "SpcGroup",
    "SpcPoint",
    "SpcState",
    "Status",
    "StatusTable",
    "TargetRange",
    "Theme",
    "ThemeResult",
    "Trace",
]

# --------------------------------------------------------------------- errors


class RagulatorError(ValueError):
    """Base of every error ragulator raises about its input."""


@dataclass(frozen=True)
class Diagnostic:
    """One problem in a scorecard: where it is and what would be valid.

    ``path`` uses the document's names (``indicator[3].rag``, 0-based);
    ``line`` and ``column`` are 1-based, when the problem can be located.
    """

    path: str
    line: int | None
    column: int | None
    message: str

    def __str__(self) -> str:
        where = f"{self.path}: " if self.path else ""
        if self.line is not None and self.column is not None:
            where += f"line {self.line}, column {self.column}: "
        return where + self.message


class ScorecardError(RagulatorError):
    """The scorecard is invalid; ``diagnostics`` lists every problem found."""

    diagnostics: list[Diagnostic]

    def __init__(self, message: str, diagnostics: Iterable[Any] = ()) -> None:
        super().__init__(message)
        self.diagnostics = [d if isinstance(d, Diagnostic) else Diagnostic(*d) for d in diagnostics]


class DataError(RagulatorError):
    """Data or overrides that fail the whole call (a missing column, a bad
    override, a document that is not CSV or JSON). Bad *rows* are not errors:
    they are returned in ``rejected`` with their row number and reason."""

    row: int | None
    column: str | None

    def __init__(self, message: str, row: int | None = None, column: str | None = None) -> None:
        super().__init__(message)
        self.row = row
        self.column = column


# ------------------------------------------------------------ scorecard parts


@dataclass(frozen=True)
class Indicator:
    """An indicator of the scorecard."""

    id: str
    name: str
    unit: str
    polarity: str
    decimals: int | None
    theme: str | None
    has_rag: bool
    description: str | None


@dataclass(frozen=True)
class Theme:
    """A theme (a group of indicators with its own status)."""

    id: str
    name: str


@dataclass(frozen=True)
class Status:
    """A status of the scale: id, display label and CSS colour."""

    id: str
    label: str
    colour: str


@dataclass(frozen=True)
class Comparator:
    """A comparator (statistical neighbours, England, ...)."""

    name: str
    label: str


# -------------------------------------------------------------------- results


@dataclass(frozen=True)
class TargetRange:
    """A range target (``polarity = "range"``), bounds inclusive."""

    low: Decimal
    high: Decimal


@dataclass(frozen=True)
class OverrideNote:
    """A human judgement applied to a result: the status given and why."""

    status: str
    reason: str


@dataclass(frozen=True)
class Trace:
    """What the rule looked at and decided."""

    rule: str | None
    clause: Any
    condition: str | None
    operands: dict[str, Decimal | None]


@dataclass(frozen=True)
class SpcState:
    """SPC at a result's period (points up to and including it)."""

    variation: str | None
    assurance: str | None
    point_type: str | None
    rule: str | None
    mean: Decimal
    #: None while the chart has a single point.
    lpl: Decimal | None
    upl: Decimal | None
    n: int
    short: bool


@dataclass(frozen=True)
class IndicatorResult:
    """One indicator's result for an entity and period (DESIGN.md section 4)."""

    entity: str | None
    indicator: str
    period: str
    value: Decimal | None
    target: Decimal | TargetRange | None
    gap: Decimal | None
    gap_pct: Decimal | None
    comparators: dict[str, Decimal]
    previous: Decimal | None
    last_year: Decimal | None
    numerator: Decimal | None
    denominator: Decimal | None
    status: str | None
    computed_status: str | None
    override: OverrideNote | None
    label: str | None
    direction: str
    no_data_reason: str | None
    explanation: str
    trace: Trace
    spc: SpcState | None


@dataclass(frozen=True)
class ThemeResult:
    """A theme's roll-up for an entity and period."""

    entity: str | None
    theme: str
    period: str
    status: str
    computed_status: str
    override: OverrideNote | None
    label: str
    counts: dict[str, int]
    explanation: str


@dataclass(frozen=True)
class Rejected:
    """An input row that was not used: its 1-based row number and why."""

    row: int
    reason: str


@dataclass(frozen=True)
class RowCounts:
    """Input rows = used + rejected, always."""

    input: int
    used: int
    rejected: int


def _require(module: str) -> Any:
    """Imports an optional dependency, saying how to get it when it is missing."""
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError as e:
        raise ImportError(f"this needs {module}: pip install {module}") from e


def _dec(v: Any) -> Decimal | None:
    return None if v is None else Decimal(v)


def _override(o: Any) -> OverrideNote | None:
    return None if o is None else OverrideNote(o["status"], o["reason"])


def _target(t: Any) -> Decimal | TargetRange | None:
    if t is None:
        return None
    if isinstance(t, dict):
        return TargetRange(Decimal(t["low"]), Decimal(t["high"]))
    return Decimal(t)


def _result(r: dict[str, Any]) -> IndicatorResult:
    tr = r["trace"]
    spc = r["spc"]
    return IndicatorResult(
        entity=r["entity"],
        indicator=r["indicator"],
        period=r["period"],
        value=_dec(r["value"]),
        target=_target(r["target"]),
        gap=_dec(r["gap"]),
        gap_pct=_dec(r["gap_pct"]),
        comparators={k: Decimal(v) for k, v in r["comparators"].items()},
        previous=_dec(r["previous"]),
        last_year=_dec(r["last_year"]),
        numerator=_dec(r["numerator"]),
        denominator=_dec(r["denominator"]),
        status=r["status"],
        computed_status=r["computed_status"],
        override=_override(r["override"]),
        label=r["label"],
        direction=r["direction"],
        no_data_reason=r["no_data_reason"],
        explanation=r["explanation"],
        trace=Trace(
            rule=tr.get("rule"),
            clause=tr.get("clause"),
            condition=tr.get("condition"),
            operands={k: _dec(v) for k, v in (tr.get("operands") or {}).items()},
        ),
        spc=None
        if spc is None
        else SpcState(
            variation=spc["variation"],
            assurance=spc["assurance"],
            point_type=spc["point_type"],
            rule=spc["rule"],
            mean=Decimal(spc["mean"]),
            lpl=_dec(spc["lpl"]),
            upl=_dec(spc["upl"]),
            n=spc["n"],
            short=spc["short"],
        ),
    )


def _theme(t: dict[str, Any]) -> ThemeResult:
    return ThemeResult(
        entity=t["entity"],
        theme=t["theme"],
        period=t["period"],
        status=t["status"],
        computed_status=t["computed_status"],
        override=_override(t["override"]),
        label=t["label"],
        counts=dict(t["counts"]),
        explanation=t["explanation"],
    )


# ------------------------------------------------------------- data frames

_Table = Literal["results", "themes", "rejected"]
_ColumnKind = Literal["str", "decimal", "int", "bool"]


class _Columns:
    """Columns as Python lists with a declared kind, turned into pandas,
    polars or Arrow with the matching types (decimals stay exact)."""

    def __init__(self) -> None:
        self.data: dict[str, list[Any]] = {}
        self.kinds: dict[str, _ColumnKind] = {}

    def add(self, name: str, kind: _ColumnKind, values: list[Any]) -> None:
        self.data[name] = values
        self.kinds[name] = kind

    def _decimal_shape(self, name: str) -> tuple[int, int]:
        """(precision, scale) that holds every value of a decimal column."""
        scale = 0
        integer_digits = 1
        for v in self.data[name]:
            if v is None:
                continue
            sign, digits, exponent = v.as_tuple()
            assert isinstance(exponent, int)  # finite: the core never gives NaN
            scale = max(scale, -exponent)
            integer_digits = max(integer_digits, len(digits) + exponent)
        return integer_digits + scale, scale

    def to_arrow(self) -> pyarrow.Table:
        pa = _require("pyarrow")

        arrays = {}
        for name, values in self.data.items():
            kind = self.kinds[name]
            if kind == "decimal":
                precision, scale = self._decimal_shape(name)
                t = pa.decimal128(38, scale) if precision <= 38 else pa.decimal256(76, scale)
            else:
                t = {"str": pa.string(), "int": pa.int64(), "bool": pa.bool_()}[kind]
            arrays[name] = pa.array(values, type=t)
        return pa.table(arrays)

    def to_pandas(self) -> pandas.DataFrame:
        pd = _require("pandas")

        frame = {}
        for name, values in self.data.items():
            kind = self.kinds[name]
            if kind == "decimal":
                frame[name] = pd.Series(values, dtype=object)
            elif kind == "str":
                frame[name] = pd.Series(values, dtype="string")
            elif kind == "int":
                frame[name] = pd.Series(values, dtype="int64")
            else:
                frame[name] = pd.Series(values, dtype="bool")
        return pd.DataFrame(frame)

    def to_polars(self) -> polars.DataFrame:
        pl = _require("polars")

        schema: dict[str, Any] = {}
        for name in self.data:
            kind = self.kinds[name]
            if kind == "decimal":
                precision, scale = self._decimal_shape(name)
                # polars decimals hold 38 digits; a column needing more (a
                # huge value beside a 26-place gap_pct) keeps its exact
                # Decimals as objects rather than losing digits.
                schema[name] = pl.Decimal(38, scale) if precision <= 38 else pl.Object
            else:
                schema[name] = {"str": pl.String, "int": pl.Int64, "bool": pl.Boolean}[kind]
        frame: polars.DataFrame = pl.DataFrame(self.data, schema=schema)
        return frame


# --------------------------------------------------------------- observations


class Observations:
    """Checked observations: read once, evaluate (or chart) many times.

    Made by :meth:`Scorecard.observations`; every input row is either used
    or in :attr:`rejected` with its row number and reason.
    """

    __slots__ = ("_native",)

    def __init__(self, native: _native.Observations) -> None:
        # Read with one scorecard: the core refuses them for a scorecard
        # whose indicators differ.
        self._native = native

    @property
    def input_rows(self) -> int:
        """Rows read (used + rejected)."""
        return self._native.input_rows

    @property
    def rejected(self) -> list[Rejected]:
        """Rows not used, with their 1-based row numbers and reasons."""
        return [Rejected(row, reason) for row, reason in self._native.rejected]

    @property
    def entities(self) -> list[str]:
        """The entities the data has rows for, in first-seen order (rows
        without an entity are the default entity, not listed)."""
        return self._native.entities

    def __len__(self) -> int:
        """Rows used."""
        return len(self._native)

    def __repr__(self) -> str:
        return f"<ragulator.Observations: {len(self)} rows used, {len(self._native.rejected)} rejected>"


Data = Union[
    "pandas.DataFrame",
    "polars.DataFrame",
    "pyarrow.Table",
    Sequence[Mapping[str, Any]],
    str,
    "os.PathLike[str]",
    Observations,
]


def _json_name(v: float) -> str:
    """A non-finite float as JavaScript and Python's json module write it."""
    return "NaN" if math.isnan(v) else ("Infinity" if v > 0 else "-Infinity")


def _non_finite_floats(value: Any, path: str) -> Iterator[tuple[str, float]]:
    """Paths (as diagnostics write them) of the NaN and infinite floats in a
    parsed JSON document."""
    if isinstance(value, float) and not math.isfinite(value):
        yield path, value
    elif isinstance(value, Mapping):
        for k, v in value.items():
            yield from _non_finite_floats(v, f"{path}.{k}" if path else str(k))
    elif isinstance(value, (list, tuple)):
        for i, v in enumerate(value):
            yield from _non_finite_floats(v, f"{path}[{i}]")


_DATA_COLUMNS = frozenset({"entity", "indicator", "period", "series", "value", "numerator", "denominator"})


def _polars_null_columns_as_text(data: Any) -> Any:
    """polars gives a column of only ``None`` the type ``Null``, and a column
    of integers beyond 64 bits the type ``Int128``, whose Arrow exports the
    reader cannot import: such columns are passed as text (all missing, as
    an empty CSV column is; the integers' exact digits, as a CSV cell)."""
    if not type(data).__module__.startswith("polars") or not hasattr(data, "with_columns"):
        return data
    import polars as pl

    as_text = [pl.Null, getattr(pl, "Int128", pl.Null), getattr(pl, "UInt128", pl.Null)]
    columns = [name for name, dtype in data.schema.items() if any(dtype == t for t in as_text)]
    return data.with_columns([pl.col(n).cast(pl.String) for n in columns]) if columns else data


def _cell_text(v: Any) -> str | None:
    """A pandas object cell as text, or None when it is missing."""
    if v is None:
        return None
    try:
        if v != v:  # NaN, Decimal("NaN")
            return None
    except TypeError:  # pd.NA, whose comparisons are NA
        return None
    return str(v)


def _pandas_object_columns_as_text(data: Any) -> Any:
    """A pandas DataFrame with its object columns of observations as text,
    or None when there is nothing to convert."""
    if not type(data).__module__.startswith("pandas") or not hasattr(data, "dtypes"):
        return None
    if not data.columns.is_unique:
        return None
    columns = [
        c for c, dtype in data.dtypes.items() if dtype == object and str(c).strip().lower() in _DATA_COLUMNS
    ]
    if not columns:
        return None
    out = data.copy(deep=False)
    for c in columns:
        out[c] = [_cell_text(v) for v in data[c]]
    return out


def _pandas_data_columns_only(data: Any) -> Any:
    """A pandas DataFrame without the columns ragulator ignores (matched as
    CSV headers are), or None when it has none to leave out: a column of
    notes that pandas cannot export (``["late return", 3]``) must not stop
    the call, as the columns it does not read are ignored."""
    if not type(data).__module__.startswith("pandas") or not hasattr(data, "columns"):
        return None
    keep = [i for i, c in enumerate(data.columns) if isinstance(c, str) and c.strip().lower() in _DATA_COLUMNS]
    if len(keep) == len(data.columns):
        return None
    return data.iloc[:, keep]


def _is_path(data: Any) -> bool:
    return isinstance(data, (str, os.PathLike))


def _is_series(x: Any) -> bool:
    """A pandas or polars Series: one column (or, from ``df.iloc[i]``, one row)."""
    return type(x).__name__ == "Series" and type(x).__module__.split(".")[0] in ("pandas", "polars")


def _rows_of(frame: Any) -> list[Any] | None:
    """Row dicts of a (small) data frame, for overrides."""
    if hasattr(frame, "to_dicts"):  # polars
        return list(frame.to_dicts())
    if hasattr(frame, "to_pylist"):  # pyarrow
        return list(frame.to_pylist())
    if hasattr(frame, "to_dict") and hasattr(frame, "columns"):  # pandas
        # pandas names a header cell that is empty "Unnamed: N"; with no
        # values it is a spreadsheet's trailing comma, which polars, pyarrow
        # and a CSV file give as a column without a name (allowed while empty).
        empty = [
            c
            for c in frame.columns
            if isinstance(c, str) and re.fullmatch(r"Unnamed: \d+", c) and frame[c].isna().all()
        ]
        return list(frame.drop(columns=empty).to_dict("records"))
    if hasattr(frame, "__arrow_c_stream__"):
        pa = _require("pyarrow")

        return list(pa.table(frame).to_pylist())
    return None


# ------------------------------------------------------------------ scorecard


class Scorecard:
    """A loaded, validated scorecard: immutable and safe to share across threads."""

    __slots__ = ("_native", "_indicators", "_by_id")

    def __init__(self, native: _native.Scorecard) -> None:
        self._native = native
        self._indicators = tuple(Indicator(*i) for i in native.indicators)
        self._by_id = {i.id: i for i in self._indicators}

    # loading

    @classmethod
    def from_toml(cls, text: str) -> Scorecard:
        """Loads a scorecard from TOML text. Raises :class:`ScorecardError`."""
        return cls(_native.Scorecard.load(text, "toml"))

    @classmethod
    def from_yaml(cls, text: str) -> Scorecard:
        """Loads a scorecard from YAML text. Raises :class:`ScorecardError`."""
        return cls(_native.Scorecard.load(text, "yaml"))

    @classmethod
    def from_json(cls, text: str | Mapping[str, Any]) -> Scorecard:
        """Loads a scorecard from JSON text or an already-parsed mapping
        (decimals may be ``Decimal``, numbers or strings)."""
        if not isinstance(text, str):
            source = ""
            try:
                # JSON has no NaN or infinity: say where one is, as a file would.
                problems = [
                    Diagnostic(path, None, None, f"'{_json_name(v)}' is not a number: NaN and infinities are not allowed")
                    for path, v in _non_finite_floats(text, "")
                ]
                if not problems:
                    source = json.dumps(text, default=_json_default)
            except RecursionError:
                message = "the scorecard is nested too deeply to read"
                problems = [Diagnostic("", None, None, message)]
            if problems:
                raise ScorecardError("invalid scorecard: " + "; ".join(str(p) for p in problems), problems)
            text = source
        return cls(_native.Scorecard.load(text, "json"))

    @classmethod
    def from_file(cls, path: str | os.PathLike[str]) -> Scorecard:
        """Loads a scorecard file; the format comes from the extension
        (``.toml``, ``.json``, ``.yaml`` or ``.yml``)."""
        name = os.fspath(path)
        ext = os.path.splitext(name)[1].lower().lstrip(".")
        if ext not in ("toml", "json", "yaml", "yml"):
            message = (
                f"cannot tell the format of '{name}' from its extension; "
                "use .toml, .json, .yaml or .yml"
            )
            raise ScorecardError(message, [Diagnostic("", None, None, message)])
        with open(name, "rb") as f:
            raw = f.read()
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as e:
            line = raw[: e.start].count(b"\n") + 1
            message = f"{name} is not UTF-8 text (byte {e.start + 1} cannot be read, on line {line}); save it as UTF-8"
            raise ScorecardError(message, [Diagnostic("", None, None, message)]) from None
        return cls(_native.Scorecard.load(text, ext))

    # what it holds

    @property
    def name(self) -> str | None:
        """The scorecard's name."""
        return self._native.name

    @property
    def indicators(self) -> tuple[Indicator, ...]:
        """Indicators, in scorecard order."""
        return self._indicators

    def indicator(self, id: str) -> Indicator:
        """The indicator with this id; ``KeyError`` if there is none."""
        return self._by_id[id]

    @property
    def themes(self) -> tuple[Theme, ...]:
        """Themes, in scorecard order."""
        return tuple(Theme(*t) for t in self._native.themes)

    @property
    def statuses(self) -> tuple[Status, ...]:
        """The ranked statuses, best first (``no_data`` is :attr:`no_data_status`)."""
        return tuple(Status(*s) for s in self._native.statuses[:-1])

    @property
    def no_data_status(self) -> Status:
        """The ``no_data`` status (never ranked, never chosen by a rule)."""
        return Status(*self._native.statuses[-1])

    @property
    def comparators(self) -> tuple[Comparator, ...]:
        """Declared comparators (name and label)."""
        return tuple(Comparator(*c) for c in self._native.comparators)

    def to_toml(self) -> str:
        """The scorecard as TOML."""
        return self._native.to_string("toml")

    def to_json(self) -> str:
        """The scorecard as JSON."""
        return self._native.to_string("json")

    def to_yaml(self) -> str:
        """The scorecard as YAML."""
        return self._native.to_string("yaml")

    def __reduce__(self) -> tuple[Any, tuple[str]]:
        """Pickled as its JSON (exact: decimals are written as strings), so a
        scorecard can go to another process (multiprocessing, joblib)."""
        return (Scorecard.from_json, (self.to_json(),))

    def __copy__(self) -> Scorecard:
        return self  # immutable

    def __deepcopy__(self, memo: dict[int, Any]) -> Scorecard:
        return self  # immutable

    def __repr__(self) -> str:
        name = f" {self.name!r}" if self.name else ""
        return f"<ragulator.Scorecard{name}: {len(self._indicators)} indicators>"

    # data

    def observations(self, data: Data) -> Observations:
        """Reads and checks observations once (to evaluate or chart many times).

        ``data`` is a pandas or polars DataFrame, a pyarrow Table (anything
        with ``__arrow_c_stream__``: none of the three is a hard dependency),
        a list of dicts, or a path to a CSV file (a ``.json`` path is read as
        a JSON array of row objects). Columns: ``indicator``, ``period``,
        ``value`` (or ``numerator`` and ``denominator``), optional ``entity``
        and ``series``; others are ignored.

        Raises :class:`DataError` when the data as a whole cannot be read;
        bad rows are in ``rejected``.
        """
        return self._read(data, once=False)

    def _read(self, data: Data, *, once: bool) -> Observations:
        """:meth:`observations`; ``once`` when they are read for one call
        (``evaluate(frame)``): a DataFrame's values are then left as given
        for that evaluation to round as it judges them, rather than rounded
        in a pass of their own (the same results, sooner)."""
        if isinstance(data, Observations):
            # Whether they fit this scorecard is the core's check (the same
            # indicators, decimals and calendar: a reloaded or unpickled
            # copy of the scorecard fits), made by every call that uses them.
            return data
        if isinstance(data, (str, os.PathLike)):
            name = os.fspath(data)
            with open(name, "rb") as f:
                raw = f.read()
            if name.lower().endswith(".json"):
                return Observations(self._native.read_json(raw))
            return Observations(self._native.read_csv(raw))
        if _is_series(data):
            raise TypeError(
                "a Series is one column: pass a DataFrame (or a pyarrow Table) with "
                "indicator, period and value columns"
            )
        if hasattr(data, "__arrow_c_stream__"):
            data = _polars_null_columns_as_text(data)
            try:
                return Observations(self._native.read_arrow(data, once))
            except RagulatorError:
                raise
            except (ValueError, TypeError, OverflowError, NotImplementedError) as e:
                # The frame's own export failed. A column ragulator ignores
                # may be the cause: it is left out. And pandas cannot export
                # an object column mixing the inputs a list of dicts takes
                # (float, str, Decimal, int beyond 64 bits, Decimal("Infinity")):
                # such columns are passed as text, read as a CSV cell is.
                used = _pandas_data_columns_only(data)
                frames = [used] if used is not None else []
                frames.append(_pandas_object_columns_as_text(used if used is not None else data))
                for frame in frames:
                    if frame is None:
                        continue
                    try:
                        return Observations(self._native.read_arrow(frame, once))
                    except RagulatorError:
                        raise
                    except (ValueError, TypeError, OverflowError, NotImplementedError):
                        pass
                # Two columns of one name, an unconvertible column: say so as data.
                raise DataError(f"the data frame cannot be read as Arrow columns: {e}") from e
        if isinstance(data, (list, tuple)):
            return Observations(self._native.read_rows(data))
        if isinstance(data, (bytes, bytearray)):
            raise TypeError("data as bytes is ambiguous: pass a path, a DataFrame or a list of dicts")
        raise TypeError(
            f"cannot read observations from {type(data).__name__}: pass a pandas or polars "
            "DataFrame, a pyarrow Table, a list of dicts, or a path to a CSV or JSON file"
        )

    def _overrides(self, overrides: Any) -> _native.Overrides | None:
        if overrides is None:
            return None
        if _is_path(overrides):
            name = os.fspath(overrides)
            with open(name, "rb") as f:
                raw = f.read()
            if name.lower().endswith(".json"):
                return self._native.read_overrides_json(raw)
            return self._native.read_overrides_csv(raw)
        if isinstance(overrides, (list, tuple)):
            return self._native.read_override_rows(overrides)
        if _is_series(overrides):
            raise TypeError(
                "a Series is one column or one row: pass a DataFrame, or a list of dicts "
                "(one override: [series.to_dict()])"
            )
        rows = _rows_of(overrides)
        if rows is None:
            raise TypeError(
                f"cannot read overrides from {type(overrides).__name__}: pass a list of dicts, "
                "a DataFrame or a path to a CSV or JSON file"
            )
        return self._native.read_override_rows(rows)

    def evaluate(
        self,
        data: Data,
        overrides: Any = None,
        period: str | int | pandas.Period | None = None,
        entity: str | int | None = None,
        *,
        explain: bool = True,
    ) -> Evaluation:
        """Evaluates the scorecard on observations.

        ``overrides`` (a list of dicts, a DataFrame or a CSV/JSON path) are
        human judgements: each needs a reason. ``period`` evaluates every
        indicator of every entity at that period; ``entity`` one entity.
        ``explain=False`` skips the explanation sentences (faster; statuses
        are the same). The GIL is released while the core reads and
        evaluates, so threads can evaluate concurrently.
        """
        period, entity = self._period_option(period), _entity_option(entity)
        obs = self._read(data, once=True)
        ovr = self._overrides(overrides)
        native = self._native.evaluate(obs._native, ovr, period, entity, explain)
        ev = Evaluation(self, native)
        if entity is not None:
            _warn_no_such_entity(entity, obs)
        # What to_html_report needs to render this evaluation's report.
        ev._inputs = (obs, ovr, period, entity)
        return ev

    def evaluate_statuses(
        self,
        data: Data,
        overrides: Any = None,
        period: str | int | pandas.Period | None = None,
        entity: str | int | None = None,
    ) -> StatusTable:
        """Statuses only, as a columnar table: the fast path for large batches.

        The same judgements as :meth:`evaluate` (same overrides, period and
        entity options) without explanations, comparators or SPC detail;
        columns ``entity``, ``indicator``, ``period``, ``value``, ``gap``,
        ``status``, ``computed_status``, ``direction``. Rows the data could
        not use are in :meth:`observations` (``rejected``). The GIL is
        released while the core works.
        """
        period, entity = self._period_option(period), _entity_option(entity)
        obs = self._read(data, once=True)
        table = StatusTable(self._native.evaluate_statuses(obs._native, self._overrides(overrides), period, entity))
        if entity is not None:
            _warn_no_such_entity(entity, obs)
        return table

    def spc(self, data: Data, indicator: str, entity: str | int | None = None) -> SpcChart:
        """The statistical process control (XmR) chart of an indicator for an
        entity (``entity`` is needed when the data has several)."""
        entity = _entity_option(entity)
        obs = self.observations(data)
        doc, targets = self._native.spc(obs._native, indicator, entity)
        return SpcChart(json.loads(doc), targets)

    # the monthly report (docs/report.md)

    def html_report(
        self,
        data: Data,
        overrides: Any = None,
        period: str | int | pandas.Period | None = None,
        entity: str | int | None = None,
        *,
        narrative: str | os.PathLike[str] | Mapping[str, Any] | None = None,
        history: int | None = None,
        path: str | os.PathLike[str] | None = None,
    ) -> str:
        """The monthly report as one self-contained HTML document: the same
        renderer and the same HTML as ``ragulator report``.

        ``data`` and ``overrides`` are as for :meth:`evaluate`; ``period`` is
        the month reported (default: the latest with a value) and ``entity``
        the area (needed when the data has several). ``narrative`` is a
        narrative file (``.toml``, ``.json``, ``.yaml``, ``.yml``) or the same
        content as a mapping (``{"assessment": {"2022-06": {"analysis": ...,
        "next_steps": ...}}}``). ``history`` is the number of periods charted
        (default: the CLI's, 24).
        With ``path`` the HTML is also written there (UTF-8). Raises
        :class:`DataError` for an unknown entity, a period without values or
        an invalid narrative. The GIL is released while the report is made.
        """
        obs = self.observations(data)
        return self._html_report(obs, self._overrides(overrides), period, entity, narrative, history, path)

    def _html_report(
        self,
        obs: Observations,
        overrides: _native.Overrides | None,
        period: str | int | pandas.Period | None,
        entity: str | int | None,
        narrative: str | os.PathLike[str] | Mapping[str, Any] | None,
        history: int | None,
        path: str | os.PathLike[str] | None,
    ) -> str:
        if history is not None and (isinstance(history, bool) or not isinstance(history, int)):
            raise TypeError(f"history must be an int (periods charted), not {type(history).__name__}")
        period, entity = self._period_option(period), _entity_option(entity)
        text, format, name = _narrative(narrative)
        html = _native.html_report(
            self._native, obs._native, overrides, period, entity, text, format, name, history
        )
        if path is not None:
            # newline="": the same bytes as the CLI writes, on every platform.
            with open(os.fspath(path), "w", encoding="utf-8", newline="") as f:
                f.write(html)
        return html

    # case records (docs/measures.md)

    @property
    def sources(self) -> tuple[Source, ...]:
        """The record sources the scorecard declares (``[sources.<name>]``)."""
        return tuple(Source(n, dict(columns), e) for n, columns, e in _native.sources(self._native))

    def records(self, records: Mapping[str, RecordData]) -> RecordSet:
        """Reads case records, by source name: ``{"assessments": df, ...}``.

        Each table is a pandas or polars DataFrame, a pyarrow Table (anything
        with ``__arrow_c_stream__``), a list of dicts, or a path to a CSV file
        (a ``.json`` path is read as a JSON array of record objects). The
        columns a source declares are required (matched ignoring case and
        surrounding spaces); others are ignored. Dates may be text
        (``YYYY-MM-DD``), Arrow dates, ``datetime.date`` or timestamps at
        midnight. Bad rows are kept in ``rejected`` with their reasons.
        """
        if isinstance(records, RecordSet):
            return self._record_set(records)
        if not isinstance(records, Mapping):
            raise TypeError(
                f"records must be a mapping from source name to its table, not {type(records).__name__}"
            )
        tables = []
        for source, table in records.items():
            if not isinstance(source, str):
                raise TypeError(f"a source name must be a str, not {type(source).__name__}")
            tables.append(self._read_records(source, table))
        return RecordSet(_native.record_set(tables), self._native)

    def _read_records(self, source: str, table: Any) -> _native.Records:
        if isinstance(table, (str, os.PathLike)):
            name = os.fspath(table)
            with open(name, "rb") as f:
                raw = f.read()
            if name.lower().endswith(".json"):
                return _native.read_records_json(self._native, source, raw)
            return _native.read_records_csv(self._native, source, raw)
        if hasattr(table, "__arrow_c_stream__"):
            return _native.read_records_arrow(self._native, source, table)
        if isinstance(table, (list, tuple)):
            rows = [{k: _record_value(v) for k, v in r.items()} if isinstance(r, Mapping) else r for r in table]
            return _native.read_records_rows(self._native, source, rows)
        raise TypeError(
            f"cannot read the records of '{source}' from {type(table).__name__}: pass a pandas or polars "
            "DataFrame, a pyarrow Table, a list of dicts, or a path to a CSV or JSON file"
        )

    def _record_set(self, records: RecordSet | Mapping[str, RecordData]) -> RecordSet:
        if isinstance(records, RecordSet):
            if records._scorecard is not self._native:
                raise DataError(
                    "these records were read for another scorecard; read them again with this scorecard's records()"
                )
            return records
        return self.records(records)

    def measure(self, records: RecordSet | Mapping[str, RecordData], data: Data | None = None) -> Observations:
        """The measured indicators' values computed from case records: one
        numerator/denominator row per entity and period, as ``ragulator
        evaluate --records`` computes them. With ``data`` (targets,
        comparators, indicators given as values), the two are merged as the
        CLI merges ``--data`` and ``--records``. Pass the result to
        :meth:`evaluate`, :meth:`spc` or :meth:`html_report`.
        The GIL is released while the core computes.
        """
        rs = self._record_set(records)
        obs = None if data is None else self.observations(data)
        native = _native.measure(self._native, rs._native, None if obs is None else obs._native)
        return Observations(native)

    def _period_option(self, period: Any) -> str | None:
        """The ``period`` option as text: a str as given; a pandas ``Period``
        (a ``.dt.to_period()`` column's cell) written as that column's cells
        are read (``2022-06``, ``2022-Q2``, ``2022/23``); an int as a year."""
        if period is None or isinstance(period, str):
            return period
        if isinstance(period, numbers.Integral) and not isinstance(period, bool):
            return str(int(period))
        ordinal, freq = getattr(period, "ordinal", None), getattr(period, "freqstr", None)
        if isinstance(ordinal, numbers.Integral) and isinstance(freq, str):
            return self._native.pandas_period(int(ordinal), freq)
        raise TypeError(
            f"period must be a str like '2022-06', a pandas Period or an int year, not {type(period).__name__}"
        )

    def failing_records(
        self,
        records: RecordSet | Mapping[str, RecordData],
        indicator: str,
        period: str | int | pandas.Period,
        entity: str | int | None = None,
    ) -> FailingRecords:
        """The records behind a measured indicator's result (``ragulator
        records``): for timeliness the records not in time, for intervals
        each visit after too long a gap, for recurrences the recurrences,
        for rolling counts and rates the records or children counted.
        ``entity=None`` lists every entity's. Raises :class:`DataError` for
        an indicator without a measure, a source not given, a bad period or
        an unknown entity.
        """
        period, entity = self._period_option(period), _entity_option(entity)
        if period is None:
            raise TypeError("failing_records needs a period")
        rs = self._record_set(records)
        native = _native.failing_records(self._native, rs._native, indicator, period, entity)
        return FailingRecords(native, indicator, period, entity)


def _entity_option(entity: Any) -> str | None:
    """The ``entity`` option as text: an int as an integer entity column's
    cells are read (``17``)."""
    if entity is None or isinstance(entity, str):
        return entity
    if isinstance(entity, numbers.Integral) and not isinstance(entity, bool):
        return str(int(entity))
    raise TypeError(f"entity must be a str or an int, not {type(entity).__name__}")


def _warn_no_such_entity(entity: str, obs: Observations) -> None:
    """An ``entity`` the data has no rows for gives no results (with a
    ``period``, only no_data): most likely a typo, so say so, in the CLI's
    note's words."""
    note = obs._native.missing_entity(entity)
    if note is not None:
        warnings.warn(note, stacklevel=3)


def _json_default(v: Any) -> Any:
    if isinstance(v, Decimal):
        return str(v)
    raise TypeError(f"cannot write {type(v).__name__} in a scorecard; use str, int, float or Decimal")


# ----------------------------------------------------------------- evaluation


class Evaluation:
    """The result of :meth:`Scorecard.evaluate`: indicator results, theme
    roll-ups and rejected rows. Records and data frames are built from the
    core's JSON (:meth:`to_json`), the same JSON the CLI prints."""

    __slots__ = ("_scorecard", "_native", "_doc", "_results", "_themes", "_inputs")

    def __init__(self, scorecard: Scorecard, native: _native.Evaluation) -> None:
        self._scorecard = scorecard
        self._native = native
        # (observations, overrides, period, entity) evaluated, set by Scorecard.evaluate.
        self._inputs: tuple[Observations, _native.Overrides | None, str | None, str | None] | None = None
        self._doc: dict[str, Any] | None = None
        self._results: tuple[IndicatorResult, ...] | None = None
        self._themes: tuple[ThemeResult, ...] | None = None

    def _json(self) -> dict[str, Any]:
        # Parsed once, from the compact form of the same JSON.
        if self._doc is None:
            self._doc = json.loads(self._native.to_json(False))
        return self._doc

    @property
    def scorecard(self) -> Scorecard:
        """The scorecard evaluated."""
        return self._scorecard

    def _records(self) -> tuple[IndicatorResult, ...]:
        if self._results is None:
            self._results = tuple(_result(r) for r in self._json()["results"])
        return self._results

    @property
    def results(self) -> list[IndicatorResult]:
        """Indicator results, by entity, indicator (scorecard order), period."""
        return list(self._records())

    @property
    def themes(self) -> list[ThemeResult]:
        """Theme results, by entity, period, theme (scorecard order)."""
        if self._themes is None:
            self._themes = tuple(_theme(t) for t in self._json()["themes"])
        return list(self._themes)

    @property
    def rejected(self) -> list[Rejected]:
        """Input rows not used, by row number."""
        return [Rejected(row, reason) for row, reason in self._native.rejected]

    @property
    def rows(self) -> RowCounts:
        """Input, used and rejected row counts."""
        rejected = len(self._native.rejected)
        return RowCounts(self._native.input_rows, self._native.input_rows - min(rejected, self._native.input_rows), rejected)

    def __len__(self) -> int:
        return len(self._native)

    def __iter__(self) -> Iterator[IndicatorResult]:
        return iter(self._records())

    def __repr__(self) -> str:
        return (
            f"<ragulator.Evaluation: {len(self)} results, "
            f"{self._native.theme_results} theme results, {len(self._native.rejected)} rejected rows>"
        )

    def to_json(self, pretty: bool = True) -> str:
        """The result JSON of DESIGN.md section 4, exactly the text the CLI's
        ``evaluate --format json`` prints (without its final newline);
        ``pretty=False`` gives it on one line."""
        return self._native.to_json(pretty)

    def to_dict(self) -> dict[str, Any]:
        """The result JSON, parsed (decimals are strings, as in the JSON)."""
        doc: dict[str, Any] = json.loads(self._native.to_json(False))
        return doc

    def to_csv(self) -> str:
        """The indicator results as CSV text (the CLI's ``--format csv``)."""
        return self._native.to_csv()

    def to_html(self) -> str:
        """The evaluation as an HTML table grouped by theme (the core's renderer)."""
        return self._scorecard._native.html(self._native)

    def _repr_html_(self) -> str:
        return self.to_html()

    def to_html_report(
        self,
        *,
        narrative: str | os.PathLike[str] | Mapping[str, Any] | None = None,
        history: int | None = None,
        path: str | os.PathLike[str] | None = None,
        period: str | int | pandas.Period | None = None,
        entity: str | int | None = None,
    ) -> str:
        """The monthly report of this evaluation's data, overrides, period
        and entity as one self-contained HTML document (the HTML of
        ``ragulator report``; see :meth:`Scorecard.html_report`). ``period``
        and ``entity`` choose them when the evaluation did not (an
        evaluation of several entities needs ``entity``). With ``path`` the
        HTML is also written there.
        """
        if self._inputs is None:
            raise RagulatorError(
                "this evaluation was not made by Scorecard.evaluate; use Scorecard.html_report(data, ...)"
            )
        obs, overrides, evaluated_period, evaluated_entity = self._inputs
        period, entity = self._scorecard._period_option(period), _entity_option(entity)
        for option, given, evaluated in (("period", period, evaluated_period), ("entity", entity, evaluated_entity)):
            if given is not None and evaluated is not None and given != evaluated:
                raise DataError(
                    f"this evaluation is of {option} '{evaluated}', not '{given}'; "
                    "evaluate again or use Scorecard.html_report(data, ...)"
                )
        return self._scorecard._html_report(
            obs,
            overrides,
            period if period is not None else evaluated_period,
            entity if entity is not None else evaluated_entity,
            narrative,
            history,
            path,
        )

    # data frames

    def _columns(self, table: _Table) -> _Columns:
        cols = _Columns()
        if table == "themes":
            ts = self._json()["themes"]
            names = {t.id: t.name for t in self._scorecard.themes}
            cols.add("entity", "str", [t["entity"] for t in ts])
            cols.add("theme", "str", [t["theme"] for t in ts])
            cols.add("theme_name", "str", [names.get(t["theme"]) for t in ts])
            cols.add("period", "str", [t["period"] for t in ts])
            cols.add("status", "str", [t["status"] for t in ts])
            cols.add("computed_status", "str", [t["computed_status"] for t in ts])
            cols.add("label", "str", [t["label"] for t in ts])
            cols.add("override_status", "str", [t["override"] and t["override"]["status"] for t in ts])
            cols.add("override_reason", "str", [t["override"] and t["override"]["reason"] for t in ts])
            statuses = [s.id for s in self._scorecard.statuses] + [self._scorecard.no_data_status.id]
            for s in statuses:
                cols.add(f"count_{s}", "int", [int(t["counts"].get(s, 0)) for t in ts])
            cols.add("explanation", "str", [t["explanation"] for t in ts])
        elif table == "rejected":
            rejected = self._native.rejected
            cols.add("row", "int", [row for row, _ in rejected])
            cols.add("reason", "str", [reason for _, reason in rejected])
        else:
            raise ValueError(f"unknown table {table!r}; use 'results', 'themes' or 'rejected'")
        return cols

    def to_pandas(self, table: _Table = "results") -> pandas.DataFrame:
        """A pandas DataFrame of the ``results`` (default), ``themes`` or
        ``rejected`` rows. Decimal columns hold ``decimal.Decimal`` (object
        dtype); text columns use pandas' ``string`` dtype; counts are int64.
        The results come through pyarrow (``pip install ragulator[pandas]``)."""
        pd = _require("pandas")
        if table != "results":
            return self._columns(table).to_pandas()
        # The core's Arrow table: a million results in seconds, where going
        # through the JSON took a minute.
        pa = _require("pyarrow")
        results = pa.table(self._native.results_table()[0])
        strings = pd.StringDtype()
        frame: pandas.DataFrame = results.to_pandas(types_mapper=lambda t: strings if t == pa.string() else None)
        return frame

    def to_polars(self, table: _Table = "results") -> polars.DataFrame:
        """A polars DataFrame (decimal columns as ``pl.Decimal``)."""
        pl = _require("polars")
        if table != "results":
            return self._columns(table).to_polars()
        native, wide = self._native.results_table(wide_as_text=True)
        frame: polars.DataFrame = pl.DataFrame(native)
        # polars decimals hold 38 digits: a column needing more (a huge value
        # beside a 26-place gap_pct) comes as exact text and becomes Decimals.
        for name in wide:
            decimals = [None if v is None else Decimal(v) for v in frame[name].to_list()]
            frame = frame.with_columns(pl.Series(name, decimals, dtype=pl.Object))
        return frame

    def to_arrow(self, table: _Table = "results") -> pyarrow.Table:
        """A pyarrow Table (decimal columns as ``decimal128(38, scale)``, or
        ``decimal256(76, scale)`` for a column needing more than 38 digits)."""
        pa = _require("pyarrow")
        if table == "results":
            return pa.table(self._native.results_table()[0])
        return self._columns(table).to_arrow()

    @property
    def statuses(self) -> StatusTable:
        """The statuses as the columnar table of :meth:`Scorecard.evaluate_statuses`,
        without building the full result records."""
        return StatusTable(self._native.statuses_table())


# --------------------------------------------------------------- status table


class StatusTable:
    """Indicator statuses as an Arrow table, made by the core in one pass
    (:meth:`Scorecard.evaluate_statuses`). Text columns are dictionary
    encoded (categoricals in pandas and polars); ``value`` and ``gap`` are
    exact decimals (``decimal128(38, s)``). Any Arrow consumer can read it
    through ``__arrow_c_stream__``."""

    __slots__ = ("_table",)

    def __init__(self, table: Any) -> None:
        self._table = table

    def __arrow_c_stream__(self, requested_schema: Any = None) -> Any:
        """The Arrow PyCapsule stream interface."""
        return self._table.__arrow_c_stream__(requested_schema)

    def __len__(self) -> int:
        return int(self._table.num_rows)

    def __repr__(self) -> str:
        return f"<ragulator.StatusTable: {len(self)} results>"

    def to_arrow(self) -> pyarrow.Table:
        """A pyarrow Table."""
        pa = _require("pyarrow")

        return pa.table(self._table)

    def to_pandas(self) -> pandas.DataFrame:
        """A pandas DataFrame (categoricals for text; ``Decimal`` objects for values)."""
        return self.to_arrow().to_pandas()

    def to_polars(self) -> polars.DataFrame:
        """A polars DataFrame (categoricals for text; ``pl.Decimal`` for values)."""
        pl = _require("polars")

        frame: polars.DataFrame = pl.DataFrame(self)
        return frame


# ------------------------------------------------------------------------ SPC


@dataclass(frozen=True)
class SpcPoint:
    """One point of an SPC chart."""

    period: str
    value: Decimal
    rule: str | None
    point_type: str
    #: The target for this period (the data's target row, else the
    #: scorecard's); None without one. The chart's ``target`` is the last point's.
    target: Decimal | None = None


@dataclass(frozen=True)
class SpcGroup:
    """A segment of an SPC chart, with its mean and process limits (4 places)."""

    start: str
    n: int
    mean: Decimal
    #: None for a segment of a single point (no moving range, so no limits).
    lpl: Decimal | None
    upl: Decimal | None
    near_lower: Decimal | None
    near_upper: Decimal | None
    short: bool


class SpcChart:
    """An XmR chart (NHS "Making Data Count"): points with their signals,
    segments with limits, the last point's variation, and assurance."""

    __slots__ = ("_doc", "indicator", "entity", "points", "groups", "variation", "assurance", "target", "warnings")

    def __init__(self, doc: dict[str, Any], targets: list[str | None] | None = None) -> None:
        self._doc = doc
        self.indicator: str = doc["indicator"]
        self.entity: str | None = doc["entity"]
        targets = targets if targets is not None else [None] * len(doc["points"])
        self.points: list[SpcPoint] = [
            SpcPoint(p["period"], Decimal(p["value"]), p["rule"], p["point_type"], _dec(t))
            for p, t in zip(doc["points"], targets)
        ]
        self.groups: list[SpcGroup] = [
            SpcGroup(
                g["start"],
                g["n"],
                Decimal(g["mean"]),
                _dec(g["lpl"]),
                _dec(g["upl"]),
                _dec(g["near_lower"]),
                _dec(g["near_upper"]),
                g["short"],
            )
            for g in doc["groups"]
        ]
        self.variation: str | None = doc["variation"]
        self.assurance: str | None = doc["assurance"]
        self.target: Decimal | None = _dec(doc["target"])
        self.warnings: list[str] = list(doc["warnings"])

    def to_json(self, pretty: bool = True) -> str:
        """The chart JSON of DESIGN.md section 6, exactly the text the CLI's
        ``spc --format json`` prints (without its final newline);
        ``pretty=False`` gives it on one line."""
        if pretty:
            return json.dumps(self._doc, ensure_ascii=False, indent=2)
        return json.dumps(self._doc, ensure_ascii=False, separators=(",", ":"))

    def _columns(self) -> _Columns:
        # Each point carries its segment's limits (segments start at a point's period).
        starts = {g.start: g for g in self.groups}
        group: SpcGroup | None = self.groups[0] if self.groups else None
        rows: list[tuple[SpcPoint, SpcGroup | None]] = []
        for p in self.points:
            group = starts.get(p.period, group)
            rows.append((p, group))
        cols = _Columns()
        cols.add("period", "str", [p.period for p, _ in rows])
        cols.add("value", "decimal", [p.value for p, _ in rows])
        cols.add("rule", "str", [p.rule for p, _ in rows])
        cols.add("point_type", "str", [p.point_type for p, _ in rows])
        for name in ("mean", "lpl", "upl", "near_lower", "near_upper"):
            cols.add(name, "decimal", [getattr(g, name) if g else None for _, g in rows])
        cols.add("target", "decimal", [p.target for p, _ in rows])
        return cols

    def to_pandas(self) -> pandas.DataFrame:
        """One row per point: period, value, rule, point_type, and its
        segment's mean, lpl, upl, near_lower, near_upper; and its period's
        target (the target line: it may change over time)."""
        return self._columns().to_pandas()

    def to_polars(self) -> polars.DataFrame:
        """As :meth:`to_pandas`, for polars."""
        return self._columns().to_polars()

    def to_arrow(self) -> pyarrow.Table:
        """As :meth:`to_pandas`, as a pyarrow Table."""
        return self._columns().to_arrow()

    def __arrow_c_stream__(self, requested_schema: Any = None) -> Any:
        """The Arrow PyCapsule interface (needs pyarrow): ``pl.DataFrame(chart)``
        and ``pa.table(chart)`` take the chart's :meth:`to_arrow` rows."""
        return self.to_arrow().__arrow_c_stream__(requested_schema)

    def __repr__(self) -> str:
        return (
            f"<ragulator.SpcChart {self.indicator}{' / ' + self.entity if self.entity else ''}: "
            f"{len(self.points)} points, variation {self.variation}, assurance {self.assurance}>"
        )


# ------------------------------------------------------------ monthly report


def _narrative(narrative: Any) -> tuple[str | None, str, str | None]:
    """(text, format, file name) of a narrative given as a path or a mapping."""
    if narrative is None:
        return None, "toml", None
    if isinstance(narrative, (str, os.PathLike)):
        name = os.fspath(narrative)
        ext = os.path.splitext(name)[1].lower().lstrip(".")
        if ext not in ("toml", "json", "yaml", "yml"):
            raise DataError(f"{name}: a narrative must be .toml, .json, .yaml or .yml")
        with open(name, encoding="utf-8") as f:
            return f.read(), ext, name
    if isinstance(narrative, Mapping):
        return json.dumps(narrative, default=_json_default), "json", None
    raise TypeError(
        f"a narrative is a path to a .toml, .json or .yaml file or a mapping, not {type(narrative).__name__}"
    )


# -------------------------------------------------------------- case records

RecordData = Union[
    "pandas.DataFrame",
    "polars.DataFrame",
    "pyarrow.Table",
    Sequence[Mapping[str, Any]],
    str,
    "os.PathLike[str]",
]


def _record_value(v: Any) -> Any:
    """A dict value for the core's JSON record reader: dates as ``YYYY-MM-DD``.

    A datetime at midnight without a time zone is its date; any other
    datetime is passed as its ISO text, which the core rejects (with the row
    and reason) rather than the time being dropped unnoticed."""
    if isinstance(v, datetime.datetime):
        if v.tzinfo is None and v.time() == datetime.time(0):
            return v.date().isoformat()
        return v.isoformat(sep=" ")
    if isinstance(v, datetime.date):
        return v.isoformat()
    return v


@dataclass(frozen=True)
class Source:
    """A record source the scorecard declares: its columns (name to type:
    ``id``, ``date``, ``category`` or ``number``) and its entity column."""

    name: str
    columns: dict[str, str]
    entity: str | None


@dataclass(frozen=True)
class RejectedRecord:
    """A record row not used: its source, 1-based row number and why."""

    source: str
    row: int
    reason: str


class RecordSet:
    """Case records of a scorecard's sources, read and checked once (made by
    :meth:`Scorecard.records`): measure them and drill down many times."""

    __slots__ = ("_native", "_scorecard")

    def __init__(self, native: _native.RecordSet, scorecard: _native.Scorecard) -> None:
        self._native = native
        # Checked against one scorecard's sources: not valid for another.
        self._scorecard = scorecard

    @property
    def sources(self) -> list[str]:
        """The sources given, in order."""
        return [t[0] for t in self._native.tables]

    @property
    def rows(self) -> dict[str, RowCounts]:
        """Input, used and rejected rows by source; input = used + rejected."""
        return {s: RowCounts(read, used, read - used) for s, used, read in self._native.tables}

    @property
    def rejected(self) -> list[RejectedRecord]:
        """Rows not used, by source and row, with their reasons (a missing or
        unreadable date, an end before its start)."""
        return [RejectedRecord(s, row, reason) for s, row, reason in self._native.rejected]

    def __len__(self) -> int:
        """Records used, over every source."""
        return sum(used for _, used, _ in self._native.tables)

    def __repr__(self) -> str:
        parts = ", ".join(f"{s}: {c.used}" for s, c in self.rows.items())
        return f"<ragulator.RecordSet {parts}; {len(self._native.rejected)} rejected>"


@dataclass(frozen=True)
class FailingRecord:
    """A record behind a measured result: its source, 1-based row, entity,
    id (the child) and why it is listed, with the dates concerned."""

    source: str
    row: int
    entity: str | None
    id: str | None
    reason: str


class FailingRecords:
    """The records behind one measured result (:meth:`Scorecard.failing_records`),
    as ``ragulator records`` lists them."""

    __slots__ = ("_native", "indicator", "period", "entity", "records")

    def __init__(self, native: _native.FailingRecords, indicator: str, period: str, entity: str | None) -> None:
        self._native = native
        self.indicator: str = indicator
        self.period: str = period
        self.entity: str | None = entity
        self.records: list[FailingRecord] = [FailingRecord(*r) for r in native.rows]

    def __len__(self) -> int:
        return len(self.records)

    def __iter__(self) -> Iterator[FailingRecord]:
        return iter(self.records)

    def __repr__(self) -> str:
        who = f" / {self.entity}" if self.entity else ""
        return f"<ragulator.FailingRecords {self.indicator} {self.period}{who}: {len(self)} records>"

    def to_json(self, pretty: bool = True) -> str:
        """The records as the core's JSON array (``source``, ``row``,
        ``entity``, ``id``, ``reason``): the ``records`` of ``ragulator
        records --format json``."""
        return self._native.to_json(pretty)

    def to_csv(self) -> str:
        """The records as CSV: exactly ``ragulator records --format csv``."""
        return self._native.to_csv()

    def _columns(self) -> _Columns:
        cols = _Columns()
        cols.add("source", "str", [r.source for r in self.records])
        cols.add("row", "int", [r.row for r in self.records])
        cols.add("entity", "str", [r.entity for r in self.records])
        cols.add("id", "str", [r.id for r in self.records])
        cols.add("reason", "str", [r.reason for r in self.records])
        return cols

    def to_pandas(self) -> pandas.DataFrame:
        """One row per record: source, row (int64), entity, id, reason (``string`` dtype)."""
        return self._columns().to_pandas()

    def to_polars(self) -> polars.DataFrame:
        """As :meth:`to_pandas`, for polars."""
        return self._columns().to_polars()

    def to_arrow(self) -> pyarrow.Table:
        """As :meth:`to_pandas`, as a pyarrow Table."""
        return self._columns().to_arrow()
