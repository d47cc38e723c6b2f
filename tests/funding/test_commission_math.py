"""funding.services.commission_formulas: the technology managers' commission formulas, with worked numbers."""

from decimal import Decimal as D

import pytest

from funding.models import CommissionRule
from funding.services.commission_formulas import (
    FORMULA_VERSION,
    commission_for,
    describe,
    exact_commission,
    rule_problems,
    rule_snapshot,
    split_equally,
    stage_shares,
)

pytestmark = pytest.mark.usefixtures("english")

TIERED = {"kind": "tiered", "tiers": [{"up_to": "1000000", "rate_pct": "5"}, {"up_to": None, "rate_pct": "3"}]}
THREE_TIERS = {"kind": "tiered", "tiers": [{"up_to": "100000", "rate_pct": "10"}, {"up_to": "500000", "rate_pct": "6"},
                                           {"up_to": None, "rate_pct": "2"}]}
BASE_EXCESS = {"kind": "base_excess", "base_amount": "20000", "threshold": "1000000", "excess_rate_pct": "2.5"}
STAGED = {"kind": "staged", "rate_pct": "10", "stages": {"scouting": "30", "incubation": "40", "transfer": "30"}}


@pytest.mark.parametrize("rule, amount, expected", [
    ({"kind": "flat", "rate_pct": "5"}, "1500000", "75000.00"),
    ({"kind": "flat", "rate_pct": "3.333"}, "100000", "3333.00"),
    # 12,345.67 × 2.5 % = 308.64175 → 308.64
    ({"kind": "flat", "rate_pct": "2.5"}, "12345.67", "308.64"),
    # half a cent rounds up: 0.10 × 5 % = 0.005 → 0.01
    ({"kind": "flat", "rate_pct": "5"}, "0.10", "0.01"),
    # 5 % to 1,000,000 then 3 %: 50,000 + 15,000
    (TIERED, "1500000", "65000.00"),
    (TIERED, "1000000", "50000.00"),
    (TIERED, "800000", "40000.00"),
    # 10 % of 100,000 + 6 % of 400,000 + 2 % of 1,500,000 = 10,000 + 24,000 + 30,000
    (THREE_TIERS, "2000000", "64000.00"),
    # 10 % of 100,000 + 6 % of 150,000
    (THREE_TIERS, "250000", "19000.00"),
    # base 20,000 + 2.5 % of the 500,000 above 1,000,000
    (BASE_EXCESS, "1500000", "32500.00"),
    # below the threshold only the base
    (BASE_EXCESS, "600000", "20000.00"),
    (STAGED, "1234567", "123456.70"),
])
def test_commission_for_worked_examples(rule, amount, expected):
    assert commission_for(rule, D(amount)) == D(expected)


def test_a_model_rule_computes_like_its_dict():
    rule = CommissionRule(kind="tiered", tiers=TIERED["tiers"])

    assert commission_for(rule, D("1500000")) == D("65000.00")


def test_rounding_happens_once_at_the_end_not_per_bracket():
    rule = {"kind": "tiered", "tiers": [{"up_to": "0.10", "rate_pct": "5"}, {"up_to": None, "rate_pct": "5"}]}

    # two brackets of 0.005 each would round to 0.02 if rounded per bracket; the exact total is 0.01
    assert (exact_commission(rule, D("0.20")), commission_for(rule, D("0.20"))) == (D("0.01"), D("0.01"))


def test_no_commission_on_a_zero_amount():
    assert commission_for(BASE_EXCESS, D("0")) == D("0.00")


def test_stage_shares_follow_the_percentages_and_add_up_to_the_total():
    shares = stage_shares(STAGED, D("123456.70"))

    # 30 % = 37,037.01; 40 % = 49,382.68; the last stage takes the rest: 37,037.01
    assert shares == {"scouting": D("37037.01"), "incubation": D("49382.68"), "transfer": D("37037.01")}
    assert sum(shares.values()) == D("123456.70")


def test_stage_shares_leave_out_stages_without_a_share():
    rule = {"kind": "staged", "rate_pct": "10", "stages": {"scouting": "0", "transfer": "100"}}

    assert stage_shares(rule, D("100.00")) == {"transfer": D("100.00")}


@pytest.mark.parametrize("amount, count, expected", [
    ("100.00", 2, ["50.00", "50.00"]),
    ("100.01", 2, ["50.01", "50.00"]),
    ("100.00", 3, ["33.34", "33.33", "33.33"]),
    ("0.01", 2, ["0.01", "0.00"]),
    ("10.00", 0, []),
])
def test_split_equally_gives_the_remainder_to_the_first(amount, count, expected):
    assert split_equally(D(amount), count) == [D(x) for x in expected]


@pytest.mark.parametrize("rule, problem", [
    ({"kind": "flat"}, "Enter a rate between 0 and 100 %."),
    ({"kind": "flat", "rate_pct": "120"}, "Enter a rate between 0 and 100 %."),
    ({"kind": "tiered", "tiers": []}, "Enter at least one tier."),
    ({"kind": "tiered", "tiers": [{"up_to": "500", "rate_pct": "5"}, {"up_to": "100", "rate_pct": "3"},
                                  {"up_to": None, "rate_pct": "1"}]},
     "The tiers' upper bounds must be positive and in ascending order."),
    ({"kind": "tiered", "tiers": [{"up_to": "500", "rate_pct": "5"}, {"up_to": "1000", "rate_pct": "3"}]},
     "The last tier must be open-ended (leave its upper bound empty)."),
    ({"kind": "tiered", "tiers": [{"up_to": None, "rate_pct": "5"}, {"up_to": None, "rate_pct": "3"}]},
     "Only the last tier may be open-ended."),
    ({"kind": "base_excess", "threshold": "10", "excess_rate_pct": "1"}, "Enter the base amount (0 or more)."),
    ({"kind": "staged", "rate_pct": "10", "stages": {"scouting": "50", "transfer": "40"}},
     "The stage shares add up to 90 %; they must sum to exactly 100 %."),
    ({"kind": "staged", "rate_pct": "10", "stages": {"marketing": "100"}}, "Unknown stage in the stage shares."),
])
def test_incomplete_rules_are_explained(rule, problem):
    assert problem in rule_problems(rule)


@pytest.mark.parametrize("rule", [{"kind": "flat", "rate_pct": "5"}, TIERED, THREE_TIERS, BASE_EXCESS, STAGED])
def test_complete_rules_have_no_problems(rule):
    assert rule_problems(rule) == []


def test_the_snapshot_keeps_kind_parameters_and_formula_version():
    assert rule_snapshot(STAGED) == {
        "kind": "staged", "formula": FORMULA_VERSION,
        "params": {"rate_pct": "10", "stages": {"scouting": "30", "incubation": "40", "transfer": "30"}}}
    assert rule_snapshot(TIERED)["params"] == {"tiers": [{"up_to": "1000000", "rate_pct": "5"},
                                                         {"up_to": None, "rate_pct": "3"}]}


def test_describe_says_the_formula_in_words():
    assert describe(TIERED) == "5 % up to 1,000,000.00; 3 % above"
    assert describe(BASE_EXCESS) == "20,000.00 plus 2.5 % of the part above 1,000,000.00"
