"""Where hocsau's messages go: stdout while interactive logging is on, else Python logging."""

from __future__ import annotations

import logging
import sys

from hocsau.config import (
    disable_interactive_logging,
    enable_interactive_logging,
    is_interactive_logging_enabled,
)

_LOGGER = logging.getLogger("hocsau")


def print_msg(message, line_break: bool = True) -> None:
    """Write `message` to stdout (interactive logging) or log it at INFO level."""
    message = str(message)
    if is_interactive_logging_enabled():
        sys.stdout.write(message + "\n" if line_break else message)
        sys.stdout.flush()
    else:
        _LOGGER.info(message)


__all__ = ["disable_interactive_logging", "enable_interactive_logging",
           "is_interactive_logging_enabled", "print_msg"]
