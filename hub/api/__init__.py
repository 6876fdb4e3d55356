"""The JSON API under /api/v1: the plumbing and the core's own resources.

Plumbing: token authentication (``auth``), the error envelope and its codes (``errors``), the
pieces every contract is built from (``models``), the blueprint conventions (``blueprint``) and
the OpenAPI document generated from the registered routes and their models (``spec``). The
core's resources, each module with its blueprint: the token's user and reference data
(``reference``), residents, cases and administration. Each package keeps its own API beside its
pages (``documents/consent/api.py``, ``documents/hearing/api.py``, ``mailbox/api/``); the app
factory registers them all under /api/v1 (``API_PREFIX``).
"""

from hub.security import API_PREFIX

__all__ = ["API_PREFIX"]
