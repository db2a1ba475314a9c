from autogpt_graph.graph.cli.app import main

main()
