"""Reading execution histories: every input format (``get_execution_history`` responses and their pages, the
recorded corpus, Express CloudWatch Logs records, files, directories and globs) becomes an
:class:`~workbench.history.load.events.ExecutionHistory`. :mod:`~workbench.history.load.events` holds that
model and the warnings, :mod:`~workbench.history.load.normalise` turns each raw shape into it, and
:mod:`~workbench.history.load.readers` finds and reads the inputs. :mod:`~workbench.history.load.batch` reads many
executions at once into flat columns (what ``frames()`` walks), and :mod:`~workbench.history.load.definitions`
makes equal definitions one object.
"""

from workbench.history.load.readers import (
    Source,
    anonymous_name,
    history_files,
    is_run,
    iter_histories,
    load_histories,
    load_history,
    run_history,
)

__all__ = ["Source", "anonymous_name", "history_files", "is_run", "iter_histories", "load_histories", "load_history",
           "run_history"]
