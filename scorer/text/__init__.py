"""Article text: reading files (UTF-8 text, size limits), HTML pages, page furniture, sentences with their
character offsets and the headline, the language check, and compact vocabularies of terms (`vocab`, used by the
span tagger and the model). Imports only the bottom layer (errors)."""
