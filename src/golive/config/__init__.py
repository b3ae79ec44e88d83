"""Config: the schema of golive.yaml (pydantic), loading with positions, interpolation,
environment overrides, references and compiled expressions, and validation errors that name
file, line and column. Reads nothing but the file and the environment mapping it is given."""

from golive.config.checks import CheckBase
from golive.config.load import DEFAULT_FILE, LoadedConfig, find_config, load_config
from golive.config.root import ConfigBase
from golive.config.secrets import Secrets

__all__ = [
    "DEFAULT_FILE",
    "CheckBase",
    "ConfigBase",
    "LoadedConfig",
    "Secrets",
    "find_config",
    "load_config",
]
