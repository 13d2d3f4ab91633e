"""services.tabular: the encodings Chinese Excel writes, mixed-encoding refusal, cell text."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from hospital_osh.services import tabular
from hospital_osh.services.tabular import FileProblem, decode

TEXT = "staff_no,name\nN001,张三\nN002,李四\n"


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        (TEXT.encode("utf-8"), tabular.UTF8),
        (b"\xef\xbb\xbf" + TEXT.encode("utf-8"), tabular.UTF8),
        (TEXT.encode("utf-16"), tabular.UTF16),
        (TEXT.encode("gbk"), tabular.GB18030),
        (b"a,b\n1,2\n", tabular.UTF8),
    ],
)
def test_each_encoding_is_read(data: bytes, encoding: str) -> None:
    decoded = decode(data)
    assert decoded.encoding == encoding
    assert decoded.text.lstrip("\ufeff").replace("\r", "") in (TEXT, "a,b\n1,2\n")
    assert decoded.is_gbk == (encoding == tabular.GB18030)


def test_a_gbk_line_that_happens_to_be_valid_utf8_does_not_make_the_file_mixed() -> None:
    # "一" is D2 BB in GBK, also valid UTF-8 (Cyrillic "һ"); "张三" in GBK is not UTF-8.
    chance = "N003,一\n".encode("gbk")
    assert chance.decode("utf-8") == "N003,һ\n"
    data = b"staff_no,name\n" + chance + "N001,张三\n".encode("gbk")
    decoded = decode(data)
    assert decoded.is_gbk and "一" in decoded.text and "张三" in decoded.text


def test_mixed_utf8_and_gbk_is_refused_naming_the_first_odd_line() -> None:
    data = "h\nN001,张三\nN002,王五\n".encode() + "N003,李四\n".encode("gbk") + b"N004,x\n"
    with pytest.raises(FileProblem, match="line 4 is in GBK/GB18030, but line 2 is in UTF-8"):
        decode(data)


def test_undecodable_bytes_are_a_clear_problem() -> None:
    with pytest.raises(FileProblem, match="not recognised"):
        decode(b"a,b\n\x81\x30\xff\n")


def test_csv_records_sniff_the_delimiter_and_number_the_lines() -> None:
    assert list(tabular.csv_records("a;b\n1;2\n")) == [(1, ["a", "b"]), (2, ["1", "2"])]
    assert list(tabular.csv_records("a;b\n", delimiter=",")) == [(1, ["a;b"])]


def test_cell_text_shows_what_a_person_sees() -> None:
    assert tabular.cell_text(None) == ""
    assert tabular.cell_text(1001.0) == "1001"
    assert tabular.cell_text(1.5) == "1.5"
    assert tabular.cell_text(True) == "TRUE"
    assert tabular.cell_text(dt.datetime(2026, 3, 1)) == "2026-03-01"
    assert tabular.cell_text(dt.datetime(2026, 3, 1, 14, 30)) == "2026-03-01 14:30:00"


def test_file_types(tmp_path: Path) -> None:
    old = tmp_path / "old.xls"
    old.write_bytes(b"\xd0\xcf\x11\xe0")
    with pytest.raises(FileProblem, match=r"\.xls"):
        tabular.open_table(old)
    with pytest.raises(FileProblem, match=r"Unsupported file type '\.pdf'"):
        tabular.open_table(tmp_path / "x.pdf")
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"not a zip")
    with pytest.raises(FileProblem, match="Excel workbook"):
        list(tabular.rows_of(broken))
    gbk = tmp_path / "gbk.csv"
    gbk.write_bytes(TEXT.encode("gbk"))
    table = tabular.open_table(gbk)
    assert table.is_gbk and list(table.rows)[1] == (2, ["N001", "张三"])
