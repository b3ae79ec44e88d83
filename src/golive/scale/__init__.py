"""Scale: golive on more than one machine over one PostgreSQL store. One leader per role
(``Leadership``) over the store's fenced leases; probes run as Celery tasks on `golive worker`
processes, one queue per region (``tasks``, ``worker``), and `golive serve` dispatches due
checks and judges each check by a quorum of its regions (``dispatch``, ``remote``, ``quorum``)."""

from golive.scale.leader import Leadership
from golive.store.leases import Held, fenced

__all__ = ["Held", "Leadership", "fenced"]
