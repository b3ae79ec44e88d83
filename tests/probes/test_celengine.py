"""The functions expressions may call: checked when they compile, with cel-go's results."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from golive.probes.celengine import FUNCTIONS, implementations
from golive.probes.expect import ExpressionError, compile_expression
from golive.probes.registry import builtin_kinds

HTTP = builtin_kinds()["http"].all_fields


def problem(source: str) -> str:
    with pytest.raises(ExpressionError) as caught:
        compile_expression(source, HTTP)
    return str(caught.value)


def holds(source: str) -> bool:
    outcome = compile_expression(source, {}).evaluate({})
    assert outcome.error is None, outcome.error
    return outcome.ok


def test_an_unknown_method_names_the_closest_function() -> None:
    assert problem("body.trimm() == ''") == (
        "unknown function 'trimm' in \"body.trimm() == ''\"; did you mean 'trim'?"
    )


def test_a_name_from_another_language_points_at_ours() -> None:
    assert problem("len(body) > 0").endswith("did you mean 'size'?")
    assert problem("body.lower() == 'ok'").endswith("did you mean 'lowerAscii'?")
    assert problem("max(status, 1) > 0").endswith("did you mean 'math.greatest'?")


def test_a_function_with_no_likeness_points_at_the_docs() -> None:
    assert problem("frobnicate(body)").endswith("see the functions in docs/probes.md")


def test_a_conversion_called_as_a_method_is_rejected() -> None:
    assert problem("body.int() == 1") == (
        "'int' is not a method in 'body.int() == 1'; write int(x), not x.int()"
    )


def test_a_method_called_as_a_function_is_rejected() -> None:
    assert "'startsWith' is a method" in problem('startsWith(body, "a")')


def test_a_wrong_number_of_arguments_is_rejected() -> None:
    assert problem("body.startsWith()") == (
        "x.startsWith(...) with 0 argument(s) in 'body.startsWith()'; it takes 1"
    )
    assert problem('body.split(",", 1, 2).size() > 0').endswith("it takes 1 to 2")
    assert problem("math.greatest() > 0").endswith("it takes at least 1")


def test_a_namespace_without_the_function_is_rejected() -> None:
    assert problem("math.median([1]) > 0").startswith("unknown function 'math.median'")
    assert problem("greatest(1, 2) > 0").endswith("did you mean 'math.greatest'?")


def test_calls_inside_strings_are_text() -> None:
    assert compile_expression('body == "strip(x), f()"', HTTP).variables == ("body",)


def test_names_bound_by_macros_are_not_fields() -> None:
    expectation = compile_expression("json.items.all(item, item.id > 0)", HTTP)
    assert expectation.variables == ("json",)
    assert expectation.evaluate({"json": {"items": [{"id": 1}, {"id": 2}]}}).ok
    assert not expectation.evaluate({"json": {"items": [{"id": 0}]}}).ok


def test_type_names_are_not_fields() -> None:
    expectation = compile_expression("type(status) == int", HTTP)
    assert expectation.variables == ("status",)
    assert expectation.evaluate({"status": 200}).ok


def test_a_field_named_like_a_namespace_is_still_a_field() -> None:
    fields = {"math": "dyn: a map", **HTTP}
    expectation = compile_expression("math.ratio.size() > 0", fields)
    assert expectation.variables == ("math",)


def test_only_the_registered_functions_an_expression_calls_go_in_its_context() -> None:
    assert compile_expression("size(body) > 0", HTTP).functions == {}
    called = compile_expression('body.trim().split(",").size() > 1', HTTP).functions
    assert sorted(called) == ["split", "trim"]
    assert implementations(["trim", "size", "nope"]) == {"trim": FUNCTIONS["trim"].impl}


# cel-go's strings extension, as its documentation gives the results.
@pytest.mark.parametrize(
    "source",
    [
        "'hello'.charAt(4) == 'o'",
        "'hello'.charAt(5) == ''",
        "'hello mellow'.indexOf('') == 0",
        "'hello mellow'.indexOf('ello') == 1",
        "'hello mellow'.indexOf('jello') == -1",
        "'hello mellow'.indexOf('', 2) == 2",
        "'hello mellow'.indexOf('ello', 2) == 7",
        "'hello mellow'.lastIndexOf('') == 12",
        "'hello mellow'.lastIndexOf('ello') == 7",
        "'hello mellow'.lastIndexOf('jello') == -1",
        "'hello mellow'.lastIndexOf('ello', 6) == 1",
        "'TacoCat'.lowerAscii() == 'tacocat'",
        "'TacoCÆt Xii'.lowerAscii() == 'tacocÆt xii'",
        "'TacoCat'.upperAscii() == 'TACOCAT'",
        "'TacoCÆt Xii'.upperAscii() == 'TACOCÆT XII'",
        "'hello hello'.replace('he', 'we') == 'wello wello'",
        "'hello hello'.replace('he', 'we', -1) == 'wello wello'",
        "'hello hello'.replace('he', 'we', 1) == 'wello hello'",
        "'hello hello'.replace('he', 'we', 0) == 'hello hello'",
        "'hello hello hello'.split(' ') == ['hello', 'hello', 'hello']",
        "'hello hello hello'.split(' ', 0) == []",
        "'hello hello hello'.split(' ', 1) == ['hello hello hello']",
        "'hello hello hello'.split(' ', 2) == ['hello', 'hello hello']",
        "'hello hello hello'.split(' ', -1) == ['hello', 'hello', 'hello']",
        "'tacocat'.substring(4) == 'cat'",
        "'tacocat'.substring(0, 4) == 'taco'",
        "'  \\ttrim\\n    '.trim() == 'trim'",
        "['hello', 'mellow'].join() == 'hellomellow'",
        "['hello', 'mellow'].join(' ') == 'hello mellow'",
        "[].join() == ''",
        "[].join('/') == ''",
        "'😀ab'.indexOf('a') == 1 && '😀ab'.substring(1) == 'ab' && '😀ab'.charAt(1) == 'a'",
    ],
)
def test_the_strings_functions_give_cel_gos_results(source: str) -> None:
    assert holds(source)


@pytest.mark.parametrize(
    "source",
    [
        "'hello mellow'.indexOf('ello', 20) == 0",
        "'hello mellow'.lastIndexOf('ello', -1) == 0",
        "'tacocat'.substring(-1) == ''",
        "'tacocat'.substring(2, 1) == ''",
        "'hello'.charAt(6) == ''",
    ],
)
def test_an_index_out_of_range_is_an_error_as_in_cel_go(source: str) -> None:
    outcome = compile_expression(source, {}).evaluate({})
    assert not outcome.ok and outcome.error is not None
    assert outcome.error.startswith("cannot evaluate:")


def test_size_of_a_string_counts_utf8_bytes_with_this_engine() -> None:
    # cel-go counts characters; docs/probes.md says so beside `size`
    assert holds("size('é') == 2 && size('ab') == 2")


def test_trim_strips_unicode_white_space_only() -> None:
    assert holds("'\\u00a0\\u2003x\\u3000'.trim() == 'x'")
    assert holds("'\\u200bx'.trim() == '\\u200bx'")  # a zero-width space is not white space
    assert holds("'\\u001fx'.trim() == '\\u001fx'")  # Python's strip() would drop it


def test_a_function_error_leaves_the_other_expectations_alone() -> None:
    failing = compile_expression("body.substring(10) == ''", HTTP)
    passing = compile_expression("body.trim() == 'ok'", HTTP)
    assert not failing.evaluate({"body": "ok"}).ok
    assert passing.evaluate({"body": " ok "}).ok


def test_one_expectation_evaluated_from_several_threads_reads_its_own_fields() -> None:
    expectation = compile_expression('body.trim() == "a"', HTTP)

    def judge(body: str) -> list[bool]:
        return [expectation.evaluate({"body": body}).ok for _ in range(2000)]

    with ThreadPoolExecutor(max_workers=2) as pool:
        yes, no = pool.map(judge, [" a ", " b "])
    assert all(yes) and not any(no)
