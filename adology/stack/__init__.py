"""The embedded stack: real servers for every store, started and supervised by the project."""

from adology.stack.manager import Stack

__all__ = ["Stack"]
