"""Built-in readiness checks, one module each, registered in ``golive.gate.registry``."""
