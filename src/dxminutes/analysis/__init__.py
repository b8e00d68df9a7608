"""Stage 3, tokens and turns → analyses: grouping, theme coding, statistics, intervals, keyness,
similarity, KWIC, collocations, networks, correspondence analysis, topics and clusters."""
