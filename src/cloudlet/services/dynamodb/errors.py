"""DynamoDB's error codes (the serializer renders com.amazonaws.dynamodb.v20120810#Code)."""
from cloudlet.errors import error_class

ValidationException = error_class("ValidationException", 400)
ResourceNotFoundException = error_class("ResourceNotFoundException")
ResourceInUseException = error_class("ResourceInUseException")
ConditionalCheckFailedException = error_class("ConditionalCheckFailedException")
TransactionCanceledException = error_class("TransactionCanceledException")
TransactionConflictException = error_class("TransactionConflictException")
TransactionInProgressException = error_class("TransactionInProgressException")
IdempotentParameterMismatchException = error_class("IdempotentParameterMismatchException")
LimitExceededException = error_class("LimitExceededException")
TableNotFoundException = error_class("TableNotFoundException")
TableAlreadyExistsException = error_class("TableAlreadyExistsException")
TableInUseException = error_class("TableInUseException")
BackupNotFoundException = error_class("BackupNotFoundException")
PointInTimeRecoveryUnavailableException = error_class("PointInTimeRecoveryUnavailableException")
ContinuousBackupsUnavailableException = error_class("ContinuousBackupsUnavailableException")
ProvisionedThroughputExceededException = error_class("ProvisionedThroughputExceededException")
DuplicateItemException = error_class("DuplicateItemException")
InvalidRestoreTimeException = error_class("InvalidRestoreTimeException")

NOT_FOUND = "Requested resource not found"
ExportNotFoundException = error_class("ExportNotFoundException")
ImportNotFoundException = error_class("ImportNotFoundException")
