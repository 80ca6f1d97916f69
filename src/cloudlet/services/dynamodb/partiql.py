"""PartiQL (ExecuteStatement, BatchExecuteStatement, ExecuteTransaction): not implemented yet;
the operations answer 501 NotImplemented naming the operation."""
