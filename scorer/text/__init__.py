"""Article text: reading files (UTF-8 text, size limits), HTML pages, page furniture, sentences with their
character offsets and the headline, and the language check. Imports only the bottom layer (errors)."""
