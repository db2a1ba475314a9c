"""Running the graph: the runner, threads and time travel, checkpointers, the graph picture."""
