"""Live checks of a running service: ``steadygo probe URL``.

Only the target the user names is contacted; every request goes through
``runtime.fetch`` (one wall-clock budget, byte caps on every gzip layer,
same-host redirects) or, for the slow-client and idle-connection checks, a
raw socket bounded by the same budget.  Each module is one check; ``probe``
runs them in order and collects their findings, the rules they evaluated and
the checks that could not run."""
