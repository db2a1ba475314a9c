"""Models: the factory (OpenAI, Azure, local, scripted), the one call path with budget and usage, tokens, prices."""
