"""Properties over generated rulesets and facts: evaluation is total, outcomes are coherent, and a ruleset
read back from the ruleset cache (a pickle round trip) assesses exactly like the one just checked."""

from __future__ import annotations

import pickle
from fractions import Fraction

from hypothesis import HealthCheck, given, settings

from kepu_rules.reports.model import Status
from tests.engine.generated import fact_tables, outcome_fields, rules_text
from tests.engine.util import evaluate, facts, ruleset

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(text=rules_text(), data=fact_tables())
def test_every_generated_rule_gets_a_coherent_outcome(text: str, data: tuple[dict, dict]) -> None:
    rs = ruleset(text)
    tables, scalars = data
    outcomes = evaluate(rs, facts(rs, tables, scalars))
    assert sorted(outcomes) == sorted(rs.rules)
    for o in outcomes.values():
        assert o.status is not Status.ERROR, (text, o.message)
        assert Fraction(0) <= o.fraction <= 1
        if o.status is Status.PASS:
            assert o.fraction == 1 and not o.failing and o.repair is None
        if o.status is Status.FAIL:
            assert o.message.zh and o.message.en
        if o.missing:
            assert o.status is Status.UNKNOWN


@SETTINGS
@given(text=rules_text(), data=fact_tables())
def test_a_cached_ruleset_assesses_exactly_like_a_fresh_one(text: str, data: tuple[dict, dict]) -> None:
    fresh = ruleset(text)
    cached = pickle.loads(pickle.dumps(fresh, protocol=pickle.HIGHEST_PROTOCOL))
    tables, scalars = data
    base = facts(fresh, tables, scalars)
    expected = {k: outcome_fields(o) for k, o in evaluate(fresh, base).items()}
    actual = {k: outcome_fields(o) for k, o in evaluate(cached, base).items()}
    assert actual == expected
