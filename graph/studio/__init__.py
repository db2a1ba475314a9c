"""LangGraph Studio's entry: the compiled graph and the plain run options Studio renders as a form."""
