"""The eval harness's defaults, apart from the harness so the CLI can show them without loading it."""

SCRIPTED = "scripted"  # --llm value: each challenge's own solution.yaml
DEFAULT_CYCLES = 10  # cycle limit per run
