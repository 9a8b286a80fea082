"""The engine: ruleset resolution, evaluation, explanations and repairs, scoring, waivers."""
