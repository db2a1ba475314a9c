"""Prompt text and rendering: the prompt files, the prompt of a cycle, history events, reply parsing."""
