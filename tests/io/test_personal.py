"""Personal data: detection, keyed pseudonyms, masking.

ID-card check characters in these tests are computed with an independent
implementation of ISO 7064 MOD 11-2 (the GB 11643-1999 check), written below
from the standard's definition (weights 2^(i-1) mod 11 from the right).
``11010519491231002X`` is the worked example printed in GB 11643-1999.
Pseudonyms are checked against :mod:`hmac` computed directly in the test.
"""

from __future__ import annotations

import hashlib
import hmac
import re

import pandas as pd
import pytest

import toolkit as tk
from toolkit.errors import ColumnNotFoundError
from toolkit.io import find_personal, load_record, mask, pseudonymise
from toolkit.io.personal import is_id_card


def iso7064_check(body17: str) -> str:
    """Check character of a 17-digit body, by the MOD 11-2 definition."""
    total = sum(int(d) * (2 ** (18 - i - 1) % 11) for i, d in enumerate(body17))
    value = (12 - total % 11) % 11
    return "X" if value == 10 else str(value)


def valid_id(body17: str) -> str:
    return body17 + iso7064_check(body17)


def test_reference_check_character():
    # GB 11643-1999 worked example
    assert iso7064_check("11010519491231002") == "X"
    assert is_id_card("11010519491231002X")
    assert is_id_card("11010519491231002x")


@pytest.mark.parametrize("body", ["44052418800101001", "32010619851203121", "51012220001010431"])
def test_id_card_checksum(body):
    good = valid_id(body)
    assert is_id_card(good)
    wrong = body + ("0" if good[-1] != "0" else "1")
    assert not is_id_card(wrong)


def test_id_card_shapes():
    assert is_id_card("110105491231002")  # 15-digit, before 1999
    assert not is_id_card("110105491331002")  # month 13
    assert not is_id_card("1101051949123100")  # 16 digits
    assert not is_id_card(None)


def test_find_personal_by_header_values_and_codebook():
    ids = [valid_id("11010519491231002"), valid_id("44052418800101001"),
           valid_id("32010619851203121")]
    df = pd.DataFrame({
        "编号": ["P1", "P2", "P3"],
        "姓名": ["张伟", "欧阳娜娜", "李雷"],
        "证号": ids,  # headers that say nothing: found by the values
        "号码": ["+86 138 0013 8000", "86-13900139000", "139-0013-9000"],
        "备用": pd.Series([13800138000, 15900001111, 18612345678], dtype="int64"),
        "流水号": ["110105194912310021", "440524188001010010", "320106198512031210"],
        "备注": ["无", "无", "有"],
    })
    found = find_personal(df)
    assert found["column"].tolist() == ["姓名", "证号", "号码", "备用"]
    assert found["kind"].tolist() == ["name", "id_card", "phone", "phone"]
    assert found["n_values"].tolist() == [3, 3, 3, 3]
    assert found["share_matching"].tolist() == [1.0, 1.0, 1.0, 1.0]
    assert found["reason"].tolist() == [
        "header `姓名`",
        "100% of values are mainland ID-card numbers (check character verified)",
        "100% of values are mobile phone numbers",
        "100% of values are mobile phone numbers",
    ]


def test_wrong_numbers_are_not_phones():
    df = pd.DataFrame({"号码": ["12345678901", "1380013800", "23800138000", "13800138000"]})
    assert find_personal(df).empty  # 1 of 4 is a mobile number: below half


def test_read_table_marks_schema_personal_columns(write_file):
    path = write_file("p.csv", "参与者编号,参与者姓名,类型,手机号码\nP1,张伟,专家,13800138000\n",
                      encoding="gb18030")
    df = tk.read_table(path, kind="participants")
    assert df.attrs["codebook"]["name"]["personal"] == "name"
    found = find_personal(df)
    assert found[["column", "kind", "reason"]].values.tolist() == [
        ["name", "name", "the codebook marks it personal"],
        ["phone", "phone", "the codebook marks it personal"],
    ]
    assert load_record(df).problems.empty


