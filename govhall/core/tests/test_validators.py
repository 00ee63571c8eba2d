import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from govhall.core import masking, validators
from govhall.core.passwords import CharacterClassValidator
from govhall.core.validators import id_card_check_char, uscc_check_char

WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]


def reference_check(first17: str) -> str:
    """GB 11643 written out independently: sum(a_i * W_i) mod 11 → check character."""
    total = sum(int(a) * (2 ** (17 - i) % 11) for i, a in enumerate(first17))
    return "10X98765432"[total % 11]


def make_id(region: str, birth: dt.date, seq: str) -> str:
    first17 = f"{region}{birth:%Y%m%d}{seq}"
    return first17 + reference_check(first17)


def test_weights_are_powers_of_two_mod_11():
    assert [2 ** (17 - i) % 11 for i in range(17)] == WEIGHTS


KNOWN_VALID_IDS = [
    "11010519491231002X",  # the GB 11643 example
    "440308198401010011",
    make_id("230102", dt.date(1990, 3, 7), "123"),  # Harbin, Daoli district
    make_id("231025", dt.date(2000, 2, 29), "046"),  # a leap day
    make_id("650102", dt.date(1965, 12, 31), "997"),
]


@pytest.mark.parametrize("number", KNOWN_VALID_IDS)
def test_valid_resident_ids(number):
    assert validators.validate_resident_id(number) == number
    assert validators.validate_id_document("resident_id", number) == number


def test_resident_id_normalises_case_spaces_and_full_width():
    assert validators.validate_resident_id(" 11010519491231002x ") == "11010519491231002X"
    full_width = "１１０１０５１９４９１２３１００２Ｘ"
    assert validators.validate_resident_id(full_width) == "11010519491231002X"


@pytest.mark.parametrize(
    ("number", "code"),
    [
        ("110105194912310021", "id_checksum"),  # wrong check digit
        ("11010519491231002", "id_format"),  # 17 characters
        ("11010519491231002XX", "id_format"),
        ("1101051949123100X2", "id_format"),  # X not last
        ("110105194902300020", "id_birth"),  # 30 February
        ("110105180001010010", "id_birth"),  # before 1900
        ("110105209901010010", "id_birth"),  # in the future
        ("001051949123100201", "id_region"),  # no province 00
        ("11010519491231002٣", "id_format"),  # Arabic-Indic digit
        ("", "id_format"),
    ],
)
def test_invalid_resident_ids(number, code):
    with pytest.raises(ValidationError) as exc:
        validators.validate_resident_id(number)
    assert exc.value.code == code
    assert any("\u4e00" <= c <= "\u9fff" for c in exc.value.messages[0])  # Chinese message


def test_every_single_substitution_of_known_ids_is_rejected_exhaustively():
    alphabet = "0123456789X"
    for number in KNOWN_VALID_IDS:
        for position in range(18):
            for char in alphabet:
                if char == number[position]:
                    continue
                changed = number[:position] + char + number[position + 1 :]
                with pytest.raises(ValidationError):
                    validators.validate_resident_id(changed)


valid_ids = st.builds(
    make_id,
    region=st.sampled_from(sorted(validators._PROVINCE_CODES)).flatmap(
        lambda p: st.from_regex(rf"\A{p}[0-9]{{4}}\Z")
    ),
    birth=st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2025, 12, 31)),
    seq=st.from_regex(r"\A[0-9]{3}\Z"),
)


@given(
    number=valid_ids,
    position=st.integers(min_value=0, max_value=17),
    char=st.sampled_from("0123456789XABCZ -"),
)
def test_property_every_single_character_change_is_rejected(number, position, char):
    assert validators.validate_resident_id(number) == number
    if char == number[position]:
        char = "0" if char != "0" else "1"
    changed = number[:position] + char + number[position + 1 :]
    with pytest.raises(ValidationError):
        validators.validate_resident_id(changed)


def test_check_char_matches_reference_on_examples():
    assert id_card_check_char("11010519491231002") == "X"
    assert id_card_check_char("44030819840101001") == "1"


# --- unified social credit codes (GB 32100) ----------------------------------------------

KNOWN_USCC = [
    "91350100M000100Y43",  # the GB 32100 example
    "9144030071526726XG",
    "91110108551385082Q",
    "91440300708461136T",
    "91110000710935732K",
    "91110000802100433B",
]


@pytest.mark.parametrize("code", KNOWN_USCC)
def test_valid_uscc(code):
    assert validators.validate_uscc(code) == code
    assert validators.validate_uscc(code.lower()) == code
    assert validators.validate_id_document("uscc", code) == code


def test_uscc_check_is_the_standard_formula():
    # C18 = 31 - (sum(C_i * W_i) mod 31), W_i = 3^(i-1) mod 31; value 31 becomes 0.
    chars = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    for code in KNOWN_USCC:
        total = sum(chars.index(c) * (3**i % 31) for i, c in enumerate(code[:17]))
        assert chars[(31 - total % 31) % 31] == code[17] == uscc_check_char(code[:17])


