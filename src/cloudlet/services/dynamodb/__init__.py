"""Amazon DynamoDB: tables, items, expressions, indexes, transactions, TTL, backups and the
change records that the dynamodbstreams package serves."""
from cloudlet.service import Service

from .storage import SCHEMA_V1, SCHEMA_V2, SCHEMA_V3, Storage

service = Service("dynamodb", migrations=[SCHEMA_V1, SCHEMA_V2, SCHEMA_V3])
storage = Storage(service)


@service.on_reset
def _forget(svc):
    from . import capacity
    storage.forget()
    capacity.forget()


from . import tables, items, query, transactions, backups, ttl, partiql, extras, exports  # noqa: E402,F401  (registers handlers)
