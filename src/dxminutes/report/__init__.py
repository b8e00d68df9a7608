"""Stage 4, analyses → report: figure style, charts, export of figures and tables, generated
sentences, notebook execution and the rendered report."""
