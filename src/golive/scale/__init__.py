"""Scale: what lets several ``golive serve`` processes share one PostgreSQL store; for now one
leader per role (``Leadership``) over the store's fenced leases."""

from golive.scale.leader import Leadership
from golive.store.leases import Held, fenced

__all__ = ["Held", "Leadership", "fenced"]
