"""copy_row: what the process caches hand out."""

import copy

import pytest

from govhall.core.caching import copy_row
from govhall.org.models import Window
from govhall.org.testing import make_center, make_window

pytestmark = pytest.mark.django_db


def test_copy_row_is_a_shallow_copy_with_its_own_attributes_and_state():
    window = Window.objects.select_related("center").get(
        pk=make_window(make_center("CC-1", "复制测试中心"), "1").pk
    )
    clone = copy_row(window)
    assert type(clone) is Window and clone is not window
    assert (clone.pk, clone.number, clone.center_id) == (window.pk, window.number, window.center_id)
    assert clone == window  # same row
    assert clone.center is window.center  # related objects shared, not copied
    assert clone._state is not window._state
    assert (clone._state.db, clone._state.adding) == (window._state.db, window._state.adding)
    clone.number = "99"
    clone.request_memo = "only here"
    clone._state.fields_cache.clear()
    assert window.number == "1" and not hasattr(window, "request_memo")
    assert "center" in window._state.fields_cache
    # The same as copy.copy gives, attribute for attribute (less the Django version that
    # the pickling protocol stamps on its copy).
    skip = {"_state", "_django_version"}
    plain = copy.copy(window)
    assert {k: v for k, v in vars(plain).items() if k not in skip} == {
        k: v for k, v in vars(copy_row(window)).items() if k not in skip
    }
    clone.number = "1"
    clone.save()  # a copy saves like the original (an update, not an insert)
    assert Window.objects.filter(pk=window.pk).count() == 1
