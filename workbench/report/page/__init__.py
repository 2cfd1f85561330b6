"""The page every report shares: escaping, tables, embedded figures, the Content-Security-Policy and the document.

Example:
    >>> from workbench.report.page.html import esc
    >>> esc("<b>")
    '&lt;b&gt;'
"""
