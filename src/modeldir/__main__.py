"""`python -m modeldir`: the same as the `modeldir` command."""

from modeldir.cli import main

main()