def _ref_token(value: str, key: str) -> str:
    return "P_" + hmac.new(key.encode(), value.encode(), hashlib.sha256).hexdigest()[:16]


def test_pseudonymise_is_keyed_stable_and_joinable():
    people = pd.DataFrame({"参与者编号": ["P1", "P2"], "姓名": ["张伟", "李娜"],
                           "手机号": ["138 0013 8000", None]})
    survey = pd.DataFrame({"手机号": ["+8613800138000"], "q1": [4]})
    a = pseudonymise(people, key="k1")
    b = pseudonymise(survey, key="k1")
    assert a["手机号"][0] == b["手机号"][0] == _ref_token("13800138000", "k1")
    assert pd.isna(a["手机号"][1])
    assert a["姓名"].tolist() == [_ref_token("张伟", "k1"), _ref_token("李娜", "k1")]
    assert a["参与者编号"].tolist() == ["P1", "P2"]  # not personal: untouched
    assert all(re.fullmatch(r"P_[0-9a-f]{16}", t) for t in a["姓名"])
    assert pseudonymise(people, key="k2")["姓名"][0] != a["姓名"][0]
    merged = a.merge(b, on="手机号")
    assert merged["q1"].tolist() == [4]
    assert people["姓名"].tolist() == ["张伟", "李娜"]  # input not modified
    assert a.attrs["codebook"]["姓名"] == {"pseudonymised": True, "personal": "name"}


def test_pseudonymise_named_columns_and_errors():
    df = pd.DataFrame({"户号": ["A1", "A2"], "姓名": ["张伟", "李娜"]})
    out = pseudonymise(df, "户号", key="k")
    assert out["户号"][0] == _ref_token("A1", "k")
    assert out["姓名"].tolist() == ["张伟", "李娜"]
    for bad in ("", b"", None):
        with pytest.raises(ValueError, match="`key` is required"):
            pseudonymise(df, key=bad)
    with pytest.raises(ColumnNotFoundError, match=r"`户口` \(given as `columns`; did you mean "
                       r"`户号`\?\)\. Columns available: `户号`, `姓名`\."):
        pseudonymise(df, ["户口"], key="k")


@pytest.mark.parametrize(
    ("value", "kind", "expected"),
    [
        ("张伟", "name", "张*"),
        ("欧阳娜娜", "name", "欧***"),
        ("张", "name", "张*"),
        ("11010519491231002X", "id_card", "1101**********002X"),
        ("110105491231002", None, "1101*******1002"),
        ("138 0013 5678", "phone", "138****5678"),
        ("+86 138-0013-5678", None, "138****5678"),
        (13800135678, None, "138****5678"),
        ("李娜", None, "李*"),
    ],
)
def test_mask(value, kind, expected):
    assert mask(value, kind) == expected


def test_mask_keeps_missing():
    assert mask(None) is None
    assert pd.isna(mask(float("nan")))


def test_place_names_of_units_are_not_personal(write_file):
    """``units.name`` is a canonical, non-personal column (a place), whatever its header."""
    path = write_file("units.csv", "编码,名称,层级\nC01,东街社区,村社区\nC02,西街社区,村社区\n")
    units = tk.io.read_table(path, kind="units")
    assert "name" in units.columns
    assert tk.io.find_personal(units).empty
    people = pd.DataFrame({"name": ["王某华", "李某明"]})
    assert tk.io.find_personal(people)["column"].tolist() == ["name"]


# ---------------------------------------------------------------------------
# names under other headers, personal values inside free text, the key


@pytest.mark.parametrize("header", ["负责人", "户主", "联系人", "填报人", "填表人", "经办人",
                                    "社区负责人", "户主姓名"])
def test_names_under_other_headers_are_personal(header):
    df = pd.DataFrame({"编号": ["A1", "A2"], header: ["张建国", "李秀英"]})
    found = find_personal(df)
    assert found[["column", "kind", "found_by"]].values.tolist() == [[header, "name", "header"]]


