"""JSONata for moto's interpreter, evaluated by ``jsonata-python``.

moto ships its JSONata evaluator as ``None`` (LocalStack runs a JVM there), so every ``{% ... %}``
expression fails with ``TypeError: 'NoneType' object is not callable``. Three more fixes live here:

* moto binds string variables as ``"<text>"`` without escaping, so a value such as ``say "hi"`` breaks the
  expression: we encode every value as JSON (JSONata string escapes are JSON's).
* an expression that throws must fail the state like AWS does: an ``EvaluationFailed`` event with
  ``States.QueryEvaluationError`` (moto turned it into a bare Python exception -> ``States.Runtime``).
* AWS's extra functions: ``$uuid()`` and ``$hash(value, algorithm)`` are stubs in moto that return a
  "not supported" string; ``$randomSeeded`` does not exist on AWS (AWS's is ``$random(seed)``).
"""

from __future__ import annotations

import hashlib
import json
import random
import uuid
from typing import Any

_HASHES = {"MD5": "md5", "SHA-1": "sha1", "SHA-256": "sha256", "SHA-384": "sha384", "SHA-512": "sha512"}


def _uuid() -> str:
    return str(uuid.uuid4())


def _hash(value: Any, algorithm: Any = "SHA-256") -> str:
    name = _HASHES.get(str(algorithm))
    if name is None:
        raise ValueError(f"$hash: unsupported algorithm {algorithm!r}; use one of {', '.join(_HASHES)}")
    return hashlib.new(name, str(value).encode("utf-8")).hexdigest()


def _random(seed: Any = None) -> float:
    return random.Random(seed).random() if seed is not None else random.random()


def _plain(value: Any) -> Any:
    """jsonata-python answers with its own list type; moto expects plain JSON values."""
    return json.loads(json.dumps(value))


def evaluate(expression: str) -> Any:
    """Evaluate one fully bound expression (moto inlines every variable as ``$x := value;``).

    Example:
        >>> evaluate('($x := "say \\\\"hi\\\\""; $x & "!")')
        'say "hi"!'
    """
    from jsonata import Jsonata
    from moto.stepfunctions.parser.asl.jsonata.jsonata import JSONataException

    try:
        compiled = Jsonata(expression)
        compiled.register_lambda("uuid", _uuid)
        compiled.register_lambda("hash", _hash)
        compiled.register_lambda("random", _random)
        return _plain(compiled.evaluate(None))
    except Exception as exc:
        code = getattr(exc, "error", None)
        message = f"{code}: {exc}" if isinstance(code, str) and code else str(exc)
        raise JSONataException(str(code or "UNKNOWN"), message) from exc


def encode_variable_declarations(bindings: dict[str, Any]) -> str:
    """moto's ``encode_jsonata_variable_declarations`` with every value (strings too) written as JSON."""
    from moto.stepfunctions.parser.asl.utils.encoding import to_json_str

    return "".join(f"{name}:={to_json_str(value, separators=(',', ':'))};" for name, value in bindings.items())


def install() -> None:
    """Plug the evaluator and the fixes into moto (called once by ``patches.install``)."""
    from moto.stepfunctions.parser.asl.component.common.string import string_expression
    from moto.stepfunctions.parser.asl.component.intrinsic import jsonata as intrinsic_jsonata
    from moto.stepfunctions.parser.asl.eval import states, variable_store
    from moto.stepfunctions.parser.asl.jsonata import jsonata as jsonata_module

    from workbench.engine.embedded.interpreter.fidelity import query_evaluation_failure

    jsonata_module._eval_jsonata = evaluate
    # Imported by name in each module: replace every copy.
    for module in (jsonata_module, states, variable_store):
        module.encode_jsonata_variable_declarations = encode_variable_declarations  # type: ignore[attr-defined]
    # Drop moto's stub declarations so the native functions above are visible (and $randomSeeded is unknown).
    for name in ("$uuid", "$hash", "$randomSeeded"):
        intrinsic_jsonata._DECLARATION_BY_VARIABLE_REFERENCE.pop(name, None)  # type: ignore[attr-defined]

    original_eval_body = string_expression.StringJSONata._eval_body

    def _eval_body(self: Any, env: Any) -> None:
        try:
            original_eval_body(self, env)
        except jsonata_module.JSONataException as exc:
            cause = (f"The JSONata expression '{self.expression}' specified for the field "
                     f"'{env.next_field_name}' threw an error during evaluation. {exc.details}")
            raise query_evaluation_failure(env, cause) from exc

    string_expression.StringJSONata._eval_body = _eval_body  # type: ignore[method-assign]
