"""Mission test results as JUnit XML, the report format CI systems read (GitHub, GitLab, Jenkins).

One ``<testsuite>`` per Mission, one ``<testcase>`` per case (``classname`` = the Mission, ``name`` = the
case), a ``<failure>`` with the differences for a failed case and an ``<error>`` for a case that could not
run; coverage percentages are ``<properties>`` of the suite. Text is redacted by the results already; characters
XML 1.0 cannot carry are replaced.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence

from workbench.history.mission_tests.coverage import CATEGORIES
from workbench.history.mission_tests.results import SuiteResult

__all__ = ["junit_xml"]

_NOT_XML = re.compile("[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _clean(text: str) -> str:
    return _NOT_XML.sub("\ufffd", text)


def junit_xml(results: Sequence[SuiteResult], name: str = "workbench test") -> str:
    """The whole JUnit XML document for these results.

    Example:
        >>> print(junit_xml([]).splitlines()[1])
        <testsuites name="workbench test" tests="0" failures="0" errors="0" skipped="0" time="0.000" />
    """
    root = ET.Element("testsuites", name=name, tests=str(sum(len(r.cases) for r in results)),
                      failures=str(sum(r.count("failed") for r in results)),
                      errors=str(sum(r.count("error") for r in results)), skipped="0",
                      time=f"{sum(r.seconds for r in results):.3f}")
    for result in results:
        suite = ET.SubElement(root, "testsuite", name=result.mission, tests=str(len(result.cases)),
                              failures=str(result.count("failed")), errors=str(result.count("error")), skipped="0",
                              time=f"{result.seconds:.3f}", file=str(result.suite.source))
        props = ET.SubElement(suite, "properties")
        overall = result.coverage.percent()
        ET.SubElement(props, "property", name="coverage.overall", value=f"{overall or 0.0:.1f}")
        for category in CATEGORIES:
            done, total = result.coverage.count(category)
            ET.SubElement(props, "property", name=f"coverage.{category}", value=f"{done}/{total}")
        for case in result.cases:
            line = result.suite.case_lines.get(case.case)
            attrs = {"classname": result.mission, "name": case.case, "time": f"{case.seconds:.3f}",
                     "file": str(result.suite.source), **({"line": str(line)} if line else {})}
            element = ET.SubElement(suite, "testcase", attrs)
            if case.verdict == "failed":
                first = case.mismatches[0].render().splitlines()[0]
                failure = ET.SubElement(element, "failure", message=_clean(first), type="MissionTestFailure")
                failure.text = _clean(case.explain())
            elif case.verdict == "error":
                error = ET.SubElement(element, "error", message=_clean(case.explain().splitlines()[-1][:300]),
                                      type="MissionTestError")
                error.text = _clean(case.explain())
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
