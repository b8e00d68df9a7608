"""Stage 2, corpus → tokens: normalization-aware tokenizer, backends, the token table and its cache,
document-term matrices, sentences, and the Dask path."""
