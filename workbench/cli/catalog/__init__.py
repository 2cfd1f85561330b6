"""Commands of the Mission catalog: ``catalog list|show|validate``, ``select`` and ``deploy``."""
