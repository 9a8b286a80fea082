"""The JSON report: the model round-trips, and the hand-written schema describes exactly what the model emits."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.exceptions import ValidationError
from pydantic import BaseModel

from kepu_rules.reports.base import ReportOptions
from kepu_rules.reports.json_report import JsonReporter, load_schema
from kepu_rules.reports.model import (
    Counts,
    DiagnosticInfo,
    GroupScore,
    ItemResult,
    ReadInfo,
    Report,
    RuleResult,
    RulesetInfo,
    Scorecard,
    ScorecardEntry,
    ScorecardGap,
    SourceRef,
    Summary,
    WaiverInfo,
)

PROPERTY = settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Which $defs entry describes which model, so a field added to one without the other fails a test.
DEFS: dict[str, type[BaseModel]] = {
    "ruleset": RulesetInfo, "summary": Summary, "group_score": GroupScore, "result": RuleResult,
    "item_counts": Counts, "item": ItemResult, "source_ref": SourceRef, "waiver": WaiverInfo,
    "diagnostic": DiagnosticInfo, "read": ReadInfo, "scorecard": Scorecard, "scorecard_entry": ScorecardEntry,
    "scorecard_gap": ScorecardGap,
}


@pytest.fixture(scope="module")
def validator() -> Draft202012Validator:
    schema = load_schema()
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, format_checker=FormatChecker())


def render(report: Report) -> str:
    return JsonReporter().render(report, ReportOptions())


def test_round_trip(report: Report) -> None:
    assert Report.model_validate_json(render(report)) == report


def test_validates_against_the_schema(report: Report, validator: Draft202012Validator) -> None:
    validator.validate(json.loads(render(report)))


def test_design_contract_fields(report_zh: Report) -> None:
    data = json.loads(render(report_zh))
    assert data["schema"] == "kepu-report/1"
    assert {"id", "title", "version"} <= data["ruleset"].keys()
    assert {"verdict", "score", "max_score", "counts"} <= data["summary"].keys()
    b1 = next(r for r in data["results"] if r["id"] == "B1")
    assert (b1["status"], b1["measured"], b1["target"], b1["points"]) == ("fail", 0.733, 0.8, 7.33)
    assert {"entity", "key", "source"} <= b1["failing"][0].keys()
    assert b1["failing"][0]["groups"] == {"街道": "北坦街道"}


def test_chinese_is_written_as_is(report_zh: Report) -> None:
    assert "北坦街道" in render(report_zh)


@pytest.mark.parametrize("name", sorted(DEFS))
def test_schema_describes_every_field_of_the_model(name: str) -> None:
    schema = load_schema()
    model = DEFS[name]
    fields = {f.alias or n for n, f in model.model_fields.items()}
    assert set(schema["$defs"][name]["properties"]) == fields
    assert set(schema["$defs"][name]["required"]) == fields  # the model always writes every field


def test_schema_describes_the_top_level() -> None:
    schema = load_schema()
    fields = {f.alias or n for n, f in Report.model_fields.items()}
    assert set(schema["properties"]) == fields == set(schema["required"])


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (("schema",), "kepu-report/2"),
        (("summary", "verdict"), "passed"),
        (("results", 0, "status"), "ok"),
        (("results", 0, "points"), "5"),
        (("as_of",), "2026-13-45"),
        (("results", 0, "failing"), [{"entity": "街道"}]),
    ],
)
def test_schema_rejects_what_the_model_never_emits(report_zh: Report, validator: Draft202012Validator,
                                                   path: tuple[str | int, ...], value: object) -> None:
    data = json.loads(render(report_zh))
    node = data
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    with pytest.raises(ValidationError):
        validator.validate(data)


@PROPERTY
@given(data=st.data())
def test_any_report_validates(any_report: st.SearchStrategy[Report], validator: Draft202012Validator,
                              data: st.DataObject) -> None:
    report = data.draw(any_report)
    text = render(report)
    validator.validate(json.loads(text))
    assert Report.model_validate_json(text) == report
