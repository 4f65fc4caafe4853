"""The model's npz reader (`store._member_array`) gives exactly what numpy.load(..., allow_pickle=False) gives: the same
dtype, shape, memory order, values and flags, for the shipped model's arrays and for every kind of plain .npy member
(C and Fortran order, 0-d and empty arrays, big-endian, strings, structured dtypes, npy format 2.0, compressed members
through numpy's own reader); object arrays and truncated members are refused."""
import io
import zipfile

import numpy as np
import pytest

from scorer.model import store


def _npz(arrays: dict, compression=zipfile.ZIP_STORED, version=None) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression) as archive:
        for name, array in arrays.items():
            member = io.BytesIO()
            np.lib.format.write_array(member, np.asarray(array), version=version, allow_pickle=True)
            archive.writestr(f"{name}.npy", member.getvalue())
    return out.getvalue()


def _both(raw: bytes) -> tuple[dict, dict]:
    with zipfile.ZipFile(io.BytesIO(raw)) as archive:
        mine = {i.filename.removesuffix(".npy"): store._member_array(archive, i, raw) for i in archive.infolist()}
    with np.load(io.BytesIO(raw), allow_pickle=False) as npz:
        ref = {name: npz[name] for name in npz.files}
    return mine, ref


def _same(a: np.ndarray, b: np.ndarray) -> None:
    assert a.dtype == b.dtype and a.dtype.str == b.dtype.str
    assert a.shape == b.shape and a.strides == b.strides
    assert a.tobytes(order="A") == b.tobytes(order="A")
    for flag in ("C_CONTIGUOUS", "F_CONTIGUOUS", "WRITEABLE", "ALIGNED"):
        assert a.flags[flag] == b.flags[flag], flag


def test_shipped_model_arrays_as_numpy_reads_them():
    raw = (store.default_model_dir() / store.ARRAYS_FILE).read_bytes()
    _same_listing(raw)
    mine, ref = _both(raw)
    assert set(mine) == set(ref) == store._expected_arrays()
    assert any(a.ndim == 2 and a.flags.f_contiguous and not a.flags.c_contiguous for a in ref.values())
    for name in ref:
        _same(mine[name], ref[name])
    parsed = store._parse_arrays(raw)
    for name in ref:
        _same(parsed[name], ref[name])


rng = np.random.default_rng(7)
KINDS = {
    "c2d": rng.random((5, 7)),
    "f2d": np.asfortranarray(rng.random((5, 7))),
    "f3d": np.asfortranarray(rng.random((2, 3, 4))),
    "scalar": np.array(3.5),
    "empty": np.zeros((0, 4)),
    "empty1": np.zeros(0, dtype=np.int64),
    "big_endian": np.arange(10, dtype=">i4"),
    "bool": rng.random(9) > 0.5,
    "bytes": np.array([b"ab", b"c"]),
    "unicode": np.array(["é", "xyz"]),
    "uint8": np.frombuffer(b"one\ntwo", dtype=np.uint8),
    "structured": np.array([(1, 2.5), (3, 4.5)], dtype=[("a", "<i2"), ("b", "<f8")]),
    "odd_sizes": np.arange(7, dtype=np.int16),
}


@pytest.mark.parametrize("version", [None, (1, 0), (2, 0), (3, 0)])
@pytest.mark.parametrize("compression", [zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED])
def test_every_kind_of_member(version, compression):
    mine, ref = _both(_npz(KINDS, compression, version))
    assert set(mine) == set(ref) == set(KINDS)
    for name in KINDS:
        _same(mine[name], ref[name])


def test_arrays_are_copies_not_views_of_the_file():
    raw = _npz({"a": np.arange(4.0)})
    mine, _ = _both(raw)
    mine["a"][0] = 9.0  # writable, and the archive's bytes are untouched
    assert _both(raw)[0]["a"][0] == 0.0


@pytest.mark.parametrize("compression", [zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED])
def test_object_member_refused_unread(compression):
    raw = _npz({"o": np.array([{"x": 1}], dtype=object)}, compression)
    with zipfile.ZipFile(io.BytesIO(raw)) as archive, \
            pytest.raises(ValueError, match="Object arrays cannot be loaded when allow_pickle=False"):
        store._member_array(archive, archive.infolist()[0], raw)


def test_truncated_member_refused():
    good = io.BytesIO()
    np.lib.format.write_array(good, np.arange(100.0))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("a.npy", good.getvalue()[:300])
    raw = out.getvalue()
    with zipfile.ZipFile(io.BytesIO(raw)) as archive, pytest.raises(ValueError, match="EOF"):
        store._member_array(archive, archive.infolist()[0], raw)


def test_not_npy_member_refused():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("a.npy", b"not an array at all")
    raw = out.getvalue()
    with zipfile.ZipFile(io.BytesIO(raw)) as archive, pytest.raises(ValueError):
        store._member_array(archive, archive.infolist()[0], raw)


