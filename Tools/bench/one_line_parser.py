"""The benchmark scripts' argument parser: argparse whose errors are one line, exit status 64."""
import argparse


class OneLineParser(argparse.ArgumentParser):
    """argparse.ArgumentParser whose errors print one line (no usage block) and exit with 64."""

    def error(self, message):
        self.exit(64, f"{self.prog}: {message} (see --help)\n")
