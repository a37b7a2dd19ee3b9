"""The monthly report from Python (issue 6): the report crate's HTML, the
same bytes as `ragulator report`, with statuses matching the evaluation."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

import ragulator
from cli import cli
from conftest import EXAMPLE, need


def cli_report(tmp_path: Path, *args: str) -> str:
    out = tmp_path / "cli.html"
    cli("report", *args, "-o", out)
    return out.read_text(encoding="utf-8")


def full_cli_report(tmp_path: Path) -> str:
    return cli_report(
        tmp_path,
        "--scorecard", str(EXAMPLE / "scorecard.toml"),
        "--data", str(EXAMPLE / "data.csv"),
        "--overrides", str(EXAMPLE / "overrides.csv"),
        "--narrative", str(EXAMPLE / "narrative.toml"),
        "--entity", "southampton",
        "--period", "2022-06",
    )  # fmt: skip


class Report(HTMLParser):
    """What a reader sees: per theme section, its rating and a status per
    indicator row; charts; scripts and addresses of other hosts."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.themes: dict[str, dict[str, Any]] = {}
        self.order: list[str] = []
        self.svgs = 0
        self.scripts = 0
        self.external: list[str] = []
        self.text: list[str] = []
        self._depth = 0
        self._theme: str | None = None
        self._theme_depth = 0
        self._row: str | None = None
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        for v in a.values():
            if "http:" in v or "https:" in v or v.startswith("//"):
                self.external.append(v)
        if tag == "script":
            self.scripts += 1
        for key in ("src", "href", "data"):
            if key in a and not a[key].startswith(("#", "data:")):
                self.external.append(f"<{tag} {key}={a[key]!r}>")
        if tag == "section":
            self._depth += 1
            if "theme" in a.get("class", "").split() and "data-theme" in a:
                self._theme = a["data-theme"]
                self._theme_depth = self._depth
                self.order.append(self._theme)
                self.themes[self._theme] = {"status": None, "rows": {}, "svgs": 0}
        if self._theme is None:
            return
        section = self.themes[self._theme]
        if tag == "tr" and "data-indicator" in a:
            self._row = a["data-indicator"]
            section["rows"][self._row] = None
        if tag == "span" and "chip" in a.get("class", "").split():
            status = a.get("data-status")
            if self._row is not None:
                if section["rows"][self._row] is None:
                    section["rows"][self._row] = status
            elif section["status"] is None:
                section["status"] = status
        if tag == "svg":
            self.svgs += 1
            section["svgs"] += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "tr":
            self._row = None
        if tag == "section":
            if self._depth == self._theme_depth:
                self._theme = None
            self._depth -= 1

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def test_the_report_is_the_cli_report_byte_for_byte(example: ragulator.Scorecard, tmp_path: Path) -> None:
    expected = full_cli_report(tmp_path)
    html = example.html_report(
        EXAMPLE / "data.csv",
        overrides=EXAMPLE / "overrides.csv",
        narrative=EXAMPLE / "narrative.toml",
        entity="southampton",
        period="2022-06",
    )
    assert html == expected
    ev = example.evaluate(
        EXAMPLE / "data.csv", overrides=EXAMPLE / "overrides.csv", entity="southampton", period="2022-06"
    )
    assert ev.to_html_report(narrative=EXAMPLE / "narrative.toml") == expected


def test_the_report_from_data_frames_and_a_narrative_mapping(example: ragulator.Scorecard, tmp_path: Path) -> None:
    pd = need("pandas")
    tomllib = need("tomllib")
    expected = full_cli_report(tmp_path)
    # Every column as text, so values keep the CSV's scale ("21.0").
    data = pd.read_csv(EXAMPLE / "data.csv", dtype=str, keep_default_na=False)
    overrides = pd.read_csv(EXAMPLE / "overrides.csv", dtype=str, keep_default_na=False)
    with open(EXAMPLE / "narrative.toml", "rb") as f:
        narrative = tomllib.load(f)
    ev = example.evaluate(data, overrides=overrides, period="2022-06")
    # The evaluation covers four areas: the report is of the one chosen.
    assert ev.to_html_report(entity="southampton", narrative=narrative) == expected


def test_the_report_shows_the_evaluations_statuses(example: ragulator.Scorecard) -> None:
    ev = example.evaluate(
        EXAMPLE / "data.csv", overrides=EXAMPLE / "overrides.csv", entity="southampton", period="2022-06"
    )
    report = Report(ev.to_html_report(narrative=EXAMPLE / "narrative.toml"))
    assert report.order == [t.id for t in example.themes]
    for theme in ev.themes:
        section = report.themes[theme.theme]
        assert section["status"] == theme.status, theme.theme
        members = [i.id for i in example.indicators if i.theme == theme.theme]
        assert list(section["rows"]) == members
        assert section["svgs"] == len(members)
    statuses = {r.indicator: r.status for r in ev.results}
    shown = {i: s for t in report.themes.values() for i, s in t["rows"].items()}
    assert shown == statuses
    assert report.svgs == len(example.indicators)
    # The judgements are there with their reasons (the overridden theme and
    # indicator), and the narrative's analysis.
    text = " ".join(report.text)
    overridden = [r for r in ev.results if r.override] + [t for t in ev.themes if t.override]
    assert len(overridden) == 2
    for r in overridden:
        assert r.override is not None
        assert r.override.reason[:60] in text
    assert "Re-referrals within 12 months rose to 21.4% in June" in text
    assert report.scripts == 0
    assert report.external == []


