"""moto's DynamoDB + SES server, answering one request at a time.

moto applies conditional writes and transactions without a lock, so two concurrent requests can
both pass a condition and both write - something DynamoDB never allows (it serialises conflicting
writes per item). Serialising requests here restores DynamoDB's atomicity, so the race tests
prove our conditions rather than moto's races.

Costs of moto that grow with the table are taken out, none of which changes an answer: every
DynamoDB model object moto makes is kept in a registry for its dashboard (never freed); a
transaction backs up each table it names with a deep copy, once per write, in case it must roll
back; a query sorts the whole table to find one partition, walks it from the start to the page's
start key and sizes every item it passes, and deep-copies what it found before it is read out
(even to count it). With a few thousand items (the race suite) that was seconds per request and
gigabytes. Here a transaction backs up only the items it writes (all it can change), and a query
reads only its partition, in order, within its key condition and the page's bounds, and hands
its items straight to the answer, which copies them out before the next request runs. The item
operations' answers, already in DynamoDB's JSON shape, are written as JSON directly rather than
through moto's generic (and slow) model-driven serializer, and the service a request is for is
looked up once per host rather than matched against every service's URLs each time.

Usage: emulator_server.py HOST PORT
"""

import copy
import json
import signal
import sys
import threading

from werkzeug.serving import run_simple
import moto.dynamodb.models as dynamodb_models
import moto.dynamodb.models.table as dynamodb_table
from moto.core.common_models import BaseModel
from moto.core.serialize import BaseJSONSerializer
from moto.dynamodb.comparisons import get_comparison_func
from moto.dynamodb.models.dynamo_type import DynamoType, Item
from moto.dynamodb.models.table import Table
from moto.moto_server.werkzeug_app import (
    DomainDispatcherApplication,
    MotoRequestHandler,
    create_backend_app,
)


def dynamodb_untracked(moto_new):
    """moto keeps every model object in a registry for its dashboard (/moto-api/data.json),
    never freed; DynamoDB's (items, copies of them) stay out of it. SES's stay: the tests read
    sent messages there."""

    def new(cls, *args, **kwargs):
        if cls.__module__.startswith("moto.dynamodb."):
            return object.__new__(cls)
        return moto_new(cls, *args, **kwargs)

    return new


class TablesAsThey:
    """moto.dynamodb.models' `copy`, except that a table's "deep copy" is the table itself: the
    transaction below keeps its own backup of the items it writes."""

    copy = staticmethod(copy.copy)

    @staticmethod
    def deepcopy(value, memo=None):
        return value if isinstance(value, Table) else copy.deepcopy(value, memo)


class ResultsAsThey:
    """moto.dynamodb.models.table's `copy`, except that a query's list of found items is not
    deep-copied: the answer turns them into plain data at once, one request at a time."""

    copy = staticmethod(copy.copy)

    @staticmethod
    def deepcopy(value, memo=None):
        if isinstance(value, list) and all(isinstance(v, Item) for v in value):
            return list(value)
        return copy.deepcopy(value, memo)


def item_key(table, attrs):
    hash_key = DynamoType(attrs[table.hash_key_attr])
    if table.range_key_attr is None:
        return hash_key, None
    return hash_key, DynamoType(attrs[table.range_key_attr])


def transact_write_items(moto_transaction):
    def run(backend, transact_items):
        backups = []
        for entry in transact_items:
            op_type, op = next(iter(entry.items()))
            table = backend.tables.get(op.get("TableName"))
            attrs = op.get("Item") if op_type == "Put" else op.get("Key")
            try:
                hash_key, range_key = item_key(table, attrs)
            except (AttributeError, KeyError, TypeError):
                continue  # moto itself refuses this entry
            stored = table.items.get(hash_key)
            if range_key is None:
                old = stored
            else:
                # A partition whose items were all deleted stays as an empty dict: its item is
                # absent (None), not the partition itself, or the undo would store `{}` as an
                # item, which every later write or query of that key then fails on.
                old = stored.get(range_key) if stored is not None else None
            stream = table.stream_shard
            backups.append(
                (table, hash_key, range_key, copy.deepcopy(old),
                 len(stream.items) if stream is not None else 0)
            )
        try:
            moto_transaction(backend, transact_items)
        except Exception:
            # Undo in reverse, so an item written twice ends as it was first found.
            for table, hash_key, range_key, old, stream_len in reversed(backups):
                if range_key is None:
                    if old is None:
                        table.items.pop(hash_key, None)
                    else:
                        table.items[hash_key] = old
                elif old is None:
                    table.items[hash_key].pop(range_key, None)
                else:
                    table.items[hash_key][range_key] = old
                if table.stream_shard is not None:
                    del table.stream_shard.items[stream_len:]
            raise

    return run


