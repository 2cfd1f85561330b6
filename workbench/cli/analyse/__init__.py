"""Commands that read histories: fetch, analyze, report."""
