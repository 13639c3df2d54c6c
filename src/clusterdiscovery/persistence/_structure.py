"""A model file's structure, checked against its JSON Schema with :mod:`jsonschema`.

``model_file.schema.json`` (shipped with the package; ``docs/model_file.schema.json`` is a
copy that a test keeps identical) is the one source of the structure rules: which keys an
object has, the type of every value, allowed words, bounds. This module compiles it once
and turns the first fault jsonschema finds into a :class:`ModelSpecError` whose message
starts with the JSON path of the fault, ``$.model.parameters.means[2][1]: expected a
number, got 'x' (str).`` What a JSON Schema cannot say (lengths against declared
dimensions, sums to 1, ...) is checked afterwards in :mod:`._validate`.

Two deliberate readings of the schema's types, stricter than the JSON Schema default:
a ``number`` must be finite and fit a double (no ``NaN`` from a Python dict, no ``1e400``
written as an integer), an ``integer`` must be a Python ``int`` (``2.0`` is not a count).
For speed (a 10,000-feature file in a fraction of a second) three shortcuts give the same
verdict as plain jsonschema (a test compares them): values under a simple schema (a
number, a word, a vector or matrix of numbers) are checked in one pass and handed to
jsonschema only when they hold a fault, so that its error names the first bad item; an
``allOf`` of ``if``/``then`` branches switching on one key (``measurement``, ``op``,
``family``) enters only the matching branch; ``$ref`` definitions are inlined once.

References
----------
JSON Schema draft 2020-12, https://json-schema.org/draft/2020-12 ; the jsonschema package,
https://python-jsonschema.readthedocs.io .
"""

from __future__ import annotations

import json
import math
import re
from functools import cache

from jsonschema import validators

from ..exceptions import ModelSpecError
from ._format import SUPPORTED_VERSIONS, load_schema

__all__ = ["check_structure", "json_path", "describe"]

_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


# ----------------------------------------------------------------------------- messages
def json_path(parts, root: str = "$") -> str:
    """``$.a.b[3]["odd key"]`` from a sequence of object keys and array indices."""
    path = root
    for part in parts:
        if isinstance(part, int):
            path += f"[{part}]"
        elif isinstance(part, str) and _IDENT.match(part):
            path += f".{part}"
        else:
            path += f"[{json.dumps(str(part))}]"
    return path


def describe(value) -> str:
    """A short, recursion-free description of a JSON value for messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return f"an object with {len(value)} key(s)"
    if isinstance(value, list):
        return f"an array of {len(value)} item(s)"
    text = repr(value)
    if len(text) > 60:
        text = text[:57] + "..."
    return f"{text} ({type(value).__name__})"


_TYPE_WORDS = {"object": "an object", "array": "an array", "string": "a string",
               "integer": "an integer", "number": "a number", "boolean": "a boolean",
               "null": "null"}


def _type_message(types, value) -> str:
    types = [types] if isinstance(types, str) else list(types)
    if _is_plain_number(value) and not _fits_double(value) and \
            ("number" in types or "integer" in types):
        if isinstance(value, float):  # NaN or infinite (from a dict, not from JSON text)
            return f"expected a finite number, got {value}."
        return "number too large."
    if types == ["boolean"]:
        return f"expected true or false, got {describe(value)}."
    if {"string", "number", "boolean"} <= set(types):  # a category level
        if value is None:
            return "a level cannot be null here."
        return f"expected a string, number or boolean level, got {describe(value)}."
    words = [_TYPE_WORDS.get(t, t) for t in types]
    wanted = words[0] if len(words) == 1 else ", ".join(words[:-1]) + " or " + words[-1]
    return f"expected {wanted}, got {describe(value)}."


def _enum_message(key, options, value) -> str:
    if key == "format_version":
        return (f"unknown format version {value!r}; this version of clusterdiscovery reads "
                f"{sorted(SUPPORTED_VERSIONS)}. Upgrade clusterdiscovery to read newer files.")
    if key == "family":
        return f"unknown model family {value!r}; expected one of {list(options)}."
    if key == "covariance_type":
        return f"unknown covariance type {value!r}; expected one of {list(options)}."
    if key == "op":
        return f"unknown step {describe(value)}; expected one of {', '.join(options)}."
    return f"expected one of {list(options)}, got {describe(value)}."


def _bound_message(kind: str, schema: dict, value) -> str:
    if schema.get("type") == "integer" or (isinstance(value, int) and "integer" in
                                           (schema.get("type") or ())):
        low, high = schema.get("minimum", "-inf"), schema.get("maximum", "inf")
        return f"expected an integer in [{low}, {high}], got {value}."
    if kind == "exclusiveMinimum":
        return f"expected a number > {schema[kind]}, got {value}."
    if kind == "minimum":
        return f"expected a number >= {schema[kind]}, got {value}."
    return f"expected a number <= {schema[kind]}, got {value}."


def _duplicate(items):
    """The first repeated item: (index, value)."""
    seen = []
    for i, v in enumerate(items):
        if any(v == s and type(v) is type(s) for s in seen):
            return i, v
        seen.append(v)
    return len(items) - 1, items[-1]  # pragma: no cover - jsonschema found a repeat


def _message(error) -> str:
    """``path: message`` for a jsonschema ``ValidationError``, in the package's words."""
    parts = list(error.absolute_path)
    kind, value, schema, arg = error.validator, error.instance, error.schema, \
        error.validator_value
    key = parts[-1] if parts else None
    if kind == "required":
        missing = next(k for k in arg if k not in value)
        return f"{json_path([*parts, missing])}: required key is missing."
    if kind == "additionalProperties":
        allowed = set(schema.get("properties", ()))
        extra = next(k for k in value if k not in allowed)
        return (f"{json_path([*parts, extra])}: unknown key; allowed keys here are "
                f"{sorted(allowed)}.")
    path = json_path(parts)
    if "propertyNames" in error.absolute_schema_path:
        path += " (a key)"
    if kind == "type":
        text = _type_message(arg, value)
    elif kind in ("enum", "const"):
        text = _enum_message(key, arg if kind == "enum" else [arg], value)
    elif kind in ("minimum", "maximum", "exclusiveMinimum"):
        text = _bound_message(kind, schema, value)
    elif kind in ("minLength", "pattern"):
        text = "expected a non-empty string."
    elif kind == "maxLength":
        text = f"string longer than {arg} characters."
    elif kind in ("minItems", "maxItems") and schema.get("minItems") == schema.get("maxItems"):
        text = f"expected an array of {arg} item(s), got {len(value)}."
    elif kind == "minItems":
        text = f"expected at least {arg} item(s), got {len(value)}."
    elif kind == "maxItems":
        text = f"array longer than the limit of {arg} items."
    elif kind == "maxProperties":
        text = f"more than {arg} entries."
    elif kind == "uniqueItems":
        i, v = _duplicate(value)
        if isinstance(v, str):
            return f"{json_path([*parts, i])}: duplicate name {v!r}."
        text = "repeated column index."
    else:  # pragma: no cover - a keyword the schema does not use
        text = error.message
    return f"{path}: {text}"


