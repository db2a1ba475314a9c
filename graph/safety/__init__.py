"""Runtime safety that applies to every model: the loop guard and the prompt-injection note."""
