"""The server's failures, each one sentence with its HTTP status: the app turns them into
{"error": sentence} responses."""

from __future__ import annotations

from autogpt_graph.graph.errors import AgentError


class ServerError(AgentError):
    status = 500


class NotFound(ServerError):
    status = 404


class BadInput(ServerError):
    status = 422


class Busy(ServerError):
    """The task is in a step elsewhere (another request, another server), or has ended."""

    status = 409