# ----------------------------------------------------------------------------- the validator
def _is_plain_number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _fits_double(value) -> bool:
    try:
        return math.isfinite(value)
    except OverflowError:
        return False


def _number(_checker, value) -> bool:
    return _is_plain_number(value) and _fits_double(value)


def _integer(_checker, value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and _fits_double(value)


_MAX_DOUBLE = 1.7976931348623157e308
_SCALAR_KEYWORDS = {"type", "minimum", "exclusiveMinimum", "maximum", "minLength",
                    "maxLength", "pattern", "const", "enum", "description"}
_ARRAY_KEYWORDS = {"type", "items", "minItems", "maxItems", "description"}
_TYPE_TESTS = {
    "number": lambda v: _number(None, v), "integer": lambda v: _integer(None, v),
    "string": lambda v: isinstance(v, str), "boolean": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
}


def _plain_float(v) -> bool:
    """A float or int as JSON gives it (not a subclass), finite, within a double."""
    t = type(v)
    return (t is float and math.isfinite(v)) or (t is int and -_MAX_DOUBLE <= v <= _MAX_DOUBLE)


def _scalar_test(schema: dict):
    """A test that a value is valid under a plain scalar ``schema`` (type, bounds, lengths,
    words), or None for another schema. False only means "let jsonschema look"."""
    if not set(schema) <= _SCALAR_KEYWORDS or not {"type", "const", "enum"} & set(schema):
        return None
    words = schema.get("enum", [schema["const"]] if "const" in schema else None)
    if words is not None:
        if "type" in schema or set(schema) - {"const", "enum", "description"} or \
                not all(isinstance(w, str) for w in words):
            return None
        words = frozenset(words)
        return lambda v: isinstance(v, str) and v in words
    types = [schema["type"]] if isinstance(schema["type"], str) else schema["type"]
    if any(t not in _TYPE_TESTS for t in types):
        return None
    low, xlow, high = (schema.get(k) for k in ("minimum", "exclusiveMinimum", "maximum"))
    if types == ["number"]:  # the bulk of a model file
        return lambda v: _plain_float(v) and (low is None or v >= low) and \
            (xlow is None or v > xlow) and (high is None or v <= high)
    tests = [_TYPE_TESTS[t] for t in types]
    nmin, nmax = schema.get("minLength", 0), schema.get("maxLength")
    pattern = re.compile(schema["pattern"]) if "pattern" in schema else None

    def test(v) -> bool:
        if not any(t(v) for t in tests):
            return False
        if _is_plain_number(v):
            return (low is None or v >= low) and (xlow is None or v > xlow) and \
                (high is None or v <= high)
        if isinstance(v, str):
            return len(v) >= nmin and (nmax is None or len(v) <= nmax) and \
                (pattern is None or pattern.search(v) is not None)
        return True

    return test


def _array_test(schema: dict):
    """A test for an array of values that have a quick test (a vector, a matrix)."""
    if not set(schema) <= _ARRAY_KEYWORDS or schema.get("type") != "array" or \
            "items" not in schema:
        return None
    item = _quick_test(schema["items"])
    if item is None:
        return None
    least, most = schema.get("minItems", 0), schema.get("maxItems")
    return lambda v: type(v) is list and len(v) >= least and \
        (most is None or len(v) <= most) and all(map(item, v))


_QUICK: dict = {}


def _quick_test(schema):
    """A one-pass validity test for a simple ``schema`` (cached), or None. When it says
    True the value is valid; otherwise jsonschema validates it and names the fault."""
    entry = _QUICK.get(id(schema))
    if entry is None or entry[0] is not schema:
        test = None
        if isinstance(schema, dict):
            test = _scalar_test(schema) or _array_test(schema)
        entry = _QUICK[id(schema)] = (schema, test)
    return entry[1]


_DRAFT = validators.validator_for({"$schema": "https://json-schema.org/draft/2020-12/schema"})
_ITEMS, _ALL_OF = _DRAFT.VALIDATORS["items"], _DRAFT.VALIDATORS["allOf"]


def _items(validator, items, instance, schema):
    """jsonschema's ``items``, with arrays of simple values checked in one pass first."""
    if isinstance(instance, list) and "prefixItems" not in schema:
        test = _quick_test(items)
        if test is not None and all(map(test, instance)):
            return
    yield from _ITEMS(validator, items, instance, schema)


def _properties(validator, properties, instance, _schema):
    """jsonschema's ``properties``; a value with a simple schema that passes its quick test
    is not descended into."""
    if not isinstance(instance, dict):
        return
    for name, subschema in properties.items():
        if name in instance:
            test = _quick_test(subschema)
            if test is not None and test(instance[name]):
                continue
            yield from validator.descend(instance[name], subschema, path=name,
                                         schema_path=name)


def _switch(all_of) -> tuple | None:
    """``(key, {word: (index, then)})`` when every branch of ``all_of`` is ``{"if":
    {"properties": {key: {"const": word}}}, "then": ...}`` with one key and text words."""
    key, table = None, {}
    for i, branch in enumerate(all_of):
        try:
            (k, cond), = branch["if"]["properties"].items()
            word = cond["const"]
        except (KeyError, TypeError, ValueError, AttributeError):
            return None
        if set(branch) != {"if", "then"} or set(branch["if"]) != {"properties"} or \
                set(cond) != {"const"} or not isinstance(word, str) or key not in (None, k):
            return None
        key = k
        table[word] = (i, branch["then"])
    return key, table


_SWITCHES: dict = {}


def _all_of(validator, all_of, instance, schema):
    """jsonschema's ``allOf``; for a switch on one key (an LCA column's ``measurement``, a
    step's ``op``) only the branch whose ``if`` holds is entered: the others' ``if`` fails,
    so they cannot fail (the result is the same, without evaluating each ``if``)."""
    entry = _SWITCHES.get(id(all_of))
    if entry is None or entry[0] is not all_of:
        entry = _SWITCHES[id(all_of)] = (all_of, _switch(all_of))
    switch = entry[1]
    if switch is None or not isinstance(instance, dict) or switch[0] not in instance:
        yield from _ALL_OF(validator, all_of, instance, schema)
        return
    word = instance[switch[0]]
    if isinstance(word, str) and word in switch[1]:
        index, then = switch[1][word]
        yield from validator.descend(instance, then, schema_path=index)


def _inline(node, defs: dict, done: dict):
    """``node`` with every ``{"$ref": "#/$defs/name"}`` replaced by the definition, itself
    inlined once and shared (the model-file schema has no recursion): jsonschema then
    resolves no reference while it validates."""
    if isinstance(node, list):
        return [_inline(v, defs, done) for v in node]
    if not isinstance(node, dict):
        return node
    ref = node.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/$defs/") and set(node) <= {"$ref",
                                                                             "description"}:
        name = ref[len("#/$defs/"):]
        if name not in done:
            done[name] = _inline(defs[name], defs, done)
        return done[name]
    return {k: _inline(v, defs, done) for k, v in node.items()}


@cache
def _validator():
    """The schema compiled once: its draft's validator with the strict number types, the
    one-pass tests of simple values, the switches, and the definitions inlined."""
    schema = load_schema()
    base = validators.validator_for(schema)
    base.check_schema(schema)
    checker = base.TYPE_CHECKER.redefine_many({"number": _number, "integer": _integer})
    shortcuts = {"items": _items, "properties": _properties, "allOf": _all_of}
    cls = validators.extend(base, validators=shortcuts, type_checker=checker)
    body = {k: v for k, v in schema.items() if k != "$defs"}
    return cls(_inline(body, schema["$defs"], {}))


def check_structure(doc) -> None:
    """Check a parsed model file against the schema.

    Raises
    ------
    ModelSpecError
        For the first fault jsonschema reports, with its JSON path.
    """
    error = next(_validator().iter_errors(doc), None)
    if error is not None:
        raise ModelSpecError(_message(error))
