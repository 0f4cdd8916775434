"""The domain and the database: identity, sessions and consent, benefits and sync, the outbox, audit, jobs, texts.

Layer rule: services/ never imports api/ or notifications/ (``tests/test_layers.py``); what it needs from them
reaches it through the hub (``services.hub.Hub``, built by ``composition.py``) or a small protocol of its own.

Commit rule: whoever opens a session commits it: a route the request's session, a job or command the session it
opens (``hub.session()``), a service function the sessions it opens itself. A function given a session never
commits it unless its ``def`` line says ``@commits`` (``services.db``) and its docstring says why.
"""