def test_path_writes_the_html(example: ragulator.Scorecard, tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    html = example.html_report(EXAMPLE / "data.csv", entity="plymouth", path=out)
    assert out.read_bytes() == html.encode("utf-8")
    assert html.startswith("<!DOCTYPE html>")
    # The latest period with a value, by default.
    assert "June 2022" in html


def test_history_sets_the_periods_charted(example: ragulator.Scorecard, tmp_path: Path) -> None:
    expected = cli_report(
        tmp_path,
        "--scorecard", str(EXAMPLE / "scorecard.toml"),
        "--data", str(EXAMPLE / "data.csv"),
        "--entity", "bristol",
        "--period", "2022-03",
        "--history", "6",
    )  # fmt: skip
    html = example.html_report(EXAMPLE / "data.csv", entity="bristol", period="2022-03", history=6)
    assert html == expected
    assert html != example.html_report(EXAMPLE / "data.csv", entity="bristol", period="2022-03")


def test_the_report_of_measures_from_case_records(tmp_path: Path) -> None:
    card = ragulator.Scorecard.from_file(EXAMPLE / "scorecard-measures.toml")
    records = {s.name: EXAMPLE / "records" / f"{s.name}.csv" for s in card.sources}
    args = [arg for s, path in records.items() for arg in ("--records", f"{s}={path}")]
    expected = cli_report(
        tmp_path,
        "--scorecard", str(EXAMPLE / "scorecard-measures.toml"),
        *args,
        "--data", str(EXAMPLE / "records" / "comparators.csv"),
        "--period", "2022-06",
    )  # fmt: skip
    data = card.measure(records, data=EXAMPLE / "records" / "comparators.csv")
    # The records name one area: no entity needs choosing.
    assert card.html_report(data, period="2022-06") == expected
    assert card.html_report(data, period="2022-06", entity="southampton") == expected
    ev = card.evaluate(data, period="2022-06")
    assert ev.to_html_report() == expected
    # Measured values are in the report with their numerators and denominators.
    timely = next(r for r in ev.results if r.indicator == "assessments_in_timescale")
    assert timely.numerator is not None and timely.denominator is not None
    assert f"{timely.numerator:,} of {timely.denominator:,}" in expected


def test_errors_say_what_would_be_valid(example: ragulator.Scorecard, tmp_path: Path) -> None:
    data = example.observations(EXAMPLE / "data.csv")
    with pytest.raises(
        ragulator.DataError, match="4 entities; choose one .*bristol, plymouth, portsmouth, southampton"
    ):
        example.html_report(data)
    with pytest.raises(ragulator.DataError, match="no data for entity 'york'; the data's entities are: bristol, plymouth, portsmouth, southampton"):
        example.html_report(data, entity="york")
    with pytest.raises(ragulator.DataError, match="no indicator has a value for 2019-06 .*from 2021-04 to 2022-06"):
        example.html_report(data, entity="southampton", period="2019-06")
    with pytest.raises(ragulator.DataError, match="period option is not a period"):
        example.html_report(data, entity="southampton", period="June")
    for history in (1, 121, -1):
        with pytest.raises(ragulator.DataError, match=f"history must be 2 to 120 periods, not {history}"):
            example.html_report(data, entity="southampton", history=history)
    with pytest.raises(TypeError, match="history must be an int"):
        example.html_report(data, entity="southampton", history=6.0)  # type: ignore[arg-type]
    # Narratives: a theme the scorecard lacks, named with the file.
    bad = tmp_path / "narrative.toml"
    bad.write_text('[assesment."2022-06"]\nanalysis = "x"\n', encoding="utf-8")
    with pytest.raises(
        ragulator.DataError,
        match=r"narrative.toml: invalid narrative: assesment: unknown theme 'assesment'; the scorecard's themes are: assessment, contact",
    ):
        example.html_report(data, entity="southampton", narrative=bad)
    with pytest.raises(ragulator.DataError, match=r"contact.\"2022-13\""):
        example.html_report(data, entity="southampton", narrative={"contact": {"2022-13": {"analysis": "x"}}})
    with pytest.raises(ragulator.DataError, match="analysys"):
        example.html_report(data, entity="southampton", narrative={"contact": {"2022-06": {"analysys": "x"}}})
    text = tmp_path / "narrative.txt"
    text.write_text("", encoding="utf-8")
    with pytest.raises(ragulator.DataError, match=r"narrative.txt: a narrative must be .toml, .json, .yaml or .yml"):
        example.html_report(data, entity="southampton", narrative=text)
    with pytest.raises(TypeError, match="a narrative is a path"):
        example.html_report(data, entity="southampton", narrative=3)  # type: ignore[arg-type]
    # An evaluation's report is of what it evaluated.
    ev = example.evaluate(data, entity="southampton", period="2022-06")
    with pytest.raises(ragulator.DataError, match="this evaluation is of entity 'southampton', not 'bristol'"):
        ev.to_html_report(entity="bristol")
    with pytest.raises(ragulator.DataError, match="this evaluation is of period '2022-06', not '2022-05'"):
        ev.to_html_report(period="2022-05")


def test_a_yaml_narrative_gives_the_same_report(example: ragulator.Scorecard, tmp_path: Path) -> None:
    narrative = tmp_path / "narrative.yaml"
    narrative.write_text('assessment:\n  "2022-06":\n    analysis: "Written in YAML: a test."\n', encoding="utf-8")
    html = example.html_report(EXAMPLE / "data.csv", narrative=narrative, entity="southampton", period="2022-06")
    assert "Written in YAML: a test." in html
    mapping = {"assessment": {"2022-06": {"analysis": "Written in YAML: a test."}}}
    assert example.html_report(EXAMPLE / "data.csv", narrative=mapping, entity="southampton", period="2022-06") == html
