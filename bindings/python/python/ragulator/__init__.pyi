"""Type stubs for ragulator (checked against the runtime with mypy.stubtest)."""

import os
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal, TypeAlias

import pandas
import polars
import pyarrow

from . import _native

__version__: str

__all__ = ['Comparator', 'DataError', 'Diagnostic', 'Evaluation', 'FailingRecord', 'FailingRecords', 'Indicator', 'IndicatorResult', 'Observations', 'OverrideNote', 'RagulatorError', 'RecordSet', 'Rejected', 'RejectedRecord', 'RowCounts', 'Scorecard', 'ScorecardError', 'Source', 'SpcChart', 'SpcGroup', 'SpcPoint', 'SpcState', 'Status', 'StatusTable', 'TargetRange', 'Theme', 'ThemeResult', 'Trace']

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
    def __str__(self) -> str: ...

class ScorecardError(RagulatorError):
    """The scorecard is invalid; ``diagnostics`` lists every problem found."""
    diagnostics: list[Diagnostic]
    def __init__(self, message: str, diagnostics: Iterable[Any] = ()) -> None: ...

class DataError(RagulatorError):
    """Data or overrides that fail the whole call (a missing column, a bad
    override, a document that is not CSV or JSON). Bad *rows* are not errors:
    they are returned in ``rejected`` with their row number and reason."""
    row: int | None
    column: str | None
    def __init__(self, message: str, row: int | None = None, column: str | None = None) -> None: ...

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

@dataclass(frozen=True)
class TargetRange:
    '''A range target (``polarity = "range"``), bounds inclusive.'''
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

class Observations:
    """Checked observations: read once, evaluate (or chart) many times.

    Made by :meth:`Scorecard.observations`; every input row is either used
    or in :attr:`rejected` with its row number and reason.
    """
    def __init__(self, native: _native.Observations) -> None: ...
    @property
    def input_rows(self) -> int:
        """Rows read (used + rejected)."""
    @property
    def rejected(self) -> list[Rejected]:
        """Rows not used, with their 1-based row numbers and reasons."""
    @property
    def entities(self) -> list[str]:
        """The entities the data has rows for, in first-seen order (rows
        without an entity are the default entity, not listed)."""
    def __len__(self) -> int:
        """Rows used."""
    def __repr__(self) -> str: ...

Data: TypeAlias = (
    pandas.DataFrame
    | polars.DataFrame
    | pyarrow.Table
    | Sequence[Mapping[str, Any]]
    | str
    | os.PathLike[str]
    | Observations
)

RecordData: TypeAlias = (
    pandas.DataFrame
    | polars.DataFrame
    | pyarrow.Table
    | Sequence[Mapping[str, Any]]
    | str
    | os.PathLike[str]
)

