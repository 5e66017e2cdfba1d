"""Match weights fall from a comparison's strongest level to its weakest, in the committed model
and after any estimation (a near-miss must never outscore an exact agreement)."""

from __future__ import annotations

import json
import math
from itertools import pairwise

import pytest

from identity.config import load_identity_config
from identity.model import order_levels


def _weights(comparison: dict) -> list[tuple[str, float]]:
    return [
        (level["label_for_charts"], math.log2(level["m_probability"] / level["u_probability"]))
        for level in comparison["comparison_levels"]
        if not level.get("is_null_level")
    ]


def _committed_comparisons() -> list[dict]:
    return json.loads(load_identity_config().model_path.read_text())["comparisons"]


@pytest.mark.parametrize("comparison", _committed_comparisons(), ids=lambda c: c["output_column_name"])
def test_no_level_of_the_committed_model_outweighs_a_stronger_one(comparison: dict) -> None:
    weights = _weights(comparison)
    for (stronger, stronger_weight), (weaker, weaker_weight) in pairwise(weights):
        assert stronger_weight >= weaker_weight, f"{weaker!r} outweighs {stronger!r}"


def test_violating_levels_are_pooled_keeping_their_total_m() -> None:
    model = {
        "comparisons": [
            {
                "output_column_name": "street",
                "comparison_levels": [
                    {"label_for_charts": "null", "is_null_level": True},
                    {"label_for_charts": "exact", "m_probability": 0.5, "u_probability": 0.01},  # 5.6 bits
                    {"label_for_charts": "near", "m_probability": 0.3, "u_probability": 0.001},  # 8.2 bits
                    {"label_for_charts": "unseen", "m_probability": 0.1},  # u never observed
                    {"label_for_charts": "else", "m_probability": 0.1, "u_probability": 0.989},
                ],
            }
        ]
    }

    changes = order_levels(model, u_sample_pairs=1000)

    exact, near, unseen, other = model["comparisons"][0]["comparison_levels"][1:]
    assert unseen["u_probability"] == pytest.approx(0.003)  # rule of three over 1000 sampled pairs
    assert exact["m_probability"] + near["m_probability"] + unseen["m_probability"] == pytest.approx(0.9)
    weights = [w for _, w in _weights(model["comparisons"][0])]
    assert weights == sorted(weights, reverse=True)
    assert other["m_probability"] == 0.1 and len(changes) == 2
