"""Multi-tenant code where a ``user`` label is the tenant, not a person.

In the Cortex lineage (Loki, Mimir, Thanos' Cortex copy) the tenant id is read
with ``tenant.TenantID(ctx)`` or ``user.ExtractOrgID`` from the
``X-Scope-OrgID`` header and kept in metrics under a ``user`` label: one series
per tenant the operator configured (and deleted when the tenant goes idle),
not one per end user.  Judged from what the package imports or its module
requires, since the label value is usually passed down several calls away.
"""

from __future__ import annotations

# The tenancy toolkits whose "user" is the tenant (org) id.
TENANCY_MODULES = ("github.com/grafana/dskit", "github.com/weaveworks/common", "github.com/cortexproject/cortex")
_USER_PACKAGES = {"github.com/grafana/dskit/user", "github.com/weaveworks/common/user"}


def user_is_tenant(pkg) -> bool:
    """The package resolves tenants (imports a ``.../tenant`` package or a
    tenancy toolkit's ``user`` package), or its module requires a tenancy
    toolkit (memoised on the package)."""
    return pkg.memo("tenancy.user_is_tenant", lambda: _user_is_tenant(pkg))


def _user_is_tenant(pkg) -> bool:
    for f in pkg.files:
        for path in f.imports.lines:
            if path in _USER_PACKAGES or path.rsplit("/", 1)[-1] == "tenant":
                return True
    return any(r == m or r.startswith(m + "/") for r in pkg.module.requires for m in TENANCY_MODULES)