@pytest.mark.parametrize(
    ("code", "error"),
    [
        ("91350100M000100Y44", "uscc_checksum"),
        ("91330000MA27XF1B6B", "uscc_checksum"),
        ("91350100M000100Y4", "uscc_format"),  # 17 characters
        ("91350100M0001O0Y43", "uscc_format"),  # letter O is not used
        ("91350100I000100Y43", "uscc_format"),  # letter I is not used
        ("913501A0M000100Y43", "uscc_region"),  # region code has a letter
    ],
)
def test_invalid_uscc(code, error):
    with pytest.raises(ValidationError) as exc:
        validators.validate_uscc(code)
    assert exc.value.code == error


def test_every_single_substitution_of_a_uscc_is_rejected():
    chars = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    code = KNOWN_USCC[0]
    for position in range(18):
        for char in chars:
            if char != code[position]:
                with pytest.raises(ValidationError):
                    validators.validate_uscc(code[:position] + char + code[position + 1 :])


# --- phones and other documents ------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [
        "13812345678",
        "+86 138 1234 5678",
        "86-138-1234-5678",
        "0086 13812345678",
        "１３８１２３４５６７８",
    ],
)
def test_valid_mobiles(raw):
    assert validators.validate_mobile(raw) == "13812345678"


@pytest.mark.parametrize(
    "raw", ["12812345678", "1381234567", "138123456789", "0451-8888888", "+1 138 1234 5678", ""]
)
def test_invalid_mobiles(raw):
    with pytest.raises(ValidationError):
        validators.validate_mobile(raw)


@pytest.mark.parametrize(
    ("id_type", "good", "bad"),
    [
        ("passport", "E12345678", "E12"),
        ("passport", "EA1234567", "ABCDEFGHI"),  # letters only is no passport number
        ("hk_macau_permit", "H12345678", "H1234567"),
        ("hk_macau_permit", "M1234567890", "X12345678"),
        ("hk_macau_permit", "CA1234567", "C12345"),
        ("taiwan_permit", "12345678", "1234567"),
        ("taiwan_permit", "1234567890", "12345678901"),
        ("foreign_permanent_id", "USA110080801230", "US1100808012"),
    ],
)
def test_document_formats(id_type, good, bad):
    assert validators.validate_id_document(id_type, good.lower()) == good
    with pytest.raises(ValidationError):
        validators.validate_id_document(id_type, bad)


def test_foreign_permanent_id_2023_form_has_a_check_character():
    first17 = "93310019900101012"
    good = first17 + id_card_check_char(first17)
    assert validators.validate_foreign_permanent_id(good) == good
    wrong = first17 + ("0" if good[-1] != "0" else "1")
    with pytest.raises(ValidationError):
        validators.validate_foreign_permanent_id(wrong)


def test_unknown_document_type():
    with pytest.raises(ValidationError) as exc:
        validators.validate_id_document("driving_licence", "123")
    assert exc.value.code == "id_type"


# --- masking --------------------------------------------------------------------------------


def test_mask_id_number():
    assert masking.mask_id_number("11010519491231002X") == "110105********002X"
    assert masking.mask_id_number("E12345678") == "E1*****78"
    assert masking.mask_id_number("") == ""
    assert masking.mask_id_number(None) == ""


def test_mask_phone():
    assert masking.mask_phone("13812345678") == "138****5678"
    assert masking.mask_phone("84512345") == "****2345"
    assert masking.mask_phone(None) == ""


@pytest.mark.parametrize(
    ("name", "masked"),
    [
        ("张三", "张*"),
        ("李", "李"),
        ("王小明", "王*明"),
        ("欧阳娜娜", "欧**娜"),
        ("买买提·艾力", "买**·*力"),
        ("", ""),
    ],
)
def test_mask_name(name, masked):
    assert masking.mask_name(name) == masked


def test_mask_address():
    assert masking.mask_address("黑龙江省哈尔滨市道里区友谊路1号") == "黑龙江省哈尔****"
    assert masking.mask_address("黑龙江省哈尔滨") == "黑龙江省哈尔****"  # keep + 1
    assert masking.mask_address("黑龙江省哈尔") == "黑龙江省哈尔"  # exactly keep: nothing to hide
    assert masking.mask_address("黑龙江省哈尔滨", keep=3) == "黑龙江****"
    assert masking.mask_address("") == ""
    assert masking.mask_address(None) == ""


def test_template_filters_are_builtins():
    from django.template import engines

    template = engines["django"].from_string("{{ n|mask_id }} {{ p|mask_phone }} {{ m|mask_name }}")
    html = template.render({"n": "11010519491231002X", "p": "13812345678", "m": "买买提·艾力"})
    assert html == "110105********002X 138****5678 买**·*力"


# --- password strength --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("password", "ok"),
    [
        ("abcdefghijk", False),
        ("abcdefGHIJK", False),  # two classes
        ("abcdef12345", False),
        ("abcdefGH123", True),
        ("abcdef123!@", True),
        ("ABCDEF123!@", True),
        ("Ab1!", True),  # class count only; length is MinimumLengthValidator's job
    ],
)
def test_character_class_validator(password, ok):
    validator = CharacterClassValidator()
    if ok:
        validator.validate(password)
    else:
        with pytest.raises(ValidationError) as exc:
            validator.validate(password)
        assert exc.value.code == "password_too_simple"
        assert "3" in exc.value.messages[0]


def test_password_rules_are_installed():
    from django.contrib.auth.password_validation import validate_password

    with pytest.raises(ValidationError):
        validate_password("abcdefghijkl")
    validate_password("Zhengwu-2026!x")
    assert "至少3类" in CharacterClassValidator().get_help_text()
