"""Where a Step Functions endpoint is and how to sign for it, from an ``--env-file`` or the environment.

``workbench engine serve --env-file F`` writes ``export AWS_ENDPOINT_URL_SFN=...`` and the engine's own
credentials to ``F``. A shell ``source``s it; the workbench reads it without a shell (only ``export K=V``,
``unset``, comments and blank lines are understood, nothing is evaluated).
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from workbench.engine.embedded.endpoint.auth import ENDPOINT_VARIABLE, EngineCredentials
from workbench.engine.errors import TargetError

_EXPORT = re.compile(r"^export\s+([A-Z_][A-Z0-9_]*)=(.*)$")
_MAX_ENV_FILE_BYTES = 64 * 1024
#: Used when nothing names credentials: LocalStack and Step Functions Local accept any key.
PLACEHOLDER_KEYS = ("workbench", "workbench")


@dataclass(frozen=True)
class EndpointSettings:
    """An endpoint URL (may be empty) and the credentials to sign for it (None: use placeholder keys)."""

    url: str
    credentials: EngineCredentials | None
    source: str


def read_env_file(path: str | os.PathLike[str]) -> dict[str, str]:
    """The ``export NAME=value`` assignments of an env file written by ``workbench engine serve --env-file``.

    Example:
        >>> import tempfile, pathlib
        >>> f = pathlib.Path(tempfile.mkdtemp()) / "engine.env"
        >>> _ = f.write_text("export AWS_ENDPOINT_URL_SFN=http://127.0.0.1:4599\\nunset AWS_SESSION_TOKEN\\n")
        >>> read_env_file(f)
        {'AWS_ENDPOINT_URL_SFN': 'http://127.0.0.1:4599'}
    """
    where = Path(path)
    try:
        if where.stat().st_size > _MAX_ENV_FILE_BYTES:
            raise TargetError(f"{where}: not an engine env file (larger than 64 KiB)")
        text = where.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise TargetError(f"{where} is not UTF-8 text; give the file `workbench engine serve --env-file` wrote"
                          ) from None
    except OSError as exc:
        raise TargetError(f"cannot read env file {where}: {exc.strerror or exc}; start the engine with "
                          "`workbench engine serve --env-file FILE`") from None
    values: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if not stripped or stripped.startswith(("#", "unset ")):
            continue
        match = _EXPORT.match(stripped)
        if match is None:
            raise TargetError(f"{where}:{number}: expected `export NAME=value`, found '{stripped[:60]}'")
        values[match[1]] = match[2].strip().strip("'\"")
    return values


def endpoint_settings(env_file: str | os.PathLike[str] | None = None, region: str | None = None,
                      environ: Mapping[str, str] | None = None) -> EndpointSettings:
    """Endpoint and credentials from ``env_file`` when given, else from the environment (after ``source F``).

    Example:
        >>> s = endpoint_settings(environ={"AWS_ENDPOINT_URL_SFN": "http://127.0.0.1:4599",
        ...                                "AWS_ACCESS_KEY_ID": "AK", "AWS_SECRET_ACCESS_KEY": "SK"})
        >>> s.url, s.credentials.access_key_id, s.source
        ('http://127.0.0.1:4599', 'AK', 'environment')
    """
    if env_file is not None:
        values = read_env_file(env_file)
        credentials = EngineCredentials.from_environ(values, region)
        if credentials is None:
            raise TargetError(f"{env_file}: no AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY; give the file "
                              "`workbench engine serve --env-file` wrote")
        return EndpointSettings(values.get(ENDPOINT_VARIABLE, ""), credentials, str(env_file))
    values = dict(os.environ if environ is None else environ)
    credentials = EngineCredentials.from_environ(values, region)
    return EndpointSettings(values.get(ENDPOINT_VARIABLE, ""), credentials, "environment")
