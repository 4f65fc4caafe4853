"""Word lists and word patterns shared by the source rules, the cue features, the support reasons, the summary's
flags and the corpus converter: each list is defined here once and imported wherever it is used.

Where two uses need different members (the rules' cue verbs and the features' reporting verbs, the model's
intensifiers and the keyword baseline's, the feature's denials and the converter's refusals to comment, the
features' hedges and the summary's), both sets stand here side by side, with why they differ: the shipped model
was fitted on features and labels computed with each set as it is, so merging them would change what it reads.
"""
from __future__ import annotations

import re

# Reporting verbs and nouns that introduce an attribution ("said", "according to", "told").
REPORTING_VERBS = frozenset("""
say says said saying tell tells told telling add adds added adding note notes noted noting claim claims claimed
argue argues argued arguing insist insists insisted explain explains explained state states stated declare declares
declared announce announces announced report reports reported reporting write writes wrote written warn warns warned
confirm confirms confirmed deny denies denied admit admits admitted acknowledge acknowledges acknowledged suggest
suggests suggested assert asserts asserted allege alleges alleged contend contends contended maintain maintains
maintained tweet tweets tweeted post posted recall recalls recalled reveal reveals revealed describe describes described
ask asks asked reply replies replied respond responds responded predict predicts predicted estimate estimates estimated
believe believes believed think thinks thought assess assessed assesses conclude concluded concludes find found finds
show shows showed shown indicate indicates indicated testify testified urge urged urges charge charged charges
accuse accused accuses complain complained complains concede conceded concedes boast boasted quipped joked
""".split())
# The cue words of the rule-based source extraction (`spans.find_attribution`): inflected forms of REPORTING_VERBS
# (without most base forms, "think"/"thought", "post"/"posted", "write"/"written") plus "continued" and "wondered".
# The training corpus's sources and the model's cue lexicon (`training.frames`: the learned cues | CUE_VERBS) were
# built with exactly these members, so they are not merged into REPORTING_VERBS.
CUE_VERBS = frozenset("""
said says say saying told tells tell telling added adds adding noted notes noting reported reports announced
announces stated states claimed claims argued argues wrote writes tweeted tweets explained explains insisted insists
warned warns confirmed confirms denied denies acknowledged acknowledges asserted asserts suggested suggests alleged
alleges contended contends maintained maintains recalled recalls revealed reveals predicted predicts estimated
estimates believes believed assessed assesses concluded concludes found finds showed shows testified urged urges
asked asks replied replies responded responds conceded concedes boasted quipped joked complained complains accused
accuses charged declared declares described describes admitted admits indicated indicates continued wondered
""".split())
# The verbs after a pronoun that carry a speaker over from an earlier sentence ("he added", "she continued"): the
# cue feature `carry_over_pronoun`
CARRY_VERBS = frozenset("added continued said noted explained wrote says adds notes".split())
REPORTING_PHRASES = ("according to", "in a statement", "in an interview", "told reporters", "spoke on condition",
                     "on condition of anonymity", "in a tweet", "in a post", "in a press release", "at a news conference",
                     "press conference", "declined to comment", "did not respond", "did not return")

PRONOUNS_PERSON = frozenset("he she him her his hers i me my we us our you your".split())
PRONOUNS_GROUP = frozenset("they them their it its".split())
RELATIVE_PRONOUNS = frozenset("who whom whose which that".split())

# Heads of noun phrases that leave the speaker unidentifiable (ANNOTATION.md rule 7).
ANONYMOUS_HEADS = frozenset("""
official officials aide aides source sources insider insiders staffer staffers adviser advisers advisor advisors
person people someone somebody individual individuals associate associates ally allies friend friends
confidant confidants operative operatives strategist strategists diplomat diplomats lawmaker lawmakers
critic critics expert experts analyst analysts observer observers supporter supporters opponent opponents
voter voters member members resident residents donor donors activist activists leader leaders executive executives
employee employees worker workers investigator investigators agent agents officer agency agencies intelligence
democrats republicans conservatives liberals progressives evangelicals millennials americans delegates
democrat republican conservative liberal progressive team staff crowd audience respondents
some many others several few most one those both all anyone everyone nobody either neither majority
polls surveys studies documents records emails memos files reports rumors rumours estimates observers pundits
economists scientists researchers historians scholars officers prosecutors attorneys lawyers doctors physicians
""".split())
QUANTIFIERS = frozenset("a an one two three four five six several some many other others another few various numerous multiple certain unnamed anonymous".split())

# Role nouns that, with a definite article, refer back to an identified person or body.
ROLE_HEADS = frozenset("""
president candidate nominee senator governor mayor secretary spokesman spokeswoman spokesperson campaign
company administration department ministry agency committee council court judge chairman chairwoman chair
director commissioner minister chief leader founder group organization association union party government
congressman congresswoman representative speaker manager host businessman billionaire mogul statement
poll survey report study letter memo filing ad ads advertisement tweet release video book lawsuit complaint
foundation institute center university white house pentagon fbi cia fec justice
email message piece results findings suit narrator moderator announcer organizer fund memoir speech interview
""".split())

