"""The build and deploy layers: Dockerfiles and Kubernetes manifests.

Parsing (``dockerfile``, ``k8s_yaml``, ``k8s_schema``, ``shell``) turns each
file into plain facts (``facts``); the rules under ``rules/`` only read those
facts.  ``check.check_artifacts`` is the one entry point the engine calls.
"""
