"""The workspace's files at every step: a content-addressed record of what the agent's commands changed,
so that replay, fork and checkout see the files as they were (graph/runs/threads.py uses it)."""
