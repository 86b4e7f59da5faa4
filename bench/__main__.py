"""Run every benchmark: `make bench` (or `python -m bench`)."""

from bench import board

if __name__ == "__main__":
    board.main()
