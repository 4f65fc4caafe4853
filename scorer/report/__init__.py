"""What a scored article becomes: `Report` (a dict/JSON with its schema, text, Markdown, HTML), the article summary,
the renderers, and the one place the tables' columns are defined (batch tables, `score_frame`, `Report.sentences`)."""
