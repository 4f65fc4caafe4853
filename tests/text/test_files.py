import pytest

from scorer.errors import InputError
from scorer.text.files import decode_bytes, is_html, read_text_file, require_content


def test_plain_utf8_and_bom_are_decoded():
    assert decode_bytes("Café “quoted”".encode()) == "Café “quoted”"
    assert decode_bytes(b"\xef\xbb\xbfHello") == "Hello"


def test_invalid_utf8_names_file_and_line():
    with pytest.raises(InputError, match=r"^story\.txt:2: not UTF-8 text \(byte 0xe9"):
        decode_bytes("line one\ncaf".encode() + b"\xe9 latin-1", "story.txt")


def test_binary_and_utf16_rejected():
    with pytest.raises(InputError, match="binary"):
        decode_bytes(b"\x89PNG\r\n\x1a\n\x00\x00", "img.png")
    with pytest.raises(InputError, match="UTF-16"):
        decode_bytes("hi".encode("utf-16"), "u16.txt")


def test_empty_and_whitespace_rejected():
    with pytest.raises(InputError, match="empty article"):
        require_content(" \n\t", "blank.txt")
    assert require_content("x", "a.txt") == "x"


def test_read_text_file_errors_name_the_path(tmp_path):
    with pytest.raises(InputError, match="missing.txt: not found"):
        read_text_file(tmp_path / "missing.txt")
    with pytest.raises(InputError, match="is a directory"):
        read_text_file(tmp_path)
    good = tmp_path / "ok.txt"
    good.write_bytes(b"\xef\xbb\xbfOne.")
    assert read_text_file(good) == "One."


def test_is_html():
    assert is_html("a.HTML")
    assert is_html("a.txt", "  <!DOCTYPE html><html>")
    assert not is_html("a.txt", "Plain <b>text</b>")
