"""ASL: the Mission → ASL compiler, the ASL linter, the ASL → Mission importer and graph extraction."""

from workbench.asl.compiler import compile_mission, compile_to_json, dumps_asl

__all__ = ["compile_mission", "compile_to_json", "dumps_asl"]
