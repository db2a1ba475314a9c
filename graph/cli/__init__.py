"""The `autogpt` command line: one Typer app, every subcommand registered the same way."""
