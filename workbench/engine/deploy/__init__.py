"""Putting state machines on a target: idempotent create/update, versions and aliases (``state_machines``), and a
Director plan's bound template deployed (and started) as one state machine per parameter set (``plans``)."""
