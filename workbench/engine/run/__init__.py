"""Running and following executions: start and the :class:`Execution` handle (``launch``), live history
(``watch``), Express runs (``express``), and the one path that runs a Mission end to end (``mission``)."""
