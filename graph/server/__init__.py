"""`autogpt serve`: the agent over HTTP as the Agent Protocol v1 (tasks, steps, artifacts), the API
agbenchmark and AutoGPT's later versions speak. A face, like the CLI: it drives the same AgentRunner.

- protocol.py: the request and response bodies, and what a task's additional_input may set;
- tasks.py: the task registry, kept in each task's workspace (a shared folder when scaled out);
- steps.py: one step of a task, a cycle of the graph, and its output as text;
- artifacts.py: the files of a task's workspace, confined as the file commands are;
- service.py: the agent behind the routes (one runner, one checkpointer, the lock per step);
- app.py: the FastAPI routes and the JSON errors.
"""
