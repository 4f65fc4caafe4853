import pytest

from scorer.text.furniture import find_furniture, furniture_reason

FURNITURE = [
    ("Site icon The Commune", "site chrome"),
    ("Exit mobile version", "site chrome"),
    ("Skip to main content", "site chrome"),
    ("Share this", "share widget"),
    ("Share this article", "share widget"),
    ("Facebook Twitter WhatsApp Email", "share widget"),
    ("Advertisement", "advertisement"),
    ("Story continues below advertisement", "advertisement"),
    ("Read more: Trump signs order", "read-more link"),
    ("Read the rest here.", "read-more link"),
    ("RELATED: Senate passes bill", "read-more link"),
    ("Sign up for our daily newsletter", "newsletter prompt"),
    ("We use cookies to improve your experience. Accept all cookies", "cookie banner"),
    ("Photo: Reuters", "photo credit"),
    ("(Photo by Chip Somodevilla/Getty Images)", "photo credit"),
    ("By John Smith and Jane Doe", "byline"),
    ("By JOHN SMITH, Associated Press", "byline"),
    ("Updated 3:04 PM ET, Tue June 2, 2020", "timestamp"),
    ("© 2020 Cable News Network. All rights reserved.", "copyright"),
    ("pic.twitter.com/AbC123", "embed markup"),
    ("WASHINGTON —", "dateline"),
]
ARTICLE_TEXT = [
    "The vote was held on Tuesday.",
    "By the end of the year, prices had risen 4 percent.",
    "Share prices fell 3 percent on Monday.",
    "Search crews found the wreckage near the coast.",
    "Photographs show the convoy crossing the border, officials said.",
    "Iran may have paid Haqqani Network to attack US troops in Afghanistan after Soleimani’s assassination",
    "WASHINGTON (AP) — The Senate voted 52-48 on Tuesday.",
    "Advertisements for the drug ran on national television for a decade.",
]


@pytest.mark.parametrize("line,reason", FURNITURE)
def test_furniture_lines_are_recognised(line, reason):
    assert furniture_reason(line) == reason


@pytest.mark.parametrize("line", ARTICLE_TEXT)
def test_article_lines_are_kept(line):
    assert furniture_reason(line) is None


def test_find_furniture_offsets_point_at_the_line(example_text):
    skipped = find_furniture(example_text)
    assert [s.text for s in skipped] == ["Site icon The Commune", "Exit mobile version"]
    for item in skipped:
        assert example_text[item.start:item.end] == item.text
