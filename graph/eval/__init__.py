"""`autogpt eval`: run a suite of agbenchmark-format challenges through the agent and score them.

challenge.py loads a challenge folder, fixture_web.py serves its web pages on 127.0.0.1, runner.py runs
it in a fresh workspace, grading.py scores the workspace, report.py prints the table and writes JSON.
"""
