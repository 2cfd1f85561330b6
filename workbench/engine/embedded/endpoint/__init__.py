"""The engine's HTTP side: the local endpoint boto3 talks to, and who may talk to it.

``server`` holds :class:`EmbeddedEngine` (moto's ``ThreadedMotoServer`` on ``127.0.0.1``, the tool
registry, ``shared_engine``), ``http_app`` its WSGI front (request guard, ``/workbench/*`` routes, then
moto's app), ``auth`` the per-engine credentials and the SigV4/Origin/Host guard every request passes,
and ``standalone`` the ``workbench engine serve`` process and the calls other processes make to it.
Nothing here changes how moto interprets a state machine; that is the job of
:mod:`workbench.engine.embedded.interpreter`. Importing this package does not import moto;
:meth:`EmbeddedEngine.start` does.
"""
