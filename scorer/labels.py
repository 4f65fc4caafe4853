"""The label sets, each spelled out once: the four attribution types, the three of them that name who the claim
rests on, the kinds of rule-extracted source the model reads, and the support grades (ANNOTATION.md)."""

LABELS = ("named_source", "anonymous_intelligence", "outlet_claim", "editorial_opinion")
# the labels of a claim that rests on a source: named, anonymous, or the outlet itself (the source-type head's classes)
SOURCE_LABELS = LABELS[:3]
# what the rule-extracted source of a sentence can be (the source-type feature): a source label, a source phrase
# whose type could not be told, or no source at all
SOURCE_KINDS = (*SOURCE_LABELS, "unresolved", "none")
GRADES = (0, 1, 2, 3)  # support grades, 0 (unsupported) to 3 (well supported)
