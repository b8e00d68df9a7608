"""Stage 1, raw files → corpus: readers, catalog, dates, places, metadata, cleaning, segmentation,
roles, the build of the corpus tables, and generated corpora for tests and benchmarks."""
