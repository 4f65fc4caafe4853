"""Exceptions that the CLI turns into one-line messages and exit codes (see CONTRACT.md)."""


class ScorerError(Exception):
    """Base class: carries the process exit code the CLI should use."""

    exit_code = 1


class InputError(ScorerError):
    """Bad input: unreadable, empty, binary, undecodable or malformed (exit 1)."""

    exit_code = 1


class ModelError(ScorerError):
    """Model missing, corrupt or incompatible (exit 3)."""

    exit_code = 3
