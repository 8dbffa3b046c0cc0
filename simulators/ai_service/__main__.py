"""``python -m simulators.ai_service --port 8765 --latency-seconds 0.5 ...``: the fake in the foreground.

Every config field is a flag; change them while it runs with ``POST /_admin/config``.
"""

from __future__ import annotations

import argparse
import dataclasses

from adology.logs import configure_logging
from simulators.ai_service import FakeServerConfig, serve

_INTEGER_FIELDS = {
    "max_concurrency",
    "requests_per_minute",
    "malformed_first_n",
    "fail_first_n",
    "image_tokens",
    "seed",
}


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m simulators.ai_service", description=__doc__)
    parser.add_argument("--port", type=int, default=8765)
    for field in dataclasses.fields(FakeServerConfig):
        parser.add_argument(
            f"--{field.name.replace('_', '-')}",
            dest=field.name,
            type=int if field.name in _INTEGER_FIELDS else float,
            default=None,
        )
    arguments = vars(parser.parse_args())
    port = arguments.pop("port")
    configure_logging()
    serve(FakeServerConfig(**{name: value for name, value in arguments.items() if value is not None}), port=port)


if __name__ == "__main__":
    main()
