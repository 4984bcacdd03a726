"""One module per subcommand, each with run(args, settings) -> exit status."""