def _same_listing(raw: bytes) -> None:
    """`store._zip_members` lists what zipfile lists (the fields `_member_array` reads), and each member it lists
    reads as numpy.load reads it without zipfile (archive None)."""
    listed = store._zip_members(raw)
    assert listed is not None
    with zipfile.ZipFile(io.BytesIO(raw)) as archive:
        infos = archive.infolist()
        assert [(i.filename, i.orig_filename, i.header_offset, i.compress_type, i.compress_size, i.flag_bits)
                for i in infos] == [tuple(m) for m in listed]
    with np.load(io.BytesIO(raw), allow_pickle=False) as npz:
        for member in listed:
            _same(store._member_array(None, member, raw), npz[member.filename.removesuffix(".npy")])


@pytest.mark.parametrize("compression", [zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED])
def test_plain_listing_as_zipfile_lists(compression):
    """Deflated members are listed too, and read through zipfile (opened then) as numpy reads them."""
    _same_listing(_npz(KINDS, compression))


def _with_comment(raw: bytes) -> bytes:
    out = io.BytesIO(raw)
    with zipfile.ZipFile(out, "a") as archive:
        archive.comment = b"a comment"
    return out.getvalue()


@pytest.mark.parametrize("make", [
    lambda raw: _with_comment(raw),  # an archive comment
    lambda raw: b"prefix" + raw,  # data before the archive (zipfile shifts the offsets)
    lambda raw: raw[: len(raw) // 2],  # truncated
    lambda raw: raw[:-22] + b"PK\x05\x06" + raw[-18:-12] + b"\xff\xff\xff\xff" + raw[-8:],  # a bad directory size
])
def test_other_archives_left_to_zipfile(make):
    raw = make(_npz(KINDS))
    assert store._zip_members(raw) is None


def test_truncated_archive_refused_by_zipfile():
    """A truncated archive is left to zipfile, which refuses it as numpy.load's zip reading did (BadZipFile)."""
    raw = _npz(KINDS)
    with pytest.raises(store._Malformed, match=r"unreadable arrays \(BadZipFile"):
        store._parse_arrays(raw[: len(raw) // 2])


def _npy_with_header(shape, data: bytes) -> bytes:
    out = io.BytesIO()
    np.lib.format.write_array_header_1_0(out, {"descr": "<f8", "fortran_order": False, "shape": shape})
    return out.getvalue() + data


@pytest.mark.parametrize("shape", [(-1, 7), (7, -1), (-2, -3), (-5,)])
def test_negative_dimensions_refused_as_numpy_refuses_them(shape):
    """A negative size made the product negative and np.frombuffer read on to the end of the file (review of
    e18d1d4): refused, as numpy.load refuses it."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("a.npy", _npy_with_header(shape, bytes(8 * 42)))
        archive.writestr("b.npy", _npy_with_header((3,), bytes(24)))
    raw = out.getvalue()
    with pytest.raises(ValueError), np.load(io.BytesIO(raw), allow_pickle=False) as npz:
        npz["a"]  # numpy refuses it too
    with zipfile.ZipFile(io.BytesIO(raw)) as archive, pytest.raises(ValueError, match="negative dimensions"):
        store._member_array(archive, archive.getinfo("a.npy"), raw)


def test_data_is_read_within_its_member():
    """A header that declares more data than its member holds is refused, even when the file goes on after it."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("a.npy", _npy_with_header((10,), bytes(8 * 3)))  # 3 values stored, 10 declared
        archive.writestr("b.npy", _npy_with_header((100,), bytes(800)))
    raw = out.getvalue()
    with zipfile.ZipFile(io.BytesIO(raw)) as archive, pytest.raises(ValueError, match="EOF"):
        store._member_array(archive, archive.getinfo("a.npy"), raw)


def _shipped_arrays_rewritten(compression=zipfile.ZIP_STORED, extra: dict | None = None) -> bytes:
    raw = (store.default_model_dir() / store.ARRAYS_FILE).read_bytes()
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(raw)) as source, zipfile.ZipFile(out, "w", compression) as archive:
        for info in source.infolist():
            archive.writestr(info.filename, source.read(info))
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return out.getvalue()


def test_compressed_members_refused_before_any_is_inflated(monkeypatch):
    """A deflated member can declare any size and inflate to it (a zip bomb): the model's arrays are stored, so a
    compressed one is refused from the directory, before numpy's reader would allocate it."""
    assert store._parse_arrays(_shipped_arrays_rewritten())  # stored: read
    raw = _shipped_arrays_rewritten(zipfile.ZIP_DEFLATED)
    monkeypatch.setattr(store, "_numpy_member", lambda *a: pytest.fail("a compressed member was read"))
    with pytest.raises(store._Malformed, match="compressed array"):
        store._parse_arrays(raw)


def test_a_name_with_and_without_npy_refused():
    """numpy.load prefers the exact name, the plain reader took the last one: an archive with both is refused."""
    name = sorted(store._expected_arrays())[0]
    raw = _shipped_arrays_rewritten(extra={name: _npy_with_header((3,), bytes(24))})
    with pytest.raises(store._Malformed, match="twice"):
        store._parse_arrays(raw)