class Scorecard:
    """A loaded, validated scorecard: immutable and safe to share across threads."""
    def __init__(self, native: _native.Scorecard) -> None: ...
    @classmethod
    def from_toml(cls, text: str) -> Scorecard:
        """Loads a scorecard from TOML text. Raises :class:`ScorecardError`."""
    @classmethod
    def from_yaml(cls, text: str) -> Scorecard:
        """Loads a scorecard from YAML text. Raises :class:`ScorecardError`."""
    @classmethod
    def from_json(cls, text: str | Mapping[str, Any]) -> Scorecard:
        """Loads a scorecard from JSON text or an already-parsed mapping
        (decimals may be ``Decimal``, numbers or strings)."""
    @classmethod
    def from_file(cls, path: str | os.PathLike[str]) -> Scorecard:
        """Loads a scorecard file; the format comes from the extension
        (``.toml``, ``.json``, ``.yaml`` or ``.yml``)."""
    @property
    def name(self) -> str | None:
        """The scorecard's name."""
    @property
    def indicators(self) -> tuple[Indicator, ...]:
        """Indicators, in scorecard order."""
    def indicator(self, id: str) -> Indicator:
        """The indicator with this id; ``KeyError`` if there is none."""
    @property
    def themes(self) -> tuple[Theme, ...]:
        """Themes, in scorecard order."""
    @property
    def statuses(self) -> tuple[Status, ...]:
        """The ranked statuses, best first (``no_data`` is :attr:`no_data_status`)."""
    @property
    def no_data_status(self) -> Status:
        """The ``no_data`` status (never ranked, never chosen by a rule)."""
    @property
    def comparators(self) -> tuple[Comparator, ...]:
        """Declared comparators (name and label)."""
    def to_toml(self) -> str:
        """The scorecard as TOML."""
    def to_json(self) -> str:
        """The scorecard as JSON."""
    def to_yaml(self) -> str:
        """The scorecard as YAML."""
    def __reduce__(self) -> tuple[Any, tuple[str]]:
        """Pickled as its JSON (exact: decimals are written as strings), so a
        scorecard can go to another process (multiprocessing, joblib)."""
    def __copy__(self) -> Scorecard: ...
    def __deepcopy__(self, memo: dict[int, Any]) -> Scorecard: ...
    def __repr__(self) -> str: ...
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
    def evaluate_statuses(
        self,
        data: Data,
        overrides: Any = None,
        period: str | int | pandas.Period | None = None,
        entity: str | int | None = None,
    ) -> StatusTable:
        """Statuses only, as a columnar table: the fast path for large batches."""
    def spc(self, data: Data, indicator: str, entity: str | int | None = None) -> SpcChart:
        """The statistical process control (XmR) chart of an indicator for an
        entity (``entity`` is needed when the data has several)."""
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
        renderer and the same HTML as ``ragulator report``."""
    @property
    def sources(self) -> tuple[Source, ...]:
        """The record sources the scorecard declares (``[sources.<name>]``)."""
    def records(self, records: Mapping[str, RecordData]) -> RecordSet:
        """Reads case records, by source name: ``{"assessments": df, ...}``."""
    def measure(self, records: RecordSet | Mapping[str, RecordData], data: Data | None = None) -> Observations:
        """The measured indicators' values computed from case records, merged
        after ``data`` when given; pass the result to :meth:`evaluate`."""
    def failing_records(
        self,
        records: RecordSet | Mapping[str, RecordData],
        indicator: str,
        period: str | int | pandas.Period,
        entity: str | int | None = None,
    ) -> FailingRecords:
        """The records behind a measured indicator's result (``ragulator records``)."""

class Evaluation:
    """The result of :meth:`Scorecard.evaluate`: indicator results, theme
    roll-ups and rejected rows. Records and data frames are built from the
    core's JSON (:meth:`to_json`), the same JSON the CLI prints."""
    def __init__(self, scorecard: Scorecard, native: _native.Evaluation) -> None: ...
    @property
    def scorecard(self) -> Scorecard:
        """The scorecard evaluated."""
    @property
    def results(self) -> list[IndicatorResult]:
        """Indicator results, by entity, indicator (scorecard order), period."""
    @property
    def themes(self) -> list[ThemeResult]:
        """Theme results, by entity, period, theme (scorecard order)."""
    @property
    def rejected(self) -> list[Rejected]:
        """Input rows not used, by row number."""
    @property
    def rows(self) -> RowCounts:
        """Input, used and rejected row counts."""
    def __len__(self) -> int: ...
    def __iter__(self) -> Iterator[IndicatorResult]: ...
    def __repr__(self) -> str: ...
    def _repr_html_(self) -> str: ...
    def to_json(self, pretty: bool = True) -> str:
        """The result JSON of DESIGN.md section 4, exactly the text the CLI's
        ``evaluate --format json`` prints (without its final newline);
        ``pretty=False`` gives it on one line."""
    def to_dict(self) -> dict[str, Any]:
        """The result JSON, parsed (decimals are strings, as in the JSON)."""
    def to_csv(self) -> str:
        """The indicator results as CSV text (the CLI's ``--format csv``)."""
    def to_html(self) -> str:
        """The evaluation as an HTML table grouped by theme (the core's renderer)."""
    def to_html_report(
        self,
        *,
        narrative: str | os.PathLike[str] | Mapping[str, Any] | None = None,
        history: int | None = None,
        path: str | os.PathLike[str] | None = None,
        period: str | int | pandas.Period | None = None,
        entity: str | int | None = None,
    ) -> str:
        """The monthly report of this evaluation's data, overrides, period and
        entity as one self-contained HTML document (``ragulator report``'s HTML)."""
    def to_pandas(self, table: Literal["results", "themes", "rejected"] = "results") -> pandas.DataFrame:
        """A pandas DataFrame of the ``results`` (default), ``themes`` or
        ``rejected`` rows. Decimal columns hold ``decimal.Decimal`` (object
        dtype); text columns use pandas' ``string`` dtype; counts are int64."""
    def to_polars(self, table: Literal["results", "themes", "rejected"] = "results") -> polars.DataFrame:
        """A polars DataFrame (decimal columns as ``pl.Decimal``)."""
    def to_arrow(self, table: Literal["results", "themes", "rejected"] = "results") -> pyarrow.Table:
        """A pyarrow Table (decimal columns as ``decimal128(38, scale)``, or
        ``decimal256(76, scale)`` for a column needing more than 38 digits)."""
    @property
    def statuses(self) -> StatusTable:
        """The statuses as the columnar table of :meth:`Scorecard.evaluate_statuses`,
        without building the full result records."""