def test_headers_that_ask_about_people_are_not_personal():
    df = pd.DataFrame({"是否有负责人": ["是", "否"], "有无联系人": ["有", "无"]})
    assert find_personal(df).empty


def _notes() -> pd.DataFrame:
    body = valid_id("11010519491231002")
    return pd.DataFrame({
        "编号": ["A1", "A2", "A3", "A4"],
        "备注": ["联系人：王小明，电话13800138000", "无", f"身份证{body}，请回电 139-0013-9000",
                 "已办结"],
        # full-width digits count as digits
        "意见内容": ["建议加装电梯", "同意", "好", "电话：１３７００１３７０００"],
    })


def test_find_personal_reports_free_text_holding_personal_values_with_counts():
    found = find_personal(_notes()).set_index("column")
    assert found.index.tolist() == ["备注", "意见内容"]
    assert found["kind"].tolist() == ["free_text", "free_text"]
    assert found["n_values"].tolist() == [4, 4]
    assert found["n_matching"].tolist() == [2, 1]
    assert found.loc["备注", "reason"] == (
        "free text: 2 of 4 texts hold personal values (2 phone numbers, 1 ID-card number, "
        "1 name)")
    assert found.loc["意见内容", "reason"] == \
        "free text: 1 of 4 texts hold personal values (1 phone number)"
    # an 18-digit number whose check character is wrong is not an ID-card number
    wrong = pd.DataFrame({"备注": ["流水号110105194912310021"]})
    assert find_personal(wrong).empty


def test_pseudonymise_replaces_the_values_inside_free_text():
    notes = _notes()
    out = pseudonymise(notes, key="k1")
    ref = {v: _ref_token(v, "k1") for v in ["王小明", "13800138000", "13900139000",
                                             "13700137000", notes["备注"][2][3:21]]}
    assert out["备注"].tolist() == [
        f"联系人：{ref['王小明']}，电话{ref['13800138000']}", "无",
        f"身份证{ref[notes['备注'][2][3:21]]}，请回电 {ref['13900139000']}", "已办结"]
    assert out["意见内容"].tolist() == ["建议加装电梯", "同意", "好", f"电话：{ref['13700137000']}"]
    assert out["编号"].tolist() == notes["编号"].tolist()
    assert out.attrs["codebook"]["备注"] == {"pseudonymised": True, "personal": "free_text"}
    # the same token as the phone number gets in its own column: joins still work
    phones = pseudonymise(pd.DataFrame({"手机号": ["138-0013-8000"]}), key="k1")
    assert phones["手机号"][0] == ref["13800138000"]


@pytest.mark.parametrize("key", [0, 1, 7, True, False, 1.5, ["k"], 2**64])
def test_pseudonymise_refuses_keys_that_are_not_text(key):
    df = pd.DataFrame({"姓名": ["张伟"]})
    with pytest.raises(tk.errors.ArgumentTypeError, match=r"`key` must be a secret text \(str\) "
                       r"or bytes, not"):
        pseudonymise(df, key=key)


@pytest.mark.parametrize("key", [" ", "\t\n", "　", b"   "])
def test_pseudonymise_refuses_keys_of_only_spaces(key):
    df = pd.DataFrame({"姓名": ["张伟"]})
    with pytest.raises(tk.errors.ArgumentError, match="must not be empty or only spaces"):
        pseudonymise(df, key=key)


def test_mask_text_finds_names_by_context_and_numbers_in_any_writing():
    assert tk.io.mask_text("主持人 李四、赵六；居民王小明（电话 +86 138-0013-8000）") == \
        "主持人 〔姓名〕、〔姓名〕；居民〔姓名〕（电话 〔电话〕）"
    assert tk.io.mask_text("请联系 zjg@example.com 或 (0731)84561234") == \
        "请联系 〔邮箱〕 或 〔电话〕"
    assert tk.io.mask_text("加装电梯12345678901台") == "加装电梯12345678901台"  # no mobile
