"""Feature flags: evaluation (enabled, environments, roles, constraints, a sticky percentage
compatible with Unleash), the Python SDK ``FlagClient`` and its OpenFeature provider
(``golive.flags.openfeature``). Importing it needs the standard library and ``mmh3`` only, so an
app can use the SDK without golive's server dependencies."""

from golive.flags.evaluate import bucket, evaluate
from golive.flags.model import Constraint, Evaluation, FlagDefinition, Reason

__all__ = ["Constraint", "Evaluation", "FlagDefinition", "Reason", "bucket", "evaluate"]
