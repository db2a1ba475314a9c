"""Errors a user can act on: each message is one clear sentence (the CLI prints it; --debug adds the traceback)."""


class AgentError(RuntimeError):
    """A failure the user must fix (bad key, unreachable model, missing file). The run pauses at its
    last checkpoint and can be resumed once fixed. A RuntimeError because the LangGraph server (Studio)
    shows the message of those and hides that of unknown exception types."""


class RunStop(Exception):
    """A reason to end the run normally (budget spent): nodes turn it into `stop_reason`."""
