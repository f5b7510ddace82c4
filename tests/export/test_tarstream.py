"""The hand-written tar files of the sample formats: Python's tarfile reads them, spans of whole
samples copy between them unchanged, and damage is reported, not skipped."""

import io
import tarfile

import pytest

from digitseq_gui.export.formats.tarstream import (
    BLOCK,
    RECORD,
    TarWriter,
    member_parts,
    read_archive,
    read_members,
    sample_spans,
)

SAMPLES = [
    (f"{i:06d}", {"png": bytes([i]) * (300 + 97 * i), "txt": str(i).encode(), "json": b"{}" * i})
    for i in range(7)
]


def member(name: str, data: bytes) -> bytes:
    return b"".join(member_parts(name, data))


def write_tar(path, samples):
    with open(path, "wb") as handle:
        tar = TarWriter(handle)
        for key, members in samples:
            for extension, data in members.items():
                tar.add_members(member(f"{key}.{extension}", data))
        tar.close()


def members_of(samples):
    return [(f"{key}.{ext}", data) for key, members in samples for ext, data in members.items()]


def test_tarfile_reads_what_the_writer_writes(tmp_path):
    write_tar(tmp_path / "a.tar", SAMPLES)
    assert (tmp_path / "a.tar").stat().st_size % RECORD == 0
    with tarfile.open(tmp_path / "a.tar") as tar:
        read = [(m.name, tar.extractfile(m).read(), m.mode, m.mtime, m.uid) for m in tar.getmembers()]
    assert [(name, data) for name, data, *_ in read] == members_of(SAMPLES)
    assert {(mode, mtime, uid) for _, _, mode, mtime, uid in read} == {(0o644, 0, 0)}
    assert list(read_members(tmp_path / "a.tar")) == members_of(SAMPLES)


def test_copied_sample_spans_make_the_tar_written_directly(tmp_path):
    write_tar(tmp_path / "piece.tar", SAMPLES)
    piece = read_archive(tmp_path / "piece.tar")
    spans = list(sample_spans(tmp_path / "piece.tar", piece))
    assert [key for key, _, _ in spans] == [key for key, _ in SAMPLES]
    assert spans[0][1] == 0 and all(a[2] == b[1] for a, b in zip(spans, spans[1:]))  # consecutive, no gaps
    # Samples 2 to 4 copied into a tar of their own equal that tar written member by member.
    out = io.BytesIO()
    tar = TarWriter(out)
    tar.add_members(piece[spans[2][1] : spans[4][2]])
    tar.close()
    write_tar(tmp_path / "direct.tar", SAMPLES[2:5])
    assert out.getvalue() == (tmp_path / "direct.tar").read_bytes()


def test_damage_is_an_error_naming_the_file(tmp_path):
    write_tar(tmp_path / "a.tar", SAMPLES)
    data = bytearray((tmp_path / "a.tar").read_bytes())
    data[BLOCK + 300 + (-300 % BLOCK) + 10] ^= 1  # a byte of the second member's name
    (tmp_path / "bad.tar").write_bytes(bytes(data))
    with pytest.raises(ValueError, match="bad.tar has a damaged tar header"):
        list(read_members(tmp_path / "bad.tar"))
    with pytest.raises(ValueError, match="damaged tar header"):
        list(sample_spans(tmp_path / "bad.tar", read_archive(tmp_path / "bad.tar")))
    (tmp_path / "cut.tar").write_bytes(bytes(data[: BLOCK + 100]))
    with pytest.raises(ValueError, match="cut.tar ends in the middle"):
        list(sample_spans(tmp_path / "cut.tar", read_archive(tmp_path / "cut.tar")))
    with pytest.raises(ValueError, match="cut.tar ends in the middle"):
        list(read_members(tmp_path / "cut.tar"))
