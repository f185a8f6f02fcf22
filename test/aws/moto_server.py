"""moto's server with one change: a DynamoDB transaction backs up only the items it touches.

moto 5.2.1's ``transact_write_items`` deep-copies every table a transaction names, once per
action, before it starts, so that it can roll back. Its cost grows with the table: with a few
thousand rows each transaction took seconds and a 1,000-document backlog slowed from about 90 to
28 documents a minute (``npm run bench -- --aws``). DynamoDB's own cost does not grow that way.

Here the whole-table copy is replaced by a copy of each item the transaction names (its Put
item's key, or its Key), taken before it starts, and the same rollback restores exactly those
items. What a transaction does, what it refuses and what it answers are moto's own code.

Usage: ``python moto_server.py -H 127.0.0.1 -p PORT`` (moto.server's own arguments).
"""

import copy
import sys
import threading

from moto.dynamodb import models as dynamodb_models
from moto.dynamodb.models.dynamo_type import DynamoType
from moto.dynamodb.models.table import Table

_within = threading.local()
_real_deepcopy = copy.deepcopy


class _CopyShim:
    """The ``copy`` module as ``moto.dynamodb.models`` sees it: a table is not copied inside a transaction."""

    @staticmethod
    def deepcopy(value, memo=None):
        if isinstance(value, Table) and getattr(_within, "transaction", False):
            return value
        return _real_deepcopy(value, memo)

    def __getattr__(self, name):
        return getattr(copy, name)


dynamodb_models.copy = _CopyShim()

_original = dynamodb_models.DynamoDBBackend.transact_write_items


def _key_of(table, op):
    attrs = op.get("Item") or op.get("Key") or {}
    hash_value = attrs.get(table.hash_key_attr)
    if hash_value is None:
        return None
    range_value = attrs.get(table.range_key_attr) if table.range_key_attr else None
    return DynamoType(hash_value), DynamoType(range_value) if range_value is not None else None


def _read(table, key):
    hash_key, range_key = key
    if hash_key not in table.items:
        return None
    if range_key is None:
        return table.items[hash_key]
    return table.items[hash_key].get(range_key)


def _restore(table, key, saved):
    hash_key, range_key = key
    if range_key is None:
        if saved is None:
            table.items.pop(hash_key, None)
        else:
            table.items[hash_key] = saved
        return
    bucket = table.items[hash_key]
    if saved is None:
        bucket.pop(range_key, None)
        if not bucket:
            table.items.pop(hash_key, None)
    else:
        bucket[range_key] = saved


def transact_write_items(self, transact_items):
    saved = []
    for action in transact_items:
        if not isinstance(action, dict) or len(action) != 1:
            continue
        _, op = next(iter(action.items()))
        table = self.tables.get(op.get("TableName")) if isinstance(op, dict) else None
        if table is None:
            continue
        key = _key_of(table, op)
        if key is not None:
            saved.append((table, key, _real_deepcopy(_read(table, key))))
    _within.transaction = True
    try:
        return _original(self, transact_items)
    except Exception:
        # moto rolls back by putting its "copies" back: here the live tables. Restore the items,
        # last saved first, so an item named twice ends as it was before the transaction.
        for table, key, item in reversed(saved):
            _restore(table, key, item)
        raise
    finally:
        _within.transaction = False


dynamodb_models.DynamoDBBackend.transact_write_items = transact_write_items

if __name__ == "__main__":
    from moto.server import main

    sys.exit(main(sys.argv[1:]))
