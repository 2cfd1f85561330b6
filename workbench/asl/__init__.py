"""ASL: the Mission → ASL compiler, the ASL linter, the ASL → Mission importer and graph extraction."""

from workbench.asl.compiler import compile_mission, compile_to_json, dumps_asl
from workbench.asl.importer import import_asl
from workbench.asl.substitutions import find_placeholders, substitute

__all__ = ["compile_mission", "compile_to_json", "dumps_asl", "find_placeholders", "import_asl", "substitute"]
