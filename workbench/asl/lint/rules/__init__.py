"""The per-topic rule families the linter runs over each state graph, plus the tables and helpers they share.

``structure`` checks graph shape (StartAt, transitions, reachability, loops); ``fields`` the fields of each
state type, dispatching to ``choice``, ``mapstate`` (Parallel and Map), ``resources`` (Task ARNs) and
``templates`` (payload templates); ``limits`` the service size limits; ``numbers`` and ``engine`` what the
embedded engine cannot read or run. ``spec`` holds the ASL field tables as data and ``values`` the small
value checks the rules have in common. ``workbench.asl.lint.core`` drives them.
"""