# News outlets (lower case; matched as whole words) and generic outlet nouns.
OUTLETS = (
    "cnn", "fox news", "fox", "msnbc", "nbc", "nbc news", "abc", "abc news", "cbs", "cbs news", "npr", "pbs", "bbc",
    "reuters", "associated press", "ap", "bloomberg", "bloomberg news", "politico", "axios", "the hill", "vox", "slate",
    "new york times", "the times", "times", "washington post", "the post", "wall street journal", "the journal",
    "usa today", "los angeles times", "boston globe", "chicago tribune", "huffington post", "huffpost",
    "breitbart", "breitbart news", "buzzfeed", "buzzfeed news", "daily beast", "daily caller", "drudge report",
    "drudge", "the guardian", "guardian", "daily mail", "newsweek", "time magazine", "the atlantic", "the new yorker",
    "national review", "mother jones", "the intercept", "propublica", "rolling stone", "salon", "yahoo news",
    "business insider", "washington examiner", "washington times", "western journalism", "the daily wire", "infowars",
    "univision", "telemundo", "cnbc", "the economist", "financial times", "new york post", "daily news", "the star",
    "al jazeera", "the washington free beacon", "free beacon", "the blaze", "talking points memo", "fivethirtyeight",
    "the daily signal", "newsmax", "one america news", "oann", "the commune", "the independent", "the telegraph",
    "forbes", "xinhua", "tass", "ria novosti", "sputnik", "global times", "people's daily", "sun-times",
    "chicago sun-times", "star tribune", "miami herald", "houston chronicle", "dallas morning news",
    "des moines register", "denver post", "seattle times", "san francisco chronicle", "philadelphia inquirer",
    "arizona republic", "tampa bay times", "marketwatch", "haaretz", "jerusalem post", "der spiegel", "politifact",
    "vice news",
)
OUTLET_NOUNS = frozenset("board editorial newspaper paper network magazine outlet outlets website site tabloid broadcaster reporter reporters journalist journalists correspondent columnist media press".split())

HEDGES = ("may", "might", "could", "reportedly", "allegedly", "purportedly", "purported", "possibly", "perhaps",
          "likely", "unlikely", "appears", "appeared", "seems", "seemed", "apparently", "suggests", "suspected",
          "rumored", "rumoured", "unconfirmed", "believed to", "thought to", "said to", "is expected", "are expected",
          "it is understood", "probably", "presumably", "claimed", "alleged")

# Emphasis: the cue feature `intensifiers` counts INTENSIFIERS. "just" (recently) and "least" ("at least six") are
# left out: in news they are mostly not emphasis. The keyword baseline (`training.evaluate.keyword_rule`, the rule of
# thumb as first written) counts them and "of course" too.
INTENSIFIERS = frozenset("very really truly simply clearly obviously surely even so too indeed utterly totally "
                         "completely absolutely extremely incredibly most best worst".split())
KEYWORD_RULE_INTENSIFIERS = INTENSIFIERS | {"just", "least", "of course"}


class LazyPattern:
    """A regular expression compiled when first used (a module's rarely needed patterns stay out of the start-up: an
    alternation of every outlet name takes ~1.5 ms to compile); then its methods are the compiled pattern's own."""

    def __init__(self, pattern: str, flags: int = 0):
        self.pattern, self._flags = pattern, flags  # .flags, as all else, is the compiled pattern's (with re.U)

    def __getattr__(self, name: str):
        if name.startswith("__"):
            raise AttributeError(name)
        compiled = re.compile(self.pattern, self._flags)
        for method in ("search", "match", "fullmatch", "finditer", "findall", "sub", "subn", "split"):
            setattr(self, method, getattr(compiled, method))
        return getattr(compiled, name)


# A denial or a refusal to comment in a sentence: the cue feature `denial` and the support reason that quotes it
DENIAL_RE = re.compile(r"\b(denied|denies|deny|declined to (comment|answer|confirm)|did not (respond|return|answer)|"
                       r"refused to (comment|confirm)|no comment|could not be reached|would not (comment|confirm))\b", re.I)
# A PolNeAR cue that declines to comment (ANNOTATION.md rule 4: it supplies no claim), for the corpus converter: it
# reads a marked cue, not a sentence, so denials proper ("denied") are not in it, and it has the other refusals the
# cues show ("did not reply", "declined to elaborate"); the training labels were derived with it
NO_COMMENT_RE = LazyPattern(r"\b(did not (respond|return|reply)|declined to (comment|respond|elaborate|answer)|"
                            r"could not be reached|no comment|would not comment|refused to comment)\b", re.I)

LOADED_WORDS = frozenset("""
dreaded reckless shameful disgraceful outrageous shocking disastrous catastrophic pathetic ridiculous absurd
mercurial nefarious notorious infamous corrupt crooked radical extremist vile evil sinister despicable
brazen blatant incompetent failed failing disgrace disaster rash stunning bombshell explosive scandalous
lying liar hypocrite hypocritical so-called sham hoax witch-hunt puppet regime thug thugs propaganda
heroic brilliant incredible amazing tremendous historic courageous bold fearless
""".split())

