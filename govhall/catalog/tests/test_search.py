import pytest

from govhall.catalog.search import index_tokens, query_terms
from govhall.catalog.selectors import items_public


def names(q, **kw):
    return [i.name for i in items_public(q=q, **kw)]


def test_tokens_hold_words_bigrams_and_characters():
    tokens = index_tokens("营业执照遗失补领").split()
    for t in ("营业执照", "执照", "补领", "遗失", "照遗", "营"):
        assert t in tokens


def test_query_terms():
    assert query_terms("执照补领") == [["执照"], ["补领"]]
    assert query_terms("  ！！ ") == []


@pytest.mark.django_db
def test_business_license_finds_company_registration(demo):
    found = names("营业执照")
    assert found[0] == "企业设立登记（营业执照）"
    for expected in ("个体工商户设立登记", "营业执照遗失补领", "企业变更登记", "企业注销登记"):
        assert expected in found
    assert "社会保障卡申领" not in found


@pytest.mark.django_db
def test_two_character_word_social_insurance(demo):
    found = names("社保")
    for expected in ("社会保障卡申领", "城乡居民养老保险参保登记", "失业保险金申领"):
        assert expected in found
    assert all("不动产" not in n for n in found)


@pytest.mark.django_db
def test_non_adjacent_words(demo):
    assert names("执照补领") == ["营业执照遗失补领"]
    assert names("补领 执照") == ["营业执照遗失补领"]


@pytest.mark.django_db
def test_material_names_and_department_are_searchable(demo):
    assert "企业注销登记" in names("清税证明")
    assert "不动产首次登记" in names("不动产登记中心")


@pytest.mark.django_db
def test_unknown_word_finds_nothing_and_punctuation_finds_all(demo):
    assert names("火星移民") == []
    assert len(names("！？")) == len(names(""))


@pytest.mark.django_db
def test_search_with_department_filter(demo):
    from govhall.org.models import Department

    swj = Department.objects.get(code="SWJ", center=demo)
    assert names("营业执照", department=swj) == ["税务登记信息确认"]
