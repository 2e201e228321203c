"""Updates through pymongo: operators, arrayFilters, replacements, DuplicateKey details.

Each expected value is MongoDB's documented result; tests taking ``db`` also run against a
real server when ``MONGODB_URI`` is set.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from pymongo import ReturnDocument
from pymongo.errors import DuplicateKeyError, OperationFailure, WriteError

if TYPE_CHECKING:
    from conftest import Db


def test_array_filters_update_the_matching_elements(db: Db) -> None:
    db.c.insert_many(
        [
            {"_id": 1, "grades": [{"g": 80, "m": 75}, {"g": 90, "m": 100}]},
            {"_id": 2, "grades": [{"g": 95, "m": 70}, {"g": 60, "m": 90}]},
        ]
    )

    result = db.c.update_many(
        {}, {"$set": {"grades.$[high].m": 0}}, array_filters=[{"high.g": {"$gte": 85}}]
    )

    assert result.modified_count == 2
    assert [d["grades"] for d in db.c.find({}, sort=[("_id", 1)])] == [
        [{"g": 80, "m": 75}, {"g": 90, "m": 0}],
        [{"g": 95, "m": 0}, {"g": 60, "m": 90}],
    ]


def test_all_positional_nested_and_scalar_array_filters(db: Db) -> None:
    db.c.insert_one({"_id": 1, "a": [[1, 5], [7]], "b": [1, 2, 3]})

    db.c.update_one(
        {},
        {"$inc": {"a.$[].$[big]": 10}, "$set": {"b.$[x]": 0}},
        array_filters=[{"big": {"$gt": 4}}, {"x": {"$in": [1, 3]}}],
    )

    assert db.c.find_one({"_id": 1}) == {"_id": 1, "a": [[1, 15], [17]], "b": [0, 2, 0]}


def test_find_one_and_update_with_array_filters(db: Db) -> None:
    db.c.insert_one({"_id": 1, "tags": ["a", "b", "a"]})

    after = db.c.find_one_and_update(
        {"_id": 1},
        {"$set": {"tags.$[t]": "z"}},
        array_filters=[{"t": "a"}],
        return_document=ReturnDocument.AFTER,
    )

    assert after == {"_id": 1, "tags": ["z", "b", "z"]}


def test_array_filter_mistakes_are_errors(db: Db) -> None:
    db.c.insert_one({"_id": 1, "a": [1]})

    with pytest.raises(WriteError) as missing:
        db.c.update_one({}, {"$set": {"a.$[x]": 0}})
    with pytest.raises(WriteError) as unused:
        db.c.update_one({}, {"$set": {"a.0": 0}}, array_filters=[{"x": 1}])

    assert missing.value.code == 2
    assert "No array filter found for identifier 'x'" in str(missing.value)
    assert unused.value.code == 9


def test_the_positional_operator_resolves_against_the_filter(db: Db) -> None:
    db.c.insert_one({"_id": 1, "items": [{"k": "a", "n": 1}, {"k": "b", "n": 1}]})

    db.c.update_one({"items.k": "b"}, {"$inc": {"items.$.n": 5}})

    assert db.c.find_one({"_id": 1}) == {
        "_id": 1,
        "items": [{"k": "a", "n": 1}, {"k": "b", "n": 6}],
    }


def test_a_replacement_keeps_the_stored_id_whatever_the_filter(db: Db) -> None:
    db.c.insert_many([{"_id": 1, "a": 1}, {"_id": 2, "a": 2}])

    result = db.c.replace_one({"_id": {"$gt": 1}}, {"b": 1})
    db.c.update_one({"_id": 1}, [{"$replaceRoot": {"newRoot": {"c": "$a"}}}])

    assert result.modified_count == 1
    assert list(db.c.find({}, sort=[("_id", 1)])) == [{"_id": 1, "c": 1}, {"_id": 2, "b": 1}]


def test_changing_the_id_is_refused(db: Db) -> None:
    db.c.insert_one({"_id": 1})

    with pytest.raises(WriteError) as replaced:
        db.c.replace_one({"_id": 1}, {"_id": 2})
    with pytest.raises(WriteError) as set_:
        db.c.update_one({"_id": 1}, {"$set": {"_id": 3}})

    assert replaced.value.code == 66
    assert set_.value.code == 66
    assert db.c.find_one() == {"_id": 1}


def test_an_upsert_starts_from_the_filter_equalities(db: Db) -> None:
    result = db.c.update_one(
        {"_id": 7, "kind": "x", "n": {"$gt": 1}},
        {"$inc": {"n": 5}, "$setOnInsert": {"new": 1}},
        upsert=True,
    )

    assert result.upserted_id == 7
    assert db.c.find_one({"_id": 7}) == {"_id": 7, "kind": "x", "n": 5, "new": 1}


def test_operator_type_errors_say_where(db: Db) -> None:
    db.c.insert_one({"_id": 1, "a": "text", "b": 1})

    with pytest.raises(WriteError) as inc:
        db.c.update_one({"_id": 1}, {"$inc": {"a": 1}})
    with pytest.raises(WriteError) as nested:
        db.c.update_one({"_id": 1}, {"$set": {"b.c": 1}})
    with pytest.raises(WriteError) as conflict:
        db.c.update_one({"_id": 1}, {"$set": {"x": 1}, "$inc": {"x": 1}})

    assert inc.value.code == 14
    assert "non-numeric type string" in str(inc.value)
    assert nested.value.code == 28
    assert conflict.value.code == 40


def test_push_with_modifiers_and_pull_with_a_condition(db: Db) -> None:
    db.c.insert_one({"_id": 1, "s": [5, 1], "p": [{"v": 1}, {"v": 9}]})

    db.c.update_one(
        {"_id": 1},
        {
            "$push": {"s": {"$each": [3, 8], "$sort": 1, "$slice": 3}},
            "$pull": {"p": {"v": {"$gt": 5}}},
        },
    )

    assert db.c.find_one({"_id": 1}) == {"_id": 1, "s": [1, 3, 5], "p": [{"v": 1}]}


def test_duplicate_key_errors_name_the_index_and_key(db: Db) -> None:
    db.c.create_index("email", unique=True)
    db.c.insert_one({"_id": 1, "email": "a@x"})
    namespace = f"{db.name}.c"

    with pytest.raises(DuplicateKeyError) as inserted:
        db.c.insert_one({"_id": 2, "email": "a@x"})
    with pytest.raises(DuplicateKeyError) as upserted:
        db.c.find_one_and_update({"_id": 3}, {"$set": {"email": "a@x"}}, upsert=True)
    with pytest.raises(DuplicateKeyError) as by_id:
        db.c.insert_one({"_id": 1})

    assert inserted.value.details is not None
    assert inserted.value.details["keyPattern"] == {"email": 1}
    assert inserted.value.details["keyValue"] == {"email": "a@x"}
    assert inserted.value.details["errmsg"] == (
        f"E11000 duplicate key error collection: {namespace} index: email_1 dup key:"
        ' { email: "a@x" }'
    )
    assert upserted.value.details is not None
    assert upserted.value.details["keyPattern"] == {"email": 1}
    assert by_id.value.details is not None
    assert by_id.value.details["keyPattern"] == {"_id": 1}
    assert by_id.value.details["keyValue"] == {"_id": 1}


def test_merge_when_matched_fail_is_a_duplicate_key(db: Db) -> None:
    db.c.insert_one({"_id": 2, "x": 1})

    with pytest.raises(OperationFailure) as raised:
        list(
            db.aggregate(
                [
                    {"$documents": [{"_id": 2, "x": 1}]},
                    {"$merge": {"into": "c", "whenMatched": "fail"}},
                ]
            )
        )

    assert raised.value.code == 11000
    assert raised.value.details is not None
    assert raised.value.details["keyValue"] == {"_id": 2}


def test_top_level_dollar_and_dotted_field_names_are_stored(db: Db) -> None:
    db.c.insert_one({"_id": 1, "$a": 1, "b.c": 2})

    with pytest.raises(WriteError):
        db.c.insert_one({"_id": {"$x": 1}})

    assert db.c.find_one({"_id": 1}) == {"_id": 1, "$a": 1, "b.c": 2}


def test_an_unknown_statement_field_is_a_command_error(db: Db) -> None:
    with pytest.raises(OperationFailure) as raised:
        db.command("update", "c", updates=[{"q": {}, "u": {"$set": {"a": 1}}, "sort": {"a": 1}}])

    assert raised.value.code == 40415


def test_a_validator_refuses_invalid_documents_unless_bypassed(db: Db) -> None:
    db.create_collection("c", validator={"a": {"$exists": True}})

    with pytest.raises(WriteError) as refused:
        db.c.insert_one({"_id": 1, "x": 100})
    db.c.insert_one({"_id": 1, "x": 100}, bypass_document_validation=True)
    db.c.insert_one({"_id": 2, "a": 0})
    with pytest.raises(WriteError) as update:
        db.c.update_one({"_id": 2}, {"$unset": {"a": ""}})

    assert refused.value.code == 121
    assert refused.value.details is not None
    assert refused.value.details["errInfo"]["failingDocumentId"] == 1
    assert update.value.code == 121
    assert db.c.find_one({"_id": 2}) == {"_id": 2, "a": 0}


def test_a_json_schema_validator(db: Db) -> None:
    schema = {
        "bsonType": "object",
        "required": ["name"],
        "properties": {"name": {"bsonType": "string"}, "n": {"bsonType": "int", "minimum": 0}},
    }
    db.create_collection("c", validator={"$jsonSchema": schema})

    db.c.insert_one({"name": "x", "n": 1})
    with pytest.raises(WriteError) as negative:
        db.c.insert_one({"name": "y", "n": -1})
    with pytest.raises(WriteError) as unnamed:
        db.c.insert_one({"n": 1})

    assert (negative.value.code, unnamed.value.code) == (121, 121)


def test_documents_over_16_mib_are_refused(db: Db) -> None:
    big = "x" * (16 * 1024 * 1024)
    db.c.insert_one({"_id": 1, "s": "small"})

    with pytest.raises(OperationFailure):
        db.c.insert_one({"_id": 2, "s": big})
    with pytest.raises(OperationFailure):
        db.c.update_one({"_id": 1}, {"$set": {"s": big}})

    assert db.c.find_one({"_id": 1}) == {"_id": 1, "s": "small"}
