"""``GoliveProvider``: an OpenFeature provider over ``FlagClient`` (``pip install
golive[openfeature]``). Boolean flags only; other types answer ``TYPE_MISMATCH``."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from openfeature.evaluation_context import EvaluationContext
from openfeature.exception import ErrorCode
from openfeature.flag_evaluation import FlagResolutionDetails
from openfeature.provider import AbstractProvider, Metadata

from golive.flags.client import FlagClient


def context_of(evaluation_context: EvaluationContext | None) -> dict[str, Any]:
    """OpenFeature's context as golive's: the targeting key is the user id."""
    if evaluation_context is None:
        return {}
    context: dict[str, Any] = dict(evaluation_context.attributes)
    if evaluation_context.targeting_key:
        context["user_id"] = evaluation_context.targeting_key
    return context


class GoliveProvider(AbstractProvider):
    """Resolves boolean flags with a ``FlagClient`` (local evaluation, last-known values)."""

    def __init__(self, client: FlagClient) -> None:
        super().__init__()
        self.client = client

    def get_metadata(self) -> Metadata:
        return Metadata(name="golive")

    def shutdown(self) -> None:
        self.client.close()

    def resolve_boolean_details(
        self,
        flag_key: str,
        default_value: bool,
        evaluation_context: EvaluationContext | None = None,
    ) -> FlagResolutionDetails[bool]:
        result = self.client.evaluation(
            flag_key, context_of(evaluation_context), default=default_value
        )
        value = default_value if result.error_code else result.value
        return FlagResolutionDetails(
            value=value,
            reason=result.reason,
            variant=result.variant,
            error_code=ErrorCode(result.error_code) if result.error_code else None,
            error_message=result.detail if result.error_code else None,
        )

    def _mismatch(self, default: Any) -> FlagResolutionDetails[Any]:
        return FlagResolutionDetails(
            value=default,
            reason="ERROR",
            error_code=ErrorCode.TYPE_MISMATCH,
            error_message="golive flags are boolean",
        )

    def resolve_string_details(
        self, flag_key: str, default_value: str, evaluation_context: EvaluationContext | None = None
    ) -> FlagResolutionDetails[str]:
        return self._mismatch(default_value)

    def resolve_integer_details(
        self, flag_key: str, default_value: int, evaluation_context: EvaluationContext | None = None
    ) -> FlagResolutionDetails[int]:
        return self._mismatch(default_value)

    def resolve_float_details(
        self,
        flag_key: str,
        default_value: float,
        evaluation_context: EvaluationContext | None = None,
    ) -> FlagResolutionDetails[float]:
        return self._mismatch(default_value)

    def resolve_object_details(
        self,
        flag_key: str,
        default_value: Sequence[Any] | Mapping[str, Any],
        evaluation_context: EvaluationContext | None = None,
    ) -> FlagResolutionDetails[Sequence[Any] | Mapping[str, Any]]:
        return self._mismatch(default_value)
