"""Who a sentence's claim rests on, by rule: the word lists, the source and cue spans of a sentence carried across
the article, and the type of a source phrase. Imports only the layers below (labels, errors, text)."""
