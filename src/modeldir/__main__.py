"""`python -m modeldir`: the same as the `modeldir` command."""

from modeldir.cli import main

# Guarded: `serve` starts a helper process by re-importing the main module (`spawn`).
if __name__ == "__main__":
    main()
