"""Commands that change with evidence: replay recorded executions, what-if an edited Mission."""
