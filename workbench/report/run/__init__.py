"""The run report: options and context (:mod:`.context`), the build (:mod:`.build`), its sections by subject
(:mod:`.overview`: summary, timeline, latency; :mod:`.inspect`: the graph and inspector; :mod:`.failures`:
retries and failures; :mod:`.cost`: money), and the ``workbench report`` command (:mod:`.command`).

Example:
    >>> from workbench.report import build
    >>> build(["runs/a.json"]).save("report.html")  # doctest: +SKIP
"""