ANONYMITY_PHRASES = ("on condition of anonymity", "spoke on condition", "familiar with", "close to", "briefed on",
                     "who asked not to be named", "not authorized to", "declined to be named", "requested anonymity",
                     "intelligence has", "intelligence agencies", "it is understood", "sources said", "officials said")


def words_pattern(words) -> re.Pattern[str]:
    """A case-insensitive regex matching any of `words` (or phrases) as whole words, in the order given."""
    return re.compile(r"\b(" + "|".join(re.escape(w) for w in words) + r")\b", re.I)


def outlet_pattern() -> re.Pattern[str]:
    """A regex matching any outlet name as whole words, longest names first."""
    names = sorted(OUTLETS, key=len, reverse=True)
    return re.compile(r"\b(" + "|".join(re.escape(n) for n in names) + r")\b", re.I)


# Words of saying, thinking and showing (base forms; `speech_cue` compares stems), for telling a PolNeAR cue that
# reports words, views or evidence from one that narrates an act ("has issued a threat", "cast their votes for")
SPEECH_WORDS = frozenset("""
say said tell told add note claim argue insist explain state declare announce report write wrote written warn confirm
deny admit acknowledge suggest assert allege contend maintain tweet retweet post blog recall reveal describe reply respond
predict estimate believe think thought assess conclude find found show shown indicate testify urge charge accuse complain
concede boast quip joke call continue cite agree disagree criticize criticism critic critique question read propose
proposal point vow promise pledge refer dismiss defend fear blast slam reject assure reassure elaborate feel felt expect
expectation answer blame protest discuss remark emphasize shout talk speak spoke spoken echo tout view express lament
reiterate portray repeat list highlight mention condemn consider worry concern recount interview speech letter memo email
testimony study poll survey data figure document record analysis argument comment warning assessment account explanation
message praise accusation allegation word quote understand know knew known opinion position stance observe stress caution
disclose characterize decry denounce mock demand recommend advise advice wonder remember remind determine rule invoke
chant thank welcome encourage hint signal imply forecast project calculate hear heard see saw seen identify label dub
brand summarize counter retort insinuate grumble lash rail object plead pray preach sing sang yell scream cry whisper
address confess contrast clarify apologize applaud laud hail congratulate chide scold assail bemoan surmise proclaim
credit recognize detail outline threaten lecture opine column editorial mutter exclaim vouch interject muse
liken compare
""".split())
SPEECH_PHRASES = ("made it clear", "made clear", "make clear", "makes clear", "made a case", "make the case",
                  "made the case", "makes the case", "opened up", "weigh in", "weighed in", "shot back", "went on",
                  "goes on", "lashed out", "played up", "put it", "as follows", "spoke out", "spoken out")
_CUE_WORD = re.compile(r"[a-z][a-z'’-]*")


def _stem(word: str) -> str:
    """A crude stem, enough to match inflections of SPEECH_WORDS ("criticized", "clarifies", "noting")."""
    if len(word) > 4 and word.endswith(("ied", "ies")):
        return word[:-3] + "y"
    for suffix in ("ing", "ed", "es", "s", "e"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3 and not (suffix == "s" and word.endswith("ss")):
            return word[:-len(suffix)]
    return word


_SPEECH_STEMS = frozenset(_stem(w) for w in SPEECH_WORDS)


def speech_cue(cue: str) -> bool:
    """Whether a cue reports words, views or evidence: a speech/thought word or phrase, a reporting verb or phrase,
    or only punctuation (a colon or dash that introduces a quote)."""
    low = cue.lower()
    words = _CUE_WORD.findall(low)
    if not words:
        return True
    if any(p in low for p in REPORTING_PHRASES) or any(p in low for p in SPEECH_PHRASES):
        return True
    return any(w in REPORTING_VERBS or w in SPEECH_WORDS or (len(w) > 4 and _stem(w) in _SPEECH_STEMS) for w in words)

# Word-list features of the span tagger (`attribution.tagger`): titles before a name, the words of an anonymity
# phrase, and documents that can be a source. Its weights were learned on these exact sets.
TAGGER_TITLE_WORDS = frozenset("""
mr mrs ms dr sen rep gov gen president senator governor secretary chairman chairwoman director spokesman spokeswoman
spokesperson minister judge justice attorney general chief mayor speaker leader commissioner ambassador sheriff officer
agent professor prof rev lt col sgt""".split())
TAGGER_ANONYMITY_WORDS = frozenset("anonymity anonymously condition unnamed anonymous familiar authorized identified named "
                                   "briefed".split())
TAGGER_DOCUMENT_WORDS = frozenset("""
poll polls survey surveys study studies report reports analysis data filing filings memo memos letter email emails
statement document documents records transcript tweet tweets release ruling lawsuit complaint""".split())
