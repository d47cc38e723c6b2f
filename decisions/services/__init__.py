"""The decisions app's writes, one module per use case: letters, review documents, incubation
documents, and the storage they share."""