class StatusTable:
    """Indicator statuses as an Arrow table (dictionary-encoded text, exact decimals)."""
    def __init__(self, table: Any) -> None: ...
    def __arrow_c_stream__(self, requested_schema: Any = None) -> Any: ...
    def __len__(self) -> int: ...
    def __repr__(self) -> str: ...
    def to_arrow(self) -> pyarrow.Table: ...
    def to_pandas(self) -> pandas.DataFrame: ...
    def to_polars(self) -> polars.DataFrame: ...

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
    '''An XmR chart (NHS "Making Data Count"): points with their signals,
    segments with limits, the last point\'s variation, and assurance.'''
    indicator: str
    entity: str | None
    points: list[SpcPoint]
    groups: list[SpcGroup]
    variation: str | None
    assurance: str | None
    target: Decimal | None
    warnings: list[str]
    def __init__(self, doc: dict[str, Any], targets: list[str | None] | None = None) -> None: ...
    def to_json(self, pretty: bool = True) -> str:
        """The chart JSON of DESIGN.md section 6, exactly the text the CLI's
        ``spc --format json`` prints (without its final newline);
        ``pretty=False`` gives it on one line."""
    def to_pandas(self) -> pandas.DataFrame:
        """One row per point: period, value, rule, point_type, and its
        segment's mean, lpl, upl, near_lower, near_upper; and its period's
        target (the target line: it may change over time)."""
    def to_polars(self) -> polars.DataFrame:
        """As :meth:`to_pandas`, for polars."""
    def to_arrow(self) -> pyarrow.Table:
        """As :meth:`to_pandas`, as a pyarrow Table."""
    def __arrow_c_stream__(self, requested_schema: Any = None) -> Any:
        """The Arrow PyCapsule interface (needs pyarrow): ``pl.DataFrame(chart)``
        and ``pa.table(chart)`` take the chart's :meth:`to_arrow` rows."""
    def __repr__(self) -> str: ...

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
    def __init__(self, native: _native.RecordSet, scorecard: _native.Scorecard) -> None: ...
    @property
    def sources(self) -> list[str]:
        """The sources given, in order."""
    @property
    def rows(self) -> dict[str, RowCounts]:
        """Input, used and rejected rows by source; input = used + rejected."""
    @property
    def rejected(self) -> list[RejectedRecord]:
        """Rows not used, by source and row, with their reasons."""
    def __len__(self) -> int:
        """Records used, over every source."""
    def __repr__(self) -> str: ...

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
    indicator: str
    period: str
    entity: str | None
    records: list[FailingRecord]
    def __init__(self, native: _native.FailingRecords, indicator: str, period: str, entity: str | None) -> None: ...
    def __len__(self) -> int: ...
    def __iter__(self) -> Iterator[FailingRecord]: ...
    def __repr__(self) -> str: ...
    def to_json(self, pretty: bool = True) -> str:
        """The records as the core's JSON array: the ``records`` of ``ragulator records --format json``."""
    def to_csv(self) -> str:
        """The records as CSV: exactly ``ragulator records --format csv``."""
    def to_pandas(self) -> pandas.DataFrame:
        """One row per record: source, row (int64), entity, id, reason."""
    def to_polars(self) -> polars.DataFrame:
        """As :meth:`to_pandas`, for polars."""
    def to_arrow(self) -> pyarrow.Table:
        """As :meth:`to_pandas`, as a pyarrow Table."""
