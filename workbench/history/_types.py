"""Type aliases shared by the history modules; each comment says why the alias is left untyped (issue #12)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeAlias

#: A boto3 ``stepfunctions`` client.
SfnClient: TypeAlias = Any  # Any: boto3 builds client classes at runtime and boto3-stubs is not installed
#: A decoded JSON object (API response, history file, ASL definition); value types depend on the key.
JsonDict: TypeAlias = dict[str, Any]  # Any: JSON from the API / files, shape varies by key
#: One row for ``pd.DataFrame(rows)``, built from frame cells and read back by key.
Row: TypeAlias = dict[str, Any]  # Any: cells come from pandas, which is untyped
#: Read-only view of a decoded JSON object (event details, price tables, tool configs).
JsonMapping: TypeAlias = Mapping[str, Any]  # Any: JSON from the API / files, shape varies by key