def partition_query(moto_query):
    def run(table, hash_key, range_comparison, range_objs, *args, **kwargs):
        index_name = args[4] if len(args) > 4 else kwargs.get("index_name")
        if index_name or table.range_key_attr is None:
            return moto_query(table, hash_key, range_comparison, range_objs, *args, **kwargs)
        # moto keeps the items the key condition selects; selecting them first changes nothing
        # but the work. Sorted on the plain value, moto's own sort then has nothing to move.
        test = get_comparison_func(range_comparison) if range_comparison else None
        bounds = [obj.cast_value for obj in range_objs] if test else []
        keyed = []
        for item in table.items.get(hash_key, {}).values():
            value = item.range_key.cast_value
            if test is None or test(value, *bounds):
                keyed.append((value, item))
        keyed.sort(key=lambda pair: pair[0])
        partition = page_of(table, [item for _, item in keyed], args, kwargs)
        table.all_items = lambda: partition
        try:
            return moto_query(table, hash_key, range_comparison, range_objs, *args, **kwargs)
        finally:
            del table.all_items

    return run


def page_of(table, partition, args, kwargs):
    """The part of a sorted partition moto reads for this page. moto walks from the start of the
    partition to ExclusiveStartKey on every page and sizes each item it passes, yet reads only
    one item past Limit (to know there is more: LastEvaluatedKey). Dropping the items at or
    before the start key and keeping Limit + 1, in the query's direction, leaves its answer as
    it was."""
    limit, start, forward = (list(args) + [None, None, True])[:3]
    if set(kwargs) - {"hash_key_conditions", "range_key_conditions"}:
        return partition  # a legacy QueryFilter: moto keeps the whole partition
    if start and table.range_key_attr in start:
        at = DynamoType(start[table.range_key_attr]).cast_value
        if forward:
            partition = [i for i in partition if i.range_key.cast_value > at]
        else:
            partition = [i for i in partition if i.range_key.cast_value < at]
    if limit:
        partition = partition[: limit + 1] if forward else partition[-(limit + 1):]
    return partition


ITEM_OPERATIONS = {
    "GetItem", "PutItem", "UpdateItem", "DeleteItem", "Query", "TransactWriteItems",
}


def plain_json(moto_serialize_result):
    def run(serializer, resp, result):
        operation = serializer.operation_model
        if (
            operation.service_model.service_name == "dynamodb"
            and operation.name in ITEM_OPERATIONS
            and isinstance(result, dict)
        ):
            # Top-level fields outside the operation's output shape are dropped, as moto does.
            members = operation.output_shape.members
            resp["body"] = json.dumps({k: v for k, v in result.items() if k in members})
            resp["headers"]["Content-Type"] = serializer._get_protocol_specific_content_type()
            return resp
        return moto_serialize_result(serializer, resp, result)

    return run


def once_per_host(moto_lookup):
    found = {}

    def run(dispatcher, host):
        if host not in found:
            found[host] = moto_lookup(dispatcher, host)
        return found[host]

    return run


def patch_moto():
    BaseModel.__new__ = staticmethod(dynamodb_untracked(BaseModel.__new__))
    dynamodb_models.copy = TablesAsThey
    dynamodb_table.copy = ResultsAsThey
    backend = dynamodb_models.DynamoDBBackend
    backend.transact_write_items = transact_write_items(backend.transact_write_items)
    Table.query = partition_query(Table.query)
    BaseJSONSerializer._serialize_result = plain_json(BaseJSONSerializer._serialize_result)
    DomainDispatcherApplication.get_backend_for_host = once_per_host(
        DomainDispatcherApplication.get_backend_for_host
    )


class OneAtATime:
    def __init__(self, app):
        self.app = app
        self.lock = threading.Lock()

    def __call__(self, environ, start_response):
        with self.lock:
            # Consume the whole response inside the lock: moto does its work while producing it.
            return list(self.app(environ, start_response))


def main():
    host, port = sys.argv[1], int(sys.argv[2])
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    patch_moto()
    app = DomainDispatcherApplication(create_backend_app)
    run_simple(
        host,
        port,
        OneAtATime(app),
        threaded=True,
        request_handler=MotoRequestHandler,
    )


if __name__ == "__main__":
    main()
