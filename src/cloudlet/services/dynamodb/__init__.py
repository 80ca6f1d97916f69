"""Amazon DynamoDB: tables, items, expressions, indexes, transactions, TTL, backups and the
change records that the dynamodbstreams package serves."""
from cloudlet.service import Service

from .storage import SCHEMA_V1, Storage

service = Service("dynamodb", migrations=[SCHEMA_V1])
storage = Storage(service)


@service.on_reset
def _forget(svc):
    storage.forget()


from . import tables, items, query, transactions, backups, ttl, partiql  # noqa: E402,F401  (registers handlers)
