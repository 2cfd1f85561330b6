"""Parsers for the small languages embedded in ASL strings: JSONPath, intrinsic functions and JSONata.

``paths`` checks Paths and Reference Paths as Step Functions accepts them, ``intrinsics`` parses
``States.Format(...)``-style calls with bounded nesting, and ``jsonata`` parses (never evaluates)
``{% ... %}`` expressions with a cache. They answer "is this string well formed?" and leave deciding
where such a string is allowed to the rules.
"""
