"""Errors a user can cause. The CLI prints their message as one sentence, without a traceback."""


class EnvmonError(Exception):
    """A problem the user can fix (bad config, unreachable backend, malformed input).

    The message must be one sentence naming the thing and the fix.
    """

    exit_code = 1


class ConfigError(EnvmonError):
    """Settings or a configuration file are invalid."""

    exit_code = 2


class InputError(EnvmonError):
    """An input file or argument cannot be used."""

    exit_code = 2


class QueryError(InputError):
    """A search query is malformed."""


class BackendUnavailable(EnvmonError):
    """The search backend cannot be reached or refused our credentials."""

    exit_code = 3


class SpoolWriteError(EnvmonError):
    """The raw spool could not be written (disk full, permissions); nothing partial was kept."""

    exit_code = 4
